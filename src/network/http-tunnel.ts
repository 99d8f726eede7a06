/**
 * Tunnels in the endpoint's HTTP mode: Upgrade requests (WebSocket) and CONNECT. The request is
 * routed like any other (next active target, refused targets skipped, 503 and 502 as ALB), then
 * the connection is pinned: once the target switches protocols (101, or any answer to CONNECT)
 * the client's socket and the target's are spliced raw, and the connection counts against that
 * target until either side closes it, so a drain waits for it as for a TCP-mode connection.
 * A target that answers an Upgrade without switching has its response relayed, then the
 * connection is closed (Node's parser has let go of it).
 */
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Logger } from '../core/logger.js';
import {
  MAX_RESPONSE_HEADER_BYTES,
  forwardedRequest,
  forwardedResponseHeaders,
  type Listener,
} from './forwarded-headers.js';
import { isRefusal, rawGatewayError } from './gateway-errors.js';
import { resetSocket, spliceSockets } from './splice.js';
import type { TargetPool } from './target-pool.js';

export interface TunnelContext {
  pool: TargetPool;
  logger: Logger;
  listener: Listener;
}

/** Routes an Upgrade or CONNECT request from `client`; `head`: bytes the client sent after it. */
export function openTunnel(
  { pool, logger, listener }: TunnelContext,
  req: IncomingMessage,
  client: Socket,
  head: Buffer,
): void {
  const { headers } = forwardedRequest(req.rawHeaders, client.remoteAddress ?? '', listener, true);
  const tried = new Set<string>();
  const attempt = (): void => {
    if (client.destroyed) return;
    const target = pool.pick(tried);
    if (!target) {
      client.end(rawGatewayError(tried.size > 0 ? 502 : 503));
      return;
    }
    tried.add(target.taskArn);
    pool.acquire(target, client);
    const release = (): void => pool.release(target, client);
    const upstream = request({
      method: req.method,
      path: req.url,
      headers,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      // A connection of its own (never pooled), half-open like every spliced socket.
      createConnection: () => connect({ host: target.address, port: target.port, allowHalfOpen: true, noDelay: true }),
    });
    let answered = false;
    const abandon = (): void => {
      upstream.destroy();
      release();
    };
    client.once('close', abandon);
    const switched = (response: IncomingMessage, socket: Socket, upstreamHead: Buffer): void => {
      answered = true;
      client.off('close', abandon);
      client.write(messageHead(response, response.rawHeaders));
      if (upstreamHead.length > 0) client.write(upstreamHead);
      if (head.length > 0) socket.write(head);
      spliceSockets(client, socket, release);
    };
    upstream.once('upgrade', switched);
    upstream.once('connect', switched);
    upstream.once('response', (response) => {
      answered = true;
      client.once('finish', release);
      client.write(messageHead(response, forwardedResponseHeaders(response.rawHeaders).concat('Connection', 'close')));
      response.pipe(client);
      response.once('close', () => {
        if (!response.complete) resetSocket(client);
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return; // the splice or the relay has the connection now
      client.off('close', abandon);
      release();
      if (client.destroyed) return;
      const refused = isRefusal(error);
      logger.warn('endpoint: target failed a tunnel request', {
        taskArn: target.taskArn,
        error: String(error),
        retry: refused,
      });
      if (refused) attempt();
      else client.end(rawGatewayError(502));
    });
    upstream.end();
  };
  attempt();
}

/** A response's status line and headers, as they go on the wire. */
function messageHead(response: IncomingMessage, headers: readonly string[]): string {
  let head = `HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}
