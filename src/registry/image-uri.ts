/**
 * Image URIs written for AWS resolve to the local registry: a task definition that names
 * `<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>` (as the seed's does) must pull from
 * this cloud's ECR when the account and region are the cloud's own, unchanged. Anything else
 * (another account, Docker Hub, a local name) is left as it is.
 */

export interface ImageUriContext {
  accountId: string;
  region: string;
  /** host[:port] of the local registry, e.g. localhost:4566 */
  registryHost: string;
}

export interface LocalImageReference {
  /** The repository name in the local ECR. */
  repository: string;
  /** A tag, or a digest (sha256:…). */
  reference: string;
  /** The same image as local clients name it: localhost:4566/my-app:tag */
  localUri: string;
}

// ECR hostnames, including the dual-stack and FIPS forms and the China partition.
const ECR_HOST = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws|on\.aws)$/;

/** The local repository and reference an image URI names, or undefined if it is not this cloud's ECR. */
export function resolveImageUri(uri: string, context: ImageUriContext): LocalImageReference | undefined {
  const slash = uri.indexOf('/');
  if (slash <= 0) return undefined;
  const host = uri.slice(0, slash);
  const rest = uri.slice(slash + 1);
  const match = ECR_HOST.exec(host);
  const local =
    host === context.registryHost || (match !== null && match[1] === context.accountId && match[2] === context.region);
  if (!local || rest === '') return undefined;
  const at = rest.indexOf('@');
  let repository: string;
  let reference: string;
  if (at >= 0) {
    repository = rest.slice(0, at);
    reference = rest.slice(at + 1);
  } else {
    const colon = rest.lastIndexOf(':');
    repository = colon >= 0 ? rest.slice(0, colon) : rest;
    reference = colon >= 0 ? rest.slice(colon + 1) : 'latest';
  }
  if (repository === '' || reference === '') return undefined;
  const separator = reference.includes(':') ? '@' : ':';
  return { repository, reference, localUri: `${context.registryHost}/${repository}${separator}${reference}` };
}
