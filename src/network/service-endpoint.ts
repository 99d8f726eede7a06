/**
 * ServiceEndpoint: a service's stable address, the local stand-in for a load balancer's DNS
 * name. One listener on 127.0.0.1:<port> (the port is allocated once per service and persisted,
 * so the URL survives restarts) spreads traffic round-robin over the targets the runtime
 * registers: the service's RUNNING, healthy tasks. Each new connection's first bytes decide how
 * (protocol-sniff.ts): an HTTP client is served as ALB would serve it, anything else as NLB would.
 *
 * Behaviour, as a client sees it:
 * - HTTP/1.x (http-balancer.ts): balancing is per request, keep-alive connections included; the
 *   client's connection is to the endpoint, not to a task, and stays open (60 s idle, ALB's
 *   default) whatever happens to tasks. Targets see the client's Host and X-Forwarded-For,
 *   -Proto and -Port. ALB's answers: no target, `503 Service Temporarily Unavailable`; a target
 *   that refuses or resets a request before answering is skipped (if no body byte went out
 *   yet), and when every target does, `502 Bad Gateway`; a malformed request, or headers past
 *   64 KiB, `400 Bad Request`. A target that dies mid-response resets the client's connection.
 *   A client that closes its sending side has gone away as far as HTTP mode can tell: its
 *   requests in flight are cancelled (nginx does the same); only TCP mode passes a half-close on.
 * - WebSocket (any Upgrade) and CONNECT requests are pinned to one target, then spliced raw
 *   (http-tunnel.ts).
 * - Anything else (tcp-balancer.ts): balancing is per TCP connection, which stays with its task
 *   until either side closes it. No target (or every target refuses): the connection is reset
 *   (curl: "Connection reset by peer", exit 56; Node: ECONNRESET). A client that waits for the
 *   server to speak first (SMTP, MySQL) is connected after the sniff window, 200 ms by default;
 *   so is an HTTP client that opens a connection and stays silent past it (a browser's
 *   preconnect), which then keeps that connection on one task like any TCP client.
 * - Draining (`drain(taskArn)`, ELB's deregistration): the task gets no new requests or
 *   connections at once; requests in flight on it complete and its idle pooled connections
 *   close; `drain` resolves as soon as it has no request in flight and no TCP-mode or tunnelled
 *   connection, or when the deregistration delay ends, resetting whatever is still open then.
 *   The runtime stops the container only after `drain` resolves, so a rolling deployment loses
 *   no HTTP request, keep-alive clients included, and no connection that ends within the delay.
 * - A target that vanishes costs only what it was serving: a request it had not started to
 *   answer goes to the next target; a response it was sending, a tunnel or a TCP-mode
 *   connection to it is reset.
 *
 * Gaps: no HTTPS listener (TLS passes through in TCP mode, as with an NLB), HTTP/2 only as TCP,
 * no idle timeout towards targets (ALB answers 504 after 60 s), trailers are not forwarded.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { silentLogger, type Logger } from '../core/logger.js';
import type { EndpointPortPool } from './endpoint-ports.js';
import { HttpBalancer } from './http-balancer.js';
import { DEFAULT_SNIFF_WINDOW_MS, sniffProtocol } from './protocol-sniff.js';
import { resetSocket } from './splice.js';
import { TargetPool, type DrainResult, type EndpointTarget, type TargetStatus } from './target-pool.js';
import { balanceTcp } from './tcp-balancer.js';

export type { DrainResult, EndpointTarget, TargetStatus } from './target-pool.js';
export { DEFAULT_SNIFF_WINDOW_MS } from './protocol-sniff.js';

export interface ServiceEndpointOptions {
  /** Identifies the service across restarts (its ARN). */
  serviceKey: string;
  ports: EndpointPortPool;
  /** Upper bound for draining a target; ELB's default is 300 s, ours is short for local work. */
  deregistrationDelayMs?: number;
  /** How long a new connection may stay silent before it is served as TCP; DEFAULT_SNIFF_WINDOW_MS. */
  sniffWindowMs?: number;
  logger?: Logger;
}

/** The default deregistration delay. */
export const DEFAULT_DEREGISTRATION_DELAY_MS = 5_000;
const HOST = '127.0.0.1';
/** Persisted ports found busy before giving up on binding. */
const MAX_BIND_ATTEMPTS = 20;

/** One service's stable, load-balancing listener. */
export class ServiceEndpoint {
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly pool: TargetPool;
  /** Every accepted client socket, in whichever mode. */
  private readonly clients = new Set<Socket>();
  private readonly logger: Logger;
  private readonly sniffWindowMs: number;

  constructor(private readonly options: ServiceEndpointOptions) {
    this.logger = options.logger ?? silentLogger;
    this.sniffWindowMs = options.sniffWindowMs ?? DEFAULT_SNIFF_WINDOW_MS;
    this.pool = new TargetPool(options.deregistrationDelayMs ?? DEFAULT_DEREGISTRATION_DELAY_MS);
  }

  /** Binds the service's persisted port (allocating one the first time); resolves to the port. */
  async start(): Promise<number> {
    if (this.boundPort !== undefined) return this.boundPort;
    const busy = new Set<number>();
    for (let attempt = 0; attempt < MAX_BIND_ATTEMPTS; attempt++) {
      const port = this.options.ports.allocate(this.options.serviceKey, busy);
      const http = new HttpBalancer(this.pool, port, this.logger);
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) =>
        this.accept(socket, http),
      );
      try {
        server.listen(port, HOST);
        await once(server, 'listening');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        this.logger.warn('endpoint: port in use, moving the service to another port', {
          service: this.options.serviceKey,
          port,
        });
        busy.add(port);
        continue;
      }
      server.on('error', (error) =>
        this.logger.error('endpoint: listener error', { service: this.options.serviceKey, error: String(error) }),
      );
      this.server = server;
      this.boundPort = port;
      return port;
    }
    throw new Error(`endpoint for ${this.options.serviceKey}: no bindable port after ${MAX_BIND_ATTEMPTS} attempts`);
  }

  /** The bound port (after `start`). */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** `http://127.0.0.1:<port>` (after `start`), what `dockyard endpoint` prints. */
  get url(): string | undefined {
    return this.boundPort === undefined ? undefined : `http://${HOST}:${this.boundPort}`;
  }

  /**
   * Sets the tasks that receive new requests and connections: the service's RUNNING, healthy
   * tasks. Tasks left out stop receiving new ones but finish what they have; drained tasks are
   * ignored if listed again.
   */
  setTargets(targets: readonly EndpointTarget[]): void {
    this.pool.set(targets);
  }

  /** Every target known, with its state and what it is serving. */
  targets(): TargetStatus[] {
    return this.pool.statuses();
  }

  /**
   * Stops routing to the task, waits for its in-flight requests and open connections to end (at
   * most the deregistration delay, then resets them) and resolves. Idempotent; resolves at once
   * for an unknown task.
   */
  drain(taskArn: string): Promise<DrainResult> {
    return this.pool.drain(taskArn);
  }

  /** Stops listening, resets every client connection and closes every pooled one to a target. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.boundPort = undefined;
    for (const socket of this.clients) resetSocket(socket);
    this.pool.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket, http: HttpBalancer): void {
    client.on('error', () => undefined); // every error is handled by closing
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    sniffProtocol(client, this.sniffWindowMs, (protocol, head) => {
      if (protocol === 'http') http.serve(client, head);
      else balanceTcp(client, head, this.pool, this.logger);
    });
  }
}
