/**
 * Tag patterns with `*` wildcards, as ECR uses them in lifecycle rules (tagPatternList) and
 * tag-mutability exclusion filters: `*` matches any run of characters (none included), every
 * other character matches itself, case-sensitively, over the whole tag.
 */

const cache = new Map<string, RegExp>();

/** True when `tag` matches `pattern` as a whole. */
export function matchesWildcard(pattern: string, tag: string): boolean {
  let regex = cache.get(pattern);
  if (!regex) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`, 's');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex.test(tag);
}

/** How many `*` a pattern holds. */
export function wildcardCount(pattern: string): number {
  return pattern.split('*').length - 1;
}
