/**
 * PEP 440 versions as @renovate/pep440 reads them for metadata-action's `type=pep440`: the
 * specification's own regular expression, `valid`, `explain` (release, pre/post/dev parts and
 * whether the version is one), `clean` (the normalised form) and `major`/`minor`/`patch`.
 */

const PEP440 =
  /^\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\.[0-9]+)*)(?<pre>[-_.]?(?<pre_l>(a|b|c|rc|alpha|beta|pre|preview))[-_.]?(?<pre_n>[0-9]+)?)?(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)(?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

/** A version's parts. */
export interface Pep440Version {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: number | null;
  dev: number | null;
  local: string | null;
  is_prerelease: boolean;
  is_devrelease: boolean;
  is_postrelease: boolean;
}

const PRE_NAMES: Record<string, string> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/** The version's parts, or null when it is not PEP 440. */
export function explain(version: string): Pep440Version | null {
  if (version.length > 256) return null;
  const g = PEP440.exec(version)?.groups;
  if (!g) return null;
  const pre: [string, number] | null = g.pre_l
    ? [PRE_NAMES[g.pre_l.toLowerCase()] ?? g.pre_l, Number(g.pre_n ?? 0)]
    : null;
  const post = g.post_n1 !== undefined ? Number(g.post_n1) : g.post_l ? Number(g.post_n2 ?? 0) : null;
  const dev = g.dev_l ? Number(g.dev_n ?? 0) : null;
  return {
    epoch: Number(g.epoch ?? 0),
    release: (g.release ?? '0').split('.').map(Number),
    pre,
    post,
    dev,
    local: g.local ? g.local.toLowerCase().replace(/[-_]/g, '.') : null,
    is_prerelease: pre !== null || dev !== null,
    is_devrelease: dev !== null,
    is_postrelease: post !== null,
  };
}

/** True when `version` is PEP 440. */
export function valid(version: string): boolean {
  return explain(version) !== null;
}

/** The normalised form (`v1.0-RC1` → `1.0rc1`). */
export function clean(version: string): string {
  const v = explain(version);
  if (!v) return version;
  let out = v.epoch > 0 ? `${v.epoch}!` : '';
  out += v.release.join('.');
  if (v.pre) out += `${v.pre[0]}${v.pre[1]}`;
  if (v.post !== null) out += `.post${v.post}`;
  if (v.dev !== null) out += `.dev${v.dev}`;
  if (v.local) out += `+${v.local}`;
  return out;
}

/** The release's first three numbers (missing ones are 0). */
export function major(version: string): number {
  return explain(version)?.release[0] ?? 0;
}
export function minor(version: string): number {
  return explain(version)?.release[1] ?? 0;
}
export function patch(version: string): number {
  return explain(version)?.release[2] ?? 0;
}
