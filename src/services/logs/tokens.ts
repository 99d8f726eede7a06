/**
 * Paging tokens. GetLogEvents' tokens look like Logs' own: `f/<digits>` reads forward from a
 * position, `b/<digits>` backward; the digits are the position's timestamp and event id.
 * At either end of a stream the same token comes back, which is how clients know they have
 * read everything. FilterLogEvents and the Describe* lists use opaque tokens.
 */
import { decodePageToken, encodePageToken, pageFromOffset } from '../../core/pagination.js';
import { logsErrors } from './errors.js';
import type { EventCursor } from './store.js';

const TS_DIGITS = 16;
const ID_DIGITS = 20;

export function eventToken(direction: 'f' | 'b', cursor: EventCursor): string {
  const ts = String(Math.max(0, cursor.timestamp)).padStart(TS_DIGITS, '0');
  return `${direction}/${ts}${String(Math.max(0, cursor.id)).padStart(ID_DIGITS, '0')}`;
}

export function parseEventToken(token: string): { direction: 'forward' | 'backward'; cursor: EventCursor } {
  const match = /^([fb])\/(\d{16})(\d{20})$/.exec(token);
  if (!match) throw logsErrors.invalidToken();
  return {
    direction: match[1] === 'f' ? 'forward' : 'backward',
    cursor: { timestamp: Number(match[2]), id: Number(match[3]) },
  };
}

/** An opaque token over a cursor, for FilterLogEvents. */
export function cursorToken(cursor: EventCursor): string {
  return encodePageToken({ after: `${cursor.timestamp}:${cursor.id}` });
}

export function parseCursorToken(token: string): EventCursor {
  const body = decodePageToken(token, () => logsErrors.invalidToken());
  const match = 'after' in body ? /^(-?\d+):(\d+)$/.exec(body.after) : null;
  if (!match) throw logsErrors.invalidToken();
  return { timestamp: Number(match[1]), id: Number(match[2]) };
}

/** Offset paging for DescribeLogGroups/DescribeLogStreams. */
export function pageByOffset<T>(
  items: readonly T[],
  limit: number,
  token: string | undefined,
): { items: T[]; nextToken?: string } {
  return pageFromOffset(items, { limit, token }, () => logsErrors.invalidToken());
}
