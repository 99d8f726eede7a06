/**
 * NextToken paging for lists a service sorts in memory. Tokens are opaque to clients
 * (base64url JSON): `pageByKey` names the last item's unique key, so a page boundary survives
 * items being added or removed between calls; `pageByOffset` counts items, for lists whose
 * order the caller picks (by date, say) and whose keys do not sort. A token the service did
 * not issue is refused with the service's own error.
 */
import type { AwsError } from '../protocols/errors.js';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Pages `items`, sorted ascending by the unique `keyOf`, after the key in `token`. */
export function pageByKey<T>(items: readonly T[], limit: number, token: string | undefined, keyOf: (item: T) => string, badToken: () => AwsError): Page<T> {
  let start = 0;
  if (token !== undefined) {
    const after = decode(token, 'after', badToken);
    if (typeof after !== 'string') throw badToken();
    start = items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  return start + limit < items.length && last !== undefined ? { items: page, nextToken: encode({ after: keyOf(last) }) } : { items: page };
}

/** Pages `items` from the offset in `token`. */
export function pageByOffset<T>(items: readonly T[], limit: number, token: string | undefined, badToken: () => AwsError): Page<T> {
  let start = 0;
  if (token !== undefined) {
    const offset = decode(token, 'offset', badToken);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw badToken();
    start = offset;
  }
  const end = start + limit;
  const page = items.slice(start, end);
  return end < items.length ? { items: page, nextToken: encode({ offset: end }) } : { items: page };
}

function encode(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(token: string, member: string, badToken: () => AwsError): unknown {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && member in parsed) return (parsed as Record<string, unknown>)[member];
  } catch {
    // not one of our tokens
  }
  throw badToken();
}
