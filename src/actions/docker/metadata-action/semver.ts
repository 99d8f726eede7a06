/**
 * Semantic versions as node-semver reads them for metadata-action: `valid` accepts the strict
 * grammar with an optional leading `v` or `=`; `parse(…, loose)` gives the object its patterns
 * render (`version` without build metadata, `major`, `minor`, `patch`, `prerelease` as a list
 * with numeric identifiers as numbers, `build`, and `raw`, the input as given).
 */

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const PRE_ID_LOOSE = `(?:\\d+|\\d*[a-zA-Z-][a-zA-Z0-9-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
const STRICT = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
const LOOSE = new RegExp(
  `^[v=\\s]*(\\d+)\\.(\\d+)\\.(\\d+)(?:-?(${PRE_ID_LOOSE}(?:\\.${PRE_ID_LOOSE})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);
/** node-semver's MAX_LENGTH. */
const MAX_LENGTH = 256;

/** A parsed version, shaped as node-semver's SemVer for templates. */
export interface SemVer {
  raw: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
  build: string[];
}

/** node-semver's `valid(v)`: the normalised version, or null. */
export function valid(version: string): string | null {
  const parsed = parse(version, false);
  return parsed ? parsed.version : null;
}

/** node-semver's `parse(v, {loose})`. */
export function parse(version: string, loose: boolean): SemVer | null {
  if (version.length > MAX_LENGTH) return null;
  const trimmed = version.trim();
  const match = (loose ? LOOSE : STRICT).exec(loose ? trimmed : version.replace(/^=/, ''));
  if (!match) return null;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (![major, minor, patch].every((n) => Number.isSafeInteger(n))) return null;
  const prerelease = match[4]
    ? match[4].split('.').map((id) => (/^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id))
    : [];
  const build = match[5] ? match[5].split('.') : [];
  const base = `${major}.${minor}.${patch}`;
  return {
    raw: version,
    version: prerelease.length > 0 ? `${base}-${prerelease.join('.')}` : base,
    major,
    minor,
    patch,
    prerelease,
    build,
  };
}

/** node-semver's `prerelease(v)`: the pre-release identifiers, or null. */
export function prerelease(version: string): (string | number)[] | null {
  const parsed = parse(version, false);
  return parsed && parsed.prerelease.length > 0 ? parsed.prerelease : null;
}
