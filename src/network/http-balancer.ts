/**
 * HttpBalancer: the endpoint's HTTP mode, a reverse proxy that balances per request, as ALB does.
 *
 * Sniffed HTTP connections are handed to an http.Server that never listens, so Node's own parser
 * reads the requests, keep-alive and pipelining included. The client's connection belongs to the
 * endpoint, not to a task: each request goes to the next active target round-robin, over that
 * target's keep-alive Agent, so a draining task stops receiving requests at once and no client
 * has to close anything for a drain to finish.
 *
 * One request:
 * 1. its headers are rewritten (forwarded-headers.ts) and it counts against the chosen target;
 * 2. it is sent; a body is streamed only once the connection to the target is up, so a target
 *    that refuses it has consumed nothing;
 * 3. the target refuses or resets before answering and no body byte has gone out: the next
 *    target is tried (a pooled connection the target had just closed does not count as its
 *    try); none left: 502. Any other failure before the response: 502;
 * 4. the response streams back with its status line and headers; a target that dies
 *    mid-response resets the client's connection (as ALB does), so a cut body is never taken
 *    for a whole one;
 * 5. it stops counting when its response is done or its client is gone.
 * Upgrade and CONNECT requests become tunnels (http-tunnel.ts).
 */
import {
  createServer,
  request,
  type ClientRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';
import {
  MAX_RESPONSE_HEADER_BYTES,
  forwardedRequest,
  forwardedResponseHeaders,
  type Listener,
} from './forwarded-headers.js';
import { isRefusal, rawGatewayError, sendGatewayError } from './gateway-errors.js';
import { openTunnel } from './http-tunnel.js';
import { resetSocket } from './splice.js';
import type { Target, TargetPool } from './target-pool.js';

/** ALB's default idle timeout: how long a client's keep-alive connection may wait for its next request. */
const CLIENT_IDLE_TIMEOUT_MS = 60_000;
/** ALB's limit for a request's headers. */
const MAX_REQUEST_HEADER_BYTES = 64 * 1024;

export class HttpBalancer {
  private readonly server: Server;
  private readonly listener: Listener;
  /** Connections answered 400: Node's parser reports each further chunk they send as another error. */
  private readonly rejected = new WeakSet<Duplex>();

  constructor(
    private readonly pool: TargetPool,
    port: number,
    private readonly logger: Logger,
  ) {
    this.listener = { port: String(port), host: `127.0.0.1:${port}` };
    this.server = createServer(
      { keepAliveTimeout: CLIENT_IDLE_TIMEOUT_MS, maxHeaderSize: MAX_REQUEST_HEADER_BYTES },
      (req, res) => this.forward(req, res),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      this.answerClientError(error, socket),
    );
    // Only serve() hands this server connections, and they are net.Sockets.
    const tunnel = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
      openTunnel({ pool, logger, listener: this.listener }, req, socket as Socket, head);
    this.server.on('upgrade', tunnel);
    this.server.on('connect', tunnel);
  }

  /** Serves a connection sniffed as HTTP; `head`: the bytes already read from it. */
  serve(socket: Socket, head: Buffer): void {
    socket.unshift(head);
    this.server.emit('connection', socket);
    socket.resume();
  }

  /**
   * A request Node's parser rejects (malformed, headers too large) gets ALB's 400, also where
   * Node's default would say 431; as in Node's default, nothing is written into a response
   * already under way (`_httpMessage`: the response the connection is sending). The connection
   * is then closed gracefully: what the client still sends is read and dropped, since closing
   * with unread bytes would reset the connection and could destroy the 400 before it is read.
   */
  private answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    if (this.rejected.has(socket)) return;
    const sending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || sending?.headersSent) {
      socket.destroy();
      return;
    }
    this.rejected.add(socket);
    socket.end(rawGatewayError(400));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const client = req.socket;
    const { headers, hasBody } = forwardedRequest(req.rawHeaders, client.remoteAddress ?? '', this.listener, false);
    let target: Target | undefined;
    let upstream: ClientRequest | undefined;
    let tried: Set<string> | undefined;
    let bodySent = false;
    const attempt = (): void => {
      const chosen = this.pool.pick(tried);
      if (!chosen) return sendGatewayError(res, tried ? 502 : 503);
      target = chosen;
      this.pool.acquire(chosen, req);
      const outgoing = request({
        host: chosen.address,
        port: chosen.port,
        method: req.method,
        path: req.url,
        headers,
        agent: chosen.agent,
        maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      });
      upstream = outgoing;
      outgoing.on('response', (response) => relay(response, res, client));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) return resetSocket(client); // died mid-response
        this.pool.release(chosen, req);
        target = undefined;
        if (client.destroyed) return;
        const refused = isRefusal(error);
        this.logger.warn('endpoint: target failed a request', {
          taskArn: chosen.taskArn,
          error: String(error),
          retry: refused && !bodySent,
        });
        if (!refused || bodySent) return sendGatewayError(res, 502);
        if (!outgoing.reusedSocket) (tried ??= new Set()).add(chosen.taskArn);
        attempt();
      });
      if (!hasBody) outgoing.end();
      else {
        outgoing.once('socket', (socket) => {
          const send = (): void => {
            bodySent = true;
            req.pipe(outgoing);
          };
          if (socket.connecting) socket.once('connect', send);
          else send();
        });
      }
    };
    res.once('close', () => {
      // Unfinished either way (the client went away, or the target answered without reading the
      // whole body): the connection to the target cannot be reused.
      if (upstream && !(res.writableFinished && upstream.writableFinished)) upstream.destroy();
      if (target) this.pool.release(target, req);
    });
    attempt();
  }
}

/** Streams a target's response to the client; a response cut short resets the client's connection. */
function relay(response: IncomingMessage, res: ServerResponse, client: Socket): void {
  res.writeHead(
    response.statusCode ?? 502,
    response.statusMessage ?? '',
    forwardedResponseHeaders(response.rawHeaders),
  );
  response.pipe(res);
  response.once('close', () => {
    if (!response.complete) resetSocket(client);
  });
}
