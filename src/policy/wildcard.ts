/**
 * IAM wildcard matching (`*` any run of characters, `?` exactly one), used by Action,
 * Resource, StringLike and ArnLike. Patterns arrive as "glob text": policy text in which a
 * backslash escapes the next character, so values substituted from policy variables and the
 * `${*}` / `${?}` escapes can stand for literal `*` and `?` (see variables.ts). Policy text
 * without variables is turned into glob text by `toGlob`, which only has to escape backslashes.
 *
 * Evaluation runs on every API call, so compiled globs are cached (bounded; patterns come
 * from policies and from variable substitution, so the set is small but not fixed), and the
 * common shapes (`*`, no wildcard at all) are compared directly. Matching is not a regular
 * expression: see matchAtoms.
 */

/** Upper bound on cached globs; past it the oldest entry is dropped. */
const CACHE_LIMIT = 4096;
// One cache per case mode, keyed by the glob itself: policy strings are reused across calls,
// so their hash is computed once (a concatenated key would be hashed on every lookup).
const caseSensitive = new Map<string, readonly GlobAtom[]>();
const caseInsensitive = new Map<string, readonly GlobAtom[]>();

const GLOB_SPECIAL = /[\\*?]/;
const GLOB_SPECIAL_ALL = /[\\*?]/g;
const ESCAPED = /\\(.)/gs;

/** Policy text (no variables) as glob text: only a backslash needs escaping. */
export function toGlob(text: string): string {
  return text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
}

/** Escapes a literal (e.g. a substituted variable value) so that it matches only itself. */
export function escapeGlob(literal: string): string {
  return GLOB_SPECIAL.test(literal) ? literal.replace(GLOB_SPECIAL_ALL, (c) => `\\${c}`) : literal;
}

/** The text a glob stands for when read literally (StringEquals, ArnEquals of plain text, …). */
export function globLiteral(glob: string): string {
  return glob.includes('\\') ? glob.replace(ESCAPED, '$1') : glob;
}

/**
 * Whether `value` matches the glob as a whole. `ignoreCase` for actions; resources and
 * StringLike are case-sensitive. `*` crosses every character, newlines included (StringLike
 * values may be multi-line).
 */
export function globMatch(glob: string, value: string, ignoreCase: boolean): boolean {
  if (glob === '*') return true;
  if (!glob.includes('*') && !glob.includes('?')) {
    const literal = globLiteral(glob);
    return ignoreCase ? literal.toLowerCase() === value.toLowerCase() : literal === value;
  }
  return matchAtoms(compile(glob, ignoreCase), ignoreCase ? Array.from(value.toLowerCase()) : Array.from(value));
}

/** `*` and `?` in a compiled glob; every other atom is one code point to match. */
const STAR = 0;
const ANY = 1;
type GlobAtom = string | typeof STAR | typeof ANY;

/**
 * Matches with one pointer into each side, going back only to the last `*` seen: at most
 * value × glob steps, where a regular expression (`.*a.*a.*…`) backtracks exponentially; a
 * policy that anyone may write is evaluated on every API call.
 */
function matchAtoms(atoms: readonly GlobAtom[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const atom = atoms[p];
    if (atom === STAR) {
      starAt = p++;
      resumeAt = t;
    } else if (atom !== undefined && (atom === ANY || atom === text[t])) {
      p++;
      t++;
    } else if (starAt >= 0) {
      // Let the last `*` take one more character and try again from there.
      p = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (atoms[p] === STAR) p++;
  return p === atoms.length;
}

function compile(glob: string, ignoreCase: boolean): readonly GlobAtom[] {
  const cache = ignoreCase ? caseInsensitive : caseSensitive;
  const hit = cache.get(glob);
  if (hit !== undefined) return hit;
  const chars = Array.from(ignoreCase ? glob.toLowerCase() : glob);
  const atoms: GlobAtom[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\' && i + 1 < chars.length) atoms.push(chars[++i] as string);
    else if (c === '*') {
      if (atoms.at(-1) !== STAR) atoms.push(STAR);
    } else if (c === '?') atoms.push(ANY);
    else atoms.push(c);
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(glob, atoms);
  return atoms;
}

/** For tests and diagnostics: how many compiled globs are cached. */
export function wildcardCacheSize(): number {
  return caseSensitive.size + caseInsensitive.size;
}
