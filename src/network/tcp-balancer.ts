/**
 * The endpoint's TCP mode, for connections that do not open with an HTTP/1.x request line (see
 * protocol-sniff.ts), as an NLB would carry them: each connection is spliced to the next active
 * target round-robin and stays with it until either side closes; a target that refuses is
 * skipped; with none left the connection is reset, the one failure a proxy that does not know
 * the protocol can express.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../core/logger.js';
import { resetSocket, spliceSockets } from './splice.js';
import type { TargetPool } from './target-pool.js';

/** Connects `client` to the next active target not yet tried; `head`: the bytes sniffed from it. */
export function balanceTcp(
  client: Socket,
  head: Buffer,
  pool: TargetPool,
  logger: Logger,
  tried = new Set<string>(),
): void {
  if (client.destroyed) return;
  const target = pool.pick(tried);
  if (!target) {
    resetSocket(client);
    return;
  }
  tried.add(target.taskArn);
  // Counted from the moment it is chosen, not once connected: a drain that starts while the
  // connection is still being set up must wait for it, or the task stops under it.
  pool.acquire(target, client);
  const upstream = connect({ host: target.address, port: target.port, allowHalfOpen: true });
  const refused = (error: Error): void => {
    logger.warn('endpoint: target refused, trying the next', { taskArn: target.taskArn, error: String(error) });
    pool.release(target, client);
    balanceTcp(client, head, pool, logger, tried);
  };
  upstream.once('error', refused);
  upstream.once('connect', () => {
    upstream.off('error', refused);
    upstream.on('error', () => undefined);
    if (client.destroyed) {
      upstream.destroy();
      pool.release(target, client);
      return;
    }
    if (head.length > 0) upstream.write(head);
    spliceSockets(client, upstream, () => pool.release(target, client));
  });
}
