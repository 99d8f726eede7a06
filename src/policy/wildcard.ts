/**
 * IAM wildcard matching (`*` any run of characters, `?` exactly one), used by Action,
 * Resource, StringLike and ArnLike. Patterns arrive as "glob text": policy text in which a
 * backslash escapes the next character, so values substituted from policy variables and the
 * `${*}` / `${?}` escapes can stand for literal `*` and `?` (see variables.ts). Policy text
 * without variables is turned into glob text by `toGlob`, which only has to escape backslashes.
 *
 * Evaluation runs on every API call, so compiled regexes are cached (bounded; patterns come
 * from policies and from variable substitution, so the set is small but not fixed), and the
 * common shapes (`*`, no wildcard at all) never build a regex.
 */

/** Upper bound on cached regexes; past it the oldest entry is dropped. */
const CACHE_LIMIT = 4096;
// One cache per case mode, keyed by the glob itself: policy strings are reused across calls,
// so their hash is computed once (a concatenated key would be hashed on every lookup).
const caseSensitive = new Map<string, RegExp>();
const caseInsensitive = new Map<string, RegExp>();

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/;
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
  return compile(glob, ignoreCase).test(value);
}

function compile(glob: string, ignoreCase: boolean): RegExp {
  const cache = ignoreCase ? caseInsensitive : caseSensitive;
  const hit = cache.get(glob);
  if (hit !== undefined) return hit;
  let source = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '\\' && i + 1 < glob.length) {
      i++;
      source += escapeRegexChar(glob.charAt(i));
    } else if (c === '*') {
      source += '.*';
    } else if (c === '?') {
      source += '.';
    } else {
      source += escapeRegexChar(c);
    }
  }
  // 's': `.` matches newlines; 'u': `?` matches one code point, not half a surrogate pair.
  const regex = new RegExp(`${source}$`, ignoreCase ? 'sui' : 'su');
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(glob, regex);
  return regex;
}

function escapeRegexChar(c: string): string {
  return REGEX_SYNTAX.test(c) ? `\\${c}` : c;
}

/** For tests and diagnostics: how many compiled regexes are cached. */
export function wildcardCacheSize(): number {
  return caseSensitive.size + caseInsensitive.size;
}
