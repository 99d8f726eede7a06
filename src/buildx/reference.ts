/**
 * Image references as Docker reads them (`[host[:port]/]path[:tag][@digest]`): the first
 * component is a registry host when it has a dot or a colon or is `localhost`, else the image is
 * on Docker Hub (`docker.io`, `library/` added to one-component paths). Names are lower case,
 * tags at most 128 characters, as the distribution reference grammar says.
 */

/** A parsed reference. */
export interface ImageReference {
  /** Registry host as written (`docker.io` when none was). */
  host: string;
  /** Repository path inside the registry (`library/nginx`, `team/app`). */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses a reference; throws Docker's `invalid reference format` wording on a bad one. */
export function parseReference(reference: string): ImageReference {
  if (reference.length === 0 || reference.length > 1024)
    throw new Error(`invalid reference format: ${JSON.stringify(reference.slice(0, 100))}`);
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`invalid reference format: ${reference}`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new Error(`invalid reference format: ${reference}`);
  }
  let host = 'docker.io';
  let path = rest;
  const firstSlash = rest.indexOf('/');
  const first = firstSlash >= 0 ? rest.slice(0, firstSlash) : '';
  if (firstSlash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first;
    path = rest.slice(firstSlash + 1);
  }
  if (path !== path.toLowerCase())
    throw new Error(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!path.split('/').every((c) => PATH_COMPONENT.test(c))) throw new Error(`invalid reference format: ${reference}`);
  if (host === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { host, path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The repository as Docker names it (`docker.io/library/nginx`). */
export function repositoryName(ref: ImageReference): string {
  return `${ref.host}/${ref.path}`;
}

/** The full reference, `:latest` added when neither tag nor digest is given. */
export function formatReference(ref: ImageReference, options: { defaultTag?: boolean } = {}): string {
  const tag = ref.tag ?? (ref.digest === undefined && options.defaultTag !== false ? 'latest' : undefined);
  return `${repositoryName(ref)}${tag === undefined ? '' : `:${tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The name the user wrote, with `:latest` when it had no tag (what `docker push` pushes). */
export function withDefaultTag(reference: string): string {
  const ref = parseReference(reference);
  if (ref.tag !== undefined || ref.digest !== undefined) return reference;
  return `${reference}:latest`;
}
