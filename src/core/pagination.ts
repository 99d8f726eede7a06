/**
 * Paging for every list the services serve: one encoding of the opaque token (base64url of a
 * small JSON object) and two ways to resume. `pageAfterKey` resumes after the last item's key,
 * so a page boundary survives items being added or removed between calls (lists sorted by a
 * unique key); `pageFromOffset` resumes at a position (lists in a stable order without one).
 * Each service keeps its own wire members (IAM's Marker/IsTruncated, everyone else's
 * nextToken) and its own error for a token it did not issue, passed in as `invalid`.
 */

/** What a token carries: the last key returned, or the position of the next item. */
type TokenBody = { after: string } | { offset: number };

/** AWS's tokens are bounded; ours are far shorter than this, so longer ones are not ours. */
const MAX_TOKEN_LENGTH = 2048;

export interface PageRequest {
  /** Items per page; every item when undefined. */
  limit: number | undefined;
  /** The token from the previous page, if any. */
  token: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Present only when more items follow. */
  nextToken?: string;
}

export function encodePageToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a token this module issued; anything else is `invalid()`. */
export function decodePageToken(token: string, invalid: () => Error): TokenBody {
  if (token.length <= MAX_TOKEN_LENGTH) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) {
        if ('after' in parsed && typeof parsed.after === 'string') return { after: parsed.after };
        if (
          'offset' in parsed &&
          typeof parsed.offset === 'number' &&
          Number.isSafeInteger(parsed.offset) &&
          parsed.offset >= 0
        ) {
          return { offset: parsed.offset };
        }
      }
    } catch {
      // fall through: not one of our tokens
    }
  }
  throw invalid();
}

/**
 * Pages `items`, sorted ascending by the unique `keyOf` under `compare` (code-point order by
 * default). The token names the key of the page's last item.
 */
export function pageAfterKey<T>(
  items: readonly T[],
  request: PageRequest,
  keyOf: (item: T, index: number) => string,
  invalid: () => Error,
  compare: (a: string, b: string) => number = (a, b) => (a === b ? 0 : a < b ? -1 : 1),
): Page<T> {
  let start = 0;
  if (request.token !== undefined) {
    const body = decodePageToken(request.token, invalid);
    if (!('after' in body)) throw invalid();
    start = items.findIndex((item, index) => compare(keyOf(item, index), body.after) > 0);
    if (start < 0) start = items.length;
  }
  const end = request.limit === undefined ? items.length : start + request.limit;
  const page = items.slice(start, end);
  const last = page[page.length - 1];
  return end < items.length && last !== undefined
    ? { items: page, nextToken: encodePageToken({ after: keyOf(last, start + page.length - 1) }) }
    : { items: page };
}

/** Pages `items` in their given (stable) order; the token holds the next item's position. */
export function pageFromOffset<T>(items: readonly T[], request: PageRequest, invalid: () => Error): Page<T> {
  let start = 0;
  if (request.token !== undefined) {
    const body = decodePageToken(request.token, invalid);
    if (!('offset' in body)) throw invalid();
    start = body.offset;
  }
  const end = request.limit === undefined ? items.length : start + request.limit;
  const page = items.slice(start, end);
  return end < items.length ? { items: page, nextToken: encodePageToken({ offset: end }) } : { items: page };
}
