/**
 * What the hooks tell the cloud about a push, shared by the push-hook endpoint (post-receive's
 * report) and the push journal (the reference-transaction hook's entries): the `old new ref`
 * lines, the percent-encoded pusher, and the push's id.
 */
import { randomBytes } from 'node:crypto';
import type { PushEvent } from './contract.js';

const PUSH_ID = /^\d{13}-[0-9a-f]{16}$/;

/**
 * A fresh push id, made by the HTTP handler for each receive-pack request: the time in ms (so
 * journal entries sort in push order) and 64 random bits.
 */
export function newPushId(now: number = Date.now()): string {
  return `${String(now).padStart(13, '0')}-${randomBytes(8).toString('hex')}`;
}

export function isPushId(value: string): boolean {
  return PUSH_ID.test(value);
}

/** The `old new ref` lines of a post-receive hook or a journal entry; anything else (`HEAD`, malformed lines) is skipped. */
export function parsePushLines(body: string, repository: string, pusher: string, pushId?: string): PushEvent[] {
  const events: PushEvent[] = [];
  for (const line of body.split('\n')) {
    const match = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/\S+)$/.exec(line.trim());
    if (match === null) continue;
    const [, before, after, ref] = match;
    if (before === undefined || after === undefined || ref === undefined) continue;
    events.push({ repository, ref, before, after, pusher, ...(pushId === undefined ? {} : { pushId }) });
  }
  return events;
}

/** The pusher as the hook sends it (percent-encoded); `unknown` when absent. */
export function decodePusher(encoded: string | string[] | undefined): string {
  const value = Array.isArray(encoded) ? encoded[0] : encoded;
  if (value === undefined || value === '') return 'unknown';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
