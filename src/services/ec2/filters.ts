/**
 * EC2's Describe* filtering and paging. `Filter.N.Name` / `Filter.N.Value.M` arrive as
 * [{Name, Value: [...]}]. Filters combine with AND, a filter's values with OR; values may use
 * the wildcards * and ?; `tag:Key`, `tag-key` and `tag-value` work on every taggable resource.
 * An unknown filter name is InvalidParameterValue "The filter 'x' is invalid", checked before
 * anything is matched, as EC2 does. Paging tokens are opaque offsets into the filtered list.
 */
import type { InputReader } from '../../core/input-reader.js';
import { pageFromOffset } from '../../core/pagination.js';
import { ec2Errors } from './errors.js';
import type { Tag } from './model.js';

export interface Filter {
  name: string;
  values: string[];
}

/** What a filter name reads from a resource: one value or several; undefined matches nothing. */
export type FilterTable<T> = Readonly<
  Record<
    string,
    (item: T) => string | number | boolean | undefined | readonly (string | number | boolean | undefined)[]
  >
>;

/** The common Describe* input: filters, paging and DryRun. */
export interface DescribeCommon {
  filters: Filter[];
  maxResults?: number;
  nextToken?: string;
  dryRun: boolean;
}

export function readFilters(r: InputReader): Filter[] {
  return (
    r.list('Filter', (f) => ({
      name: f.string('Name') ?? '',
      values: f.stringList('Value') ?? [],
    })) ?? []
  );
}

/** Reads Filter, MaxResults (EC2's range 5–1000 unless said otherwise), NextToken and DryRun. */
export function readDescribeCommon(
  r: InputReader,
  maxRange: { min: number; max: number } = { min: 5, max: 1000 },
): DescribeCommon {
  return {
    filters: readFilters(r),
    maxResults: r.integer('MaxResults', maxRange),
    nextToken: r.string('NextToken'),
    dryRun: r.boolean('DryRun') ?? false,
  };
}

/** Keeps the items every filter matches; refuses unknown filter names first. */
export function applyFilters<T extends { tags: Tag[] }>(
  items: readonly T[],
  filters: readonly Filter[],
  table: FilterTable<T>,
): T[] {
  for (const filter of filters) {
    if (!isTagFilter(filter.name) && !Object.hasOwn(table, filter.name)) throw ec2Errors.invalidFilter(filter.name);
  }
  const matchers = filters.map((f) => ({ read: reader(f.name, table), patterns: f.values.map(globToRegExp) }));
  return items.filter((item) =>
    matchers.every(({ read, patterns }) => {
      const values = read(item);
      return values.some((v) => patterns.some((p) => p.test(v)));
    }),
  );
}

function isTagFilter(name: string): boolean {
  return name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';
}

function reader<T extends { tags: Tag[] }>(name: string, table: FilterTable<T>): (item: T) => string[] {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item) => item.tags.filter((t) => t.key === key).map((t) => t.value);
  }
  if (name === 'tag-key') return (item) => item.tags.map((t) => t.key);
  if (name === 'tag-value') return (item) => item.tags.map((t) => t.value);
  const read = table[name];
  if (!read) throw ec2Errors.invalidFilter(name);
  return (item) => {
    const raw = read(item);
    const list = Array.isArray(raw) ? raw : [raw];
    return list.filter((v): v is string | number | boolean => v !== undefined).map(String);
  };
}

/** EC2's filter wildcards: * any run, ? one character; everything else literal. */
function globToRegExp(value: string): RegExp {
  const body = value
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

/** Pages a filtered list; nextToken only when more items follow. */
export function paginate<T>(
  items: readonly T[],
  common: Pick<DescribeCommon, 'maxResults' | 'nextToken'>,
): { items: T[]; nextToken?: string } {
  return pageFromOffset(items, { limit: common.maxResults, token: common.nextToken }, () =>
    ec2Errors.invalidNextToken(),
  );
}

/** Throws EC2's DryRunOperation once the caller has been authorized. */
export function checkDryRun(dryRun: boolean | undefined): void {
  if (dryRun) throw ec2Errors.dryRun();
}
