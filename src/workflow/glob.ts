/**
 * The two pattern languages of workflows:
 *
 * - filter patterns (`on.push.branches`, `tags`, `paths` and their `-ignore`s), GitHub's own syntax
 *   from the "Filter pattern cheat sheet": `*` any characters but `/`, `**` any characters, `?` zero or
 *   one of the preceding character, `+` one or more of the preceding character, `[…]` one character
 *   of a set or range, `\` escapes the next character, and a leading `!` negates (see matchesFilterList);
 * - file globs for hashFiles(), as @actions/glob reads them: path segments where `**` is any number
 *   of directories, `*` and `?` stay within a segment, `[…]` a set, dot-files included, and a pattern
 *   that matches a directory also matches everything beneath it.
 */

/** Compiles one filter pattern (without its leading `!`) to an anchored regular expression. */
export function filterPatternToRegExp(pattern: string): RegExp {
  let source = '';
  // The last single-character atom, which `?` and `+` apply to (GitHub: "the preceding character").
  let lastAtom: string | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '\\' && i + 1 < pattern.length) {
      lastAtom = escapeRegExp(pattern.charAt(++i));
      source += lastAtom;
    } else if (char === '*') {
      if (pattern.charAt(i + 1) === '*') {
        i++;
        source += '.*';
      } else {
        source += '[^/]*';
      }
      lastAtom = undefined;
    } else if ((char === '?' || char === '+') && lastAtom !== undefined) {
      source = `${source.slice(0, source.length - lastAtom.length)}(?:${lastAtom})${char}`;
      lastAtom = undefined;
    } else if (char === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      lastAtom = characterClass(pattern.slice(i + 1, end));
      source += lastAtom;
      i = end;
    } else {
      lastAtom = escapeRegExp(char);
      source += lastAtom;
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

/**
 * Whether `value` is selected by an ordered filter list: each pattern that matches sets the result,
 * positive patterns to true and `!` patterns to false, so a later pattern wins (GitHub: "the order
 * that you define patterns matters"). Nothing matching means not selected.
 */
export function matchesFilterList(patterns: readonly string[], value: string): boolean {
  let selected = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (filterPatternToRegExp(body).test(value)) selected = !negated;
  }
  return selected;
}

/** A `[…]` body as a regex class: ranges and listed characters, everything else literal. */
function characterClass(body: string): string {
  let members = '';
  for (let i = 0; i < body.length; i++) {
    const char = body.charAt(i);
    if (char === '-' && i > 0 && i < body.length - 1) members += '-';
    else members += escapeClassChar(char);
  }
  return `[${members}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClassChar(char: string): string {
  return /[\\\]^[-]/.test(char) ? `\\${char}` : char;
}

/** One compiled hashFiles() pattern. */
export interface FileGlob {
  negated: boolean;
  /** Per path segment: a regex, or `**` for any number of segments. */
  segments: (RegExp | '**')[];
}

/**
 * Compiles hashFiles() patterns (already relative to the workspace): blank lines and `#` comments are
 * skipped and a leading `!` excludes, as @actions/glob does.
 */
export function compileFileGlobs(patterns: readonly string[]): FileGlob[] {
  const globs: FileGlob[] = [];
  for (const line of patterns.flatMap((pattern) => pattern.split(/\r?\n/))) {
    let text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const negated = text.startsWith('!');
    if (negated) text = text.slice(1).trim();
    text = text.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (text === '' || text === '.') text = '**';
    const segments = text
      .split('/')
      .filter((segment) => segment !== '' && segment !== '.')
      .map((segment): RegExp | '**' => (segment === '**' ? '**' : segmentRegExp(segment)));
    globs.push({ negated, segments });
  }
  return globs;
}

/**
 * Whether a workspace-relative file path is selected: each glob that matches the path, or one of its
 * parent directories, sets the result (a later pattern wins); nothing matching means not selected.
 */
export function matchesFileGlobs(globs: readonly FileGlob[], relativePath: string): boolean {
  const parts = relativePath.split('/');
  let selected = false;
  for (const glob of globs) {
    for (let length = 1; length <= parts.length; length++) {
      if (matchSegments(glob.segments, 0, parts.slice(0, length), 0)) {
        selected = !glob.negated;
        break;
      }
    }
  }
  return selected;
}

function matchSegments(pattern: readonly (RegExp | '**')[], p: number, parts: readonly string[], s: number): boolean {
  if (p === pattern.length) return s === parts.length;
  const segment = pattern[p];
  if (segment === '**') {
    for (let skip = s; skip <= parts.length; skip++) {
      if (matchSegments(pattern, p + 1, parts, skip)) return true;
    }
    return false;
  }
  return (
    s < parts.length &&
    segment !== undefined &&
    segment.test(parts[s] ?? '') &&
    matchSegments(pattern, p + 1, parts, s + 1)
  );
}

/** One path segment of a file glob: `*` and `?` within the segment, `[…]` sets, `\` escapes. */
function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment.charAt(i);
    if (char === '\\' && i + 1 < segment.length) source += escapeRegExp(segment.charAt(++i));
    else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[' && segment.indexOf(']', i + 2) > 0) {
      const end = segment.indexOf(']', i + 2);
      const body = segment.slice(i + 1, end);
      source += body.startsWith('!') ? `[^${characterClass(body.slice(1)).slice(1)}` : characterClass(body);
      i = end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 'u');
}
