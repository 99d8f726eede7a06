/**
 * spliceSockets: joins two TCP sockets into one connection, the core of both proxies.
 *
 * - Bytes flow both ways through `pipe`, so a slow reader pauses the fast writer (backpressure)
 *   instead of buffering without bound.
 * - Half-close is passed on: both sockets must be created with `allowHalfOpen: true`; when one
 *   peer sends FIN, the other gets FIN and may keep answering (an HTTP/1.0 client that shuts
 *   down its write side still receives the response).
 * - An error on either side resets the other (RST, not FIN), so a failure is not mistaken for
 *   a complete response. Errors are always handled: nothing here can crash the process.
 * - When one side closes after a clean FIN, the other finishes its pending writes and is then
 *   closed; when one side is aborted (error or reset before FIN), the other is reset too.
 */
import type { Socket } from 'node:net';

/** Closes `socket` with RST, abruptly; a no-op when already destroyed. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy throws on a socket that is not connected yet, and on Node 20, after end()
  // it fails with EINVAL and leaks the handle (the process never exits); a plain destroy then
  // (the peer sees the FIN already queued, then the socket go away).
  if (socket.connecting || socket.pending || socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}

/** Joins `a` and `b`; `onClosed` runs once both are closed. */
export function spliceSockets(a: Socket, b: Socket, onClosed: () => void = () => {}): void {
  a.setNoDelay(true);
  b.setNoDelay(true);
  let open = 2;
  const wire = (from: Socket, to: Socket): void => {
    from.pipe(to);
    from.on('error', () => resetSocket(to));
    from.once('close', (hadError: boolean) => {
      // Closed without its peer's FIN: an abort (error or our own reset); pass it on as one.
      if (hadError || !from.readableEnded) resetSocket(to);
      // `to` can no longer deliver what it reads; let it flush what it writes, then close.
      else if (!to.destroyed) to.end(() => to.destroy());
      if (--open === 0) onClosed();
    });
  };
  wire(a, b);
  wire(b, a);
}
