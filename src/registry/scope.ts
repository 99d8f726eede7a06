/**
 * Which registry a request below /v2 names. On AWS every account has one registry per region,
 * told apart by host (`<account>.dkr.ecr.<region>.amazonaws.com`); here one registry serves
 * them all, so the registry is named either
 * - by the Host the client used, when it is an ECR host (a job resolves those names to the
 *   cloud): the path is the repository, as on AWS; or
 * - by the path's first component in ECR's host form (`localhost:PORT/<account>.dkr.ecr.
 *   <region>.amazonaws.com/<repository>`, what the engine and repository URIs use); or
 * - neither: the home region's repository (core/ecr-address.ts).
 * Another account's registry, or a region the cloud does not serve, holds no repository here.
 */
import { parseEcrHostname, splitRegistryPath } from '../core/ecr-address.js';
import type { ImageStore } from '../core/image-store.js';
import type { RegistryScope } from './authorize.js';
import type { RegistryDeps } from './exchange.js';

/** The registry a repository path names, with the Host it was asked of, and the repository's name in it. */
export function scopeOf(
  deps: Pick<RegistryDeps, 'accountId' | 'homeRegion' | 'imagesIn'>,
  path: string,
  host: string | undefined,
): { scope: RegistryScope; name: string } {
  const byHost = host === undefined ? undefined : parseEcrHostname(host.replace(/:\d+$/, '').toLowerCase());
  const split = byHost
    ? { ...byHost, name: path }
    : splitRegistryPath({ accountId: deps.accountId, homeRegion: deps.homeRegion, registryHost: '' }, path);
  const prefix = path.slice(0, path.length - split.name.length);
  const images = split.accountId === deps.accountId ? deps.imagesIn(split.region) : undefined;
  return {
    scope: { accountId: split.accountId, region: split.region, prefix, images: images ?? NO_IMAGES },
    name: split.name,
  };
}

/** The registry of another account or of a region this cloud does not serve: no repository exists in it. */
const NO_IMAGES: ImageStore = {
  getRepository: () => undefined,
  putManifest: () => ({ ok: false, failure: { kind: 'repositoryNotFound' } }),
  getManifest: () => undefined,
  listTags: () => [],
  deleteManifest: () => false,
  referrers: () => [],
  recordPull: () => undefined,
  isBlobLinked: () => false,
  linkBlob: () => undefined,
  unreferencedBlobs: (candidates) => [...candidates],
};
