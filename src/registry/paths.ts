/**
 * The registry's URL space, parsed into a typed route. Repository names may contain slashes
 * (`/v2/team/app/manifests/x`), so each route is recognised by its anchored tail and the
 * name is everything before it.
 */

export type RegistryRoute =
  | { kind: 'base' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  /** `id` is absent for `POST …/blobs/uploads/`. */
  | { kind: 'upload'; name: string; id?: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'referrers'; name: string; digest: string }
  | { kind: 'unknown' };

/** The distribution spec's name grammar; ECR names are also at most 256 characters. */
const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** The spec's tag grammar. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const TAILS: [RegExp, (name: string, rest: string) => RegistryRoute][] = [
  [/^(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference })],
  [
    /^(.+)\/blobs\/uploads(?:\/([^/]*))?$/,
    (name, id) => (id ? { kind: 'upload', name, id } : { kind: 'upload', name }),
  ],
  [/^(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ kind: 'blob', name, digest })],
  [/^(.+)\/referrers\/([^/]+)$/, (name, digest) => ({ kind: 'referrers', name, digest })],
];

/** Parses a path below /v2 (without the query). */
export function parseRoute(path: string): RegistryRoute {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) return { kind: 'unknown' };
  const rest = path.slice(4);
  for (const [pattern, build] of TAILS) {
    const match = pattern.exec(rest);
    if (match?.[1]) return build(match[1], match[2] ?? '');
  }
  return { kind: 'unknown' };
}

/** Whether `name` is a repository name the registry can hold. */
export function isValidName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && NAME.test(name);
}

/** Whether `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}
