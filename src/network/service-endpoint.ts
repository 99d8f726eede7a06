/**
 * ServiceEndpoint: a service's stable address, the local stand-in for a load balancer's DNS
 * name. One TCP listener on 127.0.0.1:<port> (the port is allocated once per service and
 * persisted, so the URL survives restarts) spreads connections round-robin over the targets
 * the runtime registers: the service's RUNNING, healthy tasks.
 *
 * Behaviour, as a client sees it:
 * - Balancing is per TCP connection. An HTTP keep-alive connection stays with the task it was
 *   first sent to until either side closes it; only new connections see new targets.
 * - No target (or every target refuses): the connection is reset, so clients see ECONNRESET
 *   (curl: "Connection reset by peer", exit 56; Node: ECONNRESET/"socket hang up"). A load
 *   balancer would answer 503; a TCP proxy cannot know the protocol.
 * - A target that refuses the connection (its container just died) is skipped and the next one
 *   tried, so a task stopping before the runtime deregisters it costs no requests.
 * - Draining (`drain(taskArn)`, ELB's deregistration): the task gets no new connections at once;
 *   its open connections run to completion; `drain` resolves when the last one closes or when
 *   the deregistration delay ends, whichever is first, resetting whatever is still open then.
 *   The runtime stops the container only after `drain` resolves, so a rolling deployment loses
 *   no request that finishes within the delay.
 * - The keep-alive consequence: a client that keeps reusing a pooled connection to the draining
 *   task holds the drain open until the delay ends, and a request in flight on it at that
 *   moment fails (ECONNRESET). Clients that open a connection per request (curl, `Connection:
 *   close`) see zero failures; pooled clients see a reset at most once per pooled connection.
 *   An HTTP-aware endpoint (balancing per request and answering `Connection: close` while
 *   draining, as ALB does) would remove that; it is not built.
 * - A target whose address vanishes mid-connection only resets that connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { silentLogger, type Logger } from '../cloud/logger.js';
import type { EndpointPortPool } from './endpoint-ports.js';
import { resetSocket, spliceSockets } from './splice.js';

/** A task the endpoint may route to: its address and the container port. */
export interface EndpointTarget {
  taskArn: string;
  address: string;
  port: number;
}

/** What `targets()` reports per task. */
export interface TargetStatus extends EndpointTarget {
  /** active: receives new connections; draining: only finishes open ones; deregistered: left by setTargets. */
  state: 'active' | 'draining' | 'deregistered';
  connections: number;
}

/** How a drain ended. */
export interface DrainResult {
  taskArn: string;
  /** Connections still open when the deregistration delay ended, which were reset. 0: a clean drain. */
  reset: number;
}

export interface ServiceEndpointOptions {
  /** Identifies the service across restarts (its ARN). */
  serviceKey: string;
  ports: EndpointPortPool;
  /** Upper bound for draining a target; ELB's default is 300 s, ours is short for local work. */
  deregistrationDelayMs?: number;
  logger?: Logger;
}

/** The default deregistration delay. */
export const DEFAULT_DEREGISTRATION_DELAY_MS = 5_000;
const HOST = '127.0.0.1';
/** Persisted ports found busy before giving up on binding. */
const MAX_BIND_ATTEMPTS = 20;

interface Target extends EndpointTarget {
  state: TargetStatus['state'];
  connections: Set<Socket>;
  drained?: Promise<DrainResult>;
  /** Set while draining: called whenever one of its connections closes. */
  onIdle?: () => void;
}

/** One service's stable, load-balancing listener. */
export class ServiceEndpoint {
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly all = new Map<string, Target>();
  /** Active targets in registration order; `next` indexes into it. */
  private active: Target[] = [];
  private next = 0;
  /** Tasks drained once never come back (task ARNs are not reused). */
  private readonly retired = new Set<string>();
  /** Every accepted client socket, including those still choosing a target. */
  private readonly clients = new Set<Socket>();
  private readonly logger: Logger;
  private readonly delayMs: number;

  constructor(private readonly options: ServiceEndpointOptions) {
    this.logger = options.logger ?? silentLogger;
    this.delayMs = options.deregistrationDelayMs ?? DEFAULT_DEREGISTRATION_DELAY_MS;
  }

