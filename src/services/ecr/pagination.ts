/**
 * nextToken/maxResults paging as ECR's lists do it: a page of at most maxResults, and an
 * opaque nextToken only when more items follow. The token names the last item's key, so a
 * page boundary survives items being added or removed between calls.
 */
import { ecrErrors } from './errors.js';
import type { Paging } from './input-rules.js';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Pages `items`, which must be sorted ascending by the unique `keyOf`. */
export function paginate<T>(items: readonly T[], paging: Paging, keyOf: (item: T) => string, defaultMax = 100): Page<T> {
  const limit = paging.maxResults ?? defaultMax;
  let start = 0;
  if (paging.nextToken !== undefined) {
    const after = decodeToken(paging.nextToken);
    start = items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  return start + limit < items.length && last !== undefined ? { items: page, nextToken: encodeToken(keyOf(last)) } : { items: page };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through: not one of our tokens
  }
  throw ecrErrors.invalidParameter('nextToken', 'Invalid NextToken');
}
