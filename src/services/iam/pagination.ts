/**
 * Marker/MaxItems paging as IAM lists do it: a page of at most MaxItems (default 100),
 * IsTruncated always present, and an opaque Marker only when more items follow. The marker
 * names the last item returned (core/pagination.ts); for lists sorted by name that boundary survives items being
 * added or removed between calls. Lists in another order (tags, versions) page by position.
 */
import { pageAfterKey } from '../../core/pagination.js';
import { iamErrors } from './errors.js';
import { DEFAULT_MAX_ITEMS, type Paging, type PathListing } from './input-rules.js';

/** One page of a list, with IAM's paging members. */
export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  marker?: string;
}

/** A key by position, for lists that are not sorted by name. */
export const byPosition = (_item: unknown, index: number): string => String(index).padStart(10, '0');

/**
 * Pages `items`, which must be sorted by `keyOf` (ascending by compareKeys, unique). The
 * marker encodes the key of the page's last item.
 */
export function paginate<T>(
  items: readonly T[],
  paging: Paging,
  keyOf: (item: T, index: number) => string = byPosition,
): Page<T> {
  const page = pageAfterKey(
    items,
    { limit: paging.maxItems ?? DEFAULT_MAX_ITEMS, token: paging.marker },
    keyOf,
    () => iamErrors.invalidMarker(),
    compareKeys,
  );
  return page.nextToken === undefined
    ? { items: page.items, isTruncated: false }
    : { items: page.items, isTruncated: true, marker: page.nextToken };
}

/** The entities under the listing's path prefix, by name (case-insensitively), one page of them. */
export function pageByName<T extends { path: string }>(
  items: readonly T[],
  listing: PathListing,
  nameOf: (item: T) => string,
): Page<T> {
  const sorted = items
    .filter((item) => item.path.startsWith(listing.pathPrefix))
    .sort((a, b) => compareKeys(nameOf(a), nameOf(b)));
  return paginate(sorted, listing, nameOf);
}

/** The order IAM lists names in: case-insensitive, ties broken by code points. */
export function compareKeys(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}
