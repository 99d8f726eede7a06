/**
 * Image URIs written for AWS resolve to the local registry: a task definition that names
 * `<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>` (as the seed's does) pulls from that
 * region's repository here, unchanged; so does the local form a repository's URI takes
 * (`localhost:PORT[/<account>.dkr.ecr.<region>.amazonaws.com]/<name>`, core/ecr-address.ts).
 * Another account's ECR host resolves too, to the local path the registry answers for it:
 * 403 DENIED, as AWS answers a pull from another account's repository whose policy does not
 * admit the caller. Anything else (Docker Hub, a local name) is left as it is.
 */
import { ecrHostname, parseEcrHostname, splitRegistryPath, type EcrAddressing } from '../core/ecr-address.js';

export type ImageUriContext = EcrAddressing;

export interface LocalImageReference {
  /** The account and region whose registry holds it. */
  accountId: string;
  region: string;
  /** The repository name in that registry. */
  repository: string;
  /** A tag, or a digest (sha256:…). */
  reference: string;
  /** The same image as local clients name it: localhost:4566/my-app:tag */
  localUri: string;
}

/** The registry, repository and reference an image URI names, or undefined if it is not an ECR image. */
export function resolveImageUri(uri: string, context: ImageUriContext): LocalImageReference | undefined {
  const slash = uri.indexOf('/');
  if (slash <= 0) return undefined;
  const host = uri.slice(0, slash);
  const rest = uri.slice(slash + 1);
  if (rest === '') return undefined;
  const { repositoryPath, reference } = splitReference(rest);
  if (repositoryPath === '' || reference === '') return undefined;
  let scope: { accountId: string; region: string; name: string };
  if (host === context.registryHost) scope = splitRegistryPath(context, repositoryPath);
  else {
    const ecr = parseEcrHostname(host);
    if (!ecr) return undefined;
    scope = { ...ecr, name: repositoryPath };
  }
  if (scope.name === '') return undefined;
  const home = scope.accountId === context.accountId && scope.region === context.homeRegion;
  const prefix = home ? context.registryHost : `${context.registryHost}/${ecrHostname(scope.accountId, scope.region)}`;
  const separator = reference.includes(':') ? '@' : ':';
  return {
    accountId: scope.accountId,
    region: scope.region,
    repository: scope.name,
    reference,
    localUri: `${prefix}/${scope.name}${separator}${reference}`,
  };
}

/** `name:tag`, `name@digest` or `name` (meaning :latest). */
function splitReference(rest: string): { repositoryPath: string; reference: string } {
  const at = rest.indexOf('@');
  if (at >= 0) return { repositoryPath: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  const lastSlash = rest.lastIndexOf('/');
  if (colon > lastSlash) return { repositoryPath: rest.slice(0, colon), reference: rest.slice(colon + 1) };
  return { repositoryPath: rest, reference: 'latest' };
}
