/**
 * Which registry a repository path below /v2 names: a first component in ECR's host form
 * (`<account>.dkr.ecr.<region>.amazonaws.com/…`) selects that account's registry in that
 * region, anything else is the home region's (core/ecr-address.ts). Another account's
 * registry, or a region the cloud does not serve, holds no repository here.
 */
import { splitRegistryPath } from '../core/ecr-address.js';
import type { ImageStore } from '../core/image-store.js';
import type { RegistryScope } from './authorize.js';
import type { RegistryDeps } from './exchange.js';

/** The registry a repository path names (core/ecr-address.ts) and the repository's name in it. */
export function scopeOf(
  deps: Pick<RegistryDeps, 'accountId' | 'homeRegion' | 'imagesIn'>,
  path: string,
): { scope: RegistryScope; name: string } {
  const split = splitRegistryPath({ accountId: deps.accountId, homeRegion: deps.homeRegion, registryHost: '' }, path);
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
