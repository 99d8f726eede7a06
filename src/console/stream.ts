/**
 * A page's stream (Server-Sent Events): the view's JSON as a `snapshot` event at once, then a
 * new `snapshot` whenever a change that concerns the view has altered it, at most every
 * SNAPSHOT_INTERVAL_MS (changes in between are coalesced; an unchanged view is not resent),
 * and the view's extra events (log lines) as they come. A comment every HEARTBEAT_MS keeps
 * proxies and the browser from timing out. A client that stops reading is cut off once
 * MAX_BUFFERED bytes wait for it; EventSource reconnects and starts from a fresh snapshot.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, ClockTimer } from '../core/clock.js';
import type { ChangeHub } from './changes.js';
import { ConsoleHttpError, SECURITY_HEADERS } from './http.js';
import type { LiveView, SendEvent } from './live-views.js';

export const SNAPSHOT_INTERVAL_MS = 250;
const HEARTBEAT_MS = 25_000;
/** Bytes queued for a slow reader before its stream is closed. */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** EventSource's reconnection delay after a drop. */
const RETRY_MS = 2000;

export async function serveStream(
  req: IncomingMessage,
  res: ServerResponse,
  view: LiveView,
  hub: ChangeHub,
  clock: Clock,
): Promise<void> {
  let last = JSON.stringify(view.snapshot() ?? null);
  if (last === 'null') throw new ConsoleHttpError(404, 'Nothing by that name (it may have been deleted)');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  let closed = false;
  let finish = () => {};
  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED) finish();
  };
  const send: SendEvent = (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  write(`retry: ${RETRY_MS}\nevent: snapshot\ndata: ${last}\n\n`);

  let lastSentAt = clock.now().getTime();
  let timer: ClockTimer | undefined;
  const flush = () => {
    timer = undefined;
    if (closed) return;
    lastSentAt = clock.now().getTime();
    const next = JSON.stringify(view.snapshot() ?? null);
    if (next === last) return;
    last = next;
    write(`event: snapshot\ndata: ${next}\n\n`);
  };
  const schedule = () => {
    if (timer !== undefined || closed) return;
    const wait = Math.max(0, lastSentAt + SNAPSHOT_INTERVAL_MS - clock.now().getTime());
    timer = clock.setTimeout(flush, wait);
  };
  // Subscribed and started in one turn: the extra feed's stored part and its live part meet exactly.
  const unsubscribe = hub.subscribe((change) => {
    if (view.relevant(change)) schedule();
    view.extra?.onChange(change, send);
  });
  view.extra?.start(send);
  const heartbeat = clock.setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((resolve) => {
    finish = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clock.clearTimer(timer);
      clock.clearTimer(heartbeat);
      res.end();
      resolve();
    };
    // The response's close is the connection's (the request's fires once its body is read).
    res.on('close', finish);
    res.on('error', finish);
    // A client gone before the listeners were attached.
    if (res.destroyed || req.socket.destroyed) finish();
  });
}