  /** Binds the service's persisted port (allocating one the first time); resolves to the port. */
  async start(): Promise<number> {
    if (this.boundPort !== undefined) return this.boundPort;
    const busy = new Set<number>();
    for (let attempt = 0; attempt < MAX_BIND_ATTEMPTS; attempt++) {
      const port = this.options.ports.allocate(this.options.serviceKey, busy);
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
      try {
        server.listen(port, HOST);
        await once(server, 'listening');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        this.logger.warn('endpoint: port in use, moving the service to another port', { service: this.options.serviceKey, port });
        busy.add(port);
        continue;
      }
      server.on('error', (error) => this.logger.error('endpoint: listener error', { service: this.options.serviceKey, error: String(error) }));
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
   * Sets the tasks that receive new connections: the service's RUNNING, healthy tasks. Tasks
   * left out stop receiving new connections but keep their open ones; drained tasks are
   * ignored if listed again.
   */
  setTargets(targets: readonly EndpointTarget[]): void {
    const wanted = new Map(targets.filter((t) => !this.retired.has(t.taskArn)).map((t) => [t.taskArn, t]));
    for (const target of this.all.values()) {
      if (target.state === 'active' && !wanted.has(target.taskArn)) {
        target.state = 'deregistered';
        this.forgetIfIdle(target);
      }
    }
    for (const t of wanted.values()) {
      const known = this.all.get(t.taskArn);
      if (known && known.state !== 'draining') Object.assign(known, { address: t.address, port: t.port, state: 'active' });
      else if (!known) this.all.set(t.taskArn, { ...t, state: 'active', connections: new Set() });
    }
    this.rebuildRotation();
  }

  /** Every target known, with its state and open connection count. */
  targets(): TargetStatus[] {
    return [...this.all.values()].map((t) => ({ taskArn: t.taskArn, address: t.address, port: t.port, state: t.state, connections: t.connections.size }));
  }

  /**
   * Stops routing new connections to the task, waits for its open connections to close (at
   * most the deregistration delay, then resets them) and resolves. Idempotent; resolves at once
   * for an unknown task.
   */
  drain(taskArn: string): Promise<DrainResult> {
    this.retired.add(taskArn);
    const target = this.all.get(taskArn);
    if (!target) return Promise.resolve({ taskArn, reset: 0 });
    if (target.drained) return target.drained;
    target.state = 'draining';
    this.rebuildRotation();
    target.drained = new Promise<DrainResult>((resolve) => {
      const finish = (reset: number): void => {
        clearTimeout(timer);
        this.all.delete(taskArn);
        resolve({ taskArn, reset });
      };
      const timer = setTimeout(() => {
        const left = target.connections.size;
        for (const socket of target.connections) resetSocket(socket);
        finish(left);
      }, this.delayMs);
      const check = (): void => {
        if (target.connections.size === 0) finish(0);
      };
      target.onIdle = check;
      check();
    });
    return target.drained;
  }

  /** Stops listening and resets every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.boundPort = undefined;
    for (const socket of this.clients) resetSocket(socket);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private rebuildRotation(): void {
    this.active = [...this.all.values()].filter((t) => t.state === 'active');
    if (this.next >= this.active.length) this.next = 0;
  }

  private forgetIfIdle(target: Target): void {
    if (target.state === 'deregistered' && target.connections.size === 0) this.all.delete(target.taskArn);
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined); // every error is handled by closing
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    this.route(client, new Set());
  }

  /** Connects `client` to the next active target not yet tried; resets it when none is left. */
  private route(client: Socket, tried: Set<string>): void {
    if (client.destroyed) return;
    const target = this.server ? this.pick(tried) : undefined; // closed: route nothing
    if (!target) {
      resetSocket(client);
      return;
    }
    tried.add(target.taskArn);
    const upstream = connect({ host: target.address, port: target.port, allowHalfOpen: true });
    const refused = (error: Error): void => {
      this.logger.warn('endpoint: target refused, trying the next', { taskArn: target.taskArn, error: String(error) });
      this.route(client, tried);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      upstream.on('error', () => undefined);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      target.connections.add(client);
      spliceSockets(client, upstream, () => {
        target.connections.delete(client);
        this.forgetIfIdle(target);
        target.onIdle?.();
      });
    });
  }

  private pick(tried: ReadonlySet<string>): Target | undefined {
    for (let i = 0; i < this.active.length; i++) {
      const target = this.active[(this.next + i) % this.active.length];
      if (target && !tried.has(target.taskArn)) {
        this.next = (this.next + i + 1) % this.active.length;
        return target;
      }
    }
    return undefined;
  }
}
