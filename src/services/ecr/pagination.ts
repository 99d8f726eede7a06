/**
 * nextToken/maxResults paging as ECR's lists do it: a page of at most maxResults, and an
 * opaque nextToken only when more items follow. The token names the last item's key
 * (core/pagination.ts), so a page boundary survives items being added or removed between calls.
 */
import { pageAfterKey, type Page } from '../../core/pagination.js';
import { ecrErrors } from './errors.js';
import type { Paging } from './input-rules.js';

/** Pages `items`, which must be sorted ascending by the unique `keyOf`. */
export function paginate<T>(
  items: readonly T[],
  paging: Paging,
  keyOf: (item: T) => string,
  defaultMax = 100,
): Page<T> {
  return pageAfterKey(items, { limit: paging.maxResults ?? defaultMax, token: paging.nextToken }, keyOf, () =>
    ecrErrors.invalidParameter('nextToken', 'Invalid NextToken'),
  );
}
