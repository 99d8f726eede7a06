/**
 * .dockerignore as Docker reads it (moby/patternmatcher): one pattern a line, `#` comments,
 * blank lines skipped, each pattern cleaned like a path with its leading `/` dropped, `!`
 * re-includes, `**` spans directories, `*` and `?` stay within one path component, and a path
 * is excluded when the last pattern that matches it or one of its parent directories is not
 * negated.
 */

interface Pattern {
  regex: RegExp;
  negated: boolean;
  /** The cleaned pattern text (for deciding whether a directory can be skipped). */
  text: string;
}

/** The most patterns read from one file: a bigger file is a mistake. */
const MAX_PATTERNS = 10_000;

/** Go's filepath.Clean for relative slash paths. */
export function cleanPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
    } else out.push(part);
  }
  return out.join('/') || '.';
}

function toRegex(pattern: string): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        // `**/` matches zero or more directories; a trailing `**` matches everything below.
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      out += escapeRegex(pattern[i] ?? '');
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += escapeRegex(c);
  }
  return new RegExp(`${out}$`);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Reads a .dockerignore file's text into a matcher. */
export class IgnoreMatcher {
  private readonly patterns: Pattern[] = [];

  constructor(text: string) {
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (this.patterns.length >= MAX_PATTERNS) throw new Error(`.dockerignore: more than ${MAX_PATTERNS} patterns`);
      const negated = line.startsWith('!');
      let body = negated ? line.slice(1).trim() : line;
      body = cleanPath(body.replace(/^\/+/, ''));
      if (body === '.' && !negated) body = '**';
      this.patterns.push({ regex: toRegex(body), negated, text: body });
    }
  }

  /** True when the file or directory at the context-relative `path` is excluded. */
  excludes(path: string): boolean {
    const parts = path.split('/');
    let excluded = false;
    for (const pattern of this.patterns) {
      // A pattern matching the path or one of its parents decides, last match wins.
      let matched = false;
      for (let n = parts.length; n >= 1 && !matched; n--) matched = pattern.regex.test(parts.slice(0, n).join('/'));
      if (matched) excluded = !pattern.negated;
    }
    return excluded;
  }

  /** True when some `!` pattern may re-include a path below the excluded directory `dir`. */
  mayIncludeBelow(dir: string): boolean {
    return this.patterns.some(
      (p) =>
        p.negated &&
        (p.text.startsWith(`${dir}/`) || p.text.includes('*') || p.text.includes('?') || p.text.includes('[')),
    );
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }
}
