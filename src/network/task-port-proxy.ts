/**
 * TaskPortProxy: makes one container port reachable at its task's own address, as on an awsvpc
 * ENI: a TCP listener on `<task address>:<containerPort>` forwards each connection to the
 * container (`upstream`: its address on the engine's bridge when the host can route there, else
 * the port the engine published on 127.0.0.1), and the task's security groups decide which
 * connections get in.
 *
 * Security groups, as a client sees them:
 * - No ingress rule admits the host's traffic to this port (`opens(port)` false): the listener
 *   is closed, so connecting fails with ECONNREFUSED (curl: "Connection refused", exit 7), the
 *   local stand-in for AWS's silent drop (a timeout there). `refresh()` re-evaluates after the
 *   rules change: it closes or reopens the listener.
 * - The listener is open but the connection's source IP is not admitted (`allows` false): the
 *   connection is accepted by the kernel and immediately reset, so the client sees ECONNRESET
 *   (curl: "Connection reset by peer", exit 56; Node: `ECONNRESET`/"socket hang up").
 * - Rules are evaluated per connection when it is accepted. Like AWS's stateful groups,
 *   revoking a rule does not cut connections already open.
 * The default for `opens` probes `allows` with 127.0.0.1: a host process connecting to any
 * 127.x.y.z address without binding a source gets 127.0.0.1 as its source address on Linux.
 *
 * The container side, as on an ENI: until the app in the container accepts connections the
 * address refuses them (ECONNREFUSED, the kernel's answer when nothing listens), so a load
 * balancer (ServiceEndpoint) skips a task whose app is still starting instead of handing it a
 * connection that dies. The proxy probes the upstream every 50 ms until it answers, then
 * listens; the bind itself is tried once at start so privilege errors surface there. If the app
 * goes away later (the container is gone), new connections are reset.
 *
 * Ports below 1024 (the seed's port 80) can be bound only with privilege: root, CAP_NET_BIND_SERVICE
 * or `sysctl net.ipv4.ip_unprivileged_port_start`; otherwise `start()` rejects with EACCES.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { silentLogger, type Logger } from '../core/logger.js';
import { resetSocket, spliceSockets } from './splice.js';

/** How often a task port probes its container until the app listens, and how long one probe may take. */
const UPSTREAM_PROBE_INTERVAL_MS = 50;
const UPSTREAM_PROBE_TIMEOUT_MS = 500;

/** The source address Linux gives host connections to 127.0.0.0/8 unless the client binds one. */
export const HOST_SOURCE_IP = '127.0.0.1';

export interface TaskPortProxyOptions {
  /** The task's address (from TaskAddressPool). */
  address: string;
  /** The container port, which is also the port listened on at the task's address. */
  port: number;
  /** Where the engine published the container port. */
  upstream: { host?: string; port: number };
  /** The security groups' verdict for a TCP connection from `sourceIp` to `port`. */
  allows(sourceIp: string, port: number): boolean;
  /** Whether the address should listen at all; default: `allows(HOST_SOURCE_IP, port)`. */
  opens?(port: number): boolean;
  logger?: Logger;
}

/** One task port's listener, forwarder and security-group gate. */
export class TaskPortProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly logger: Logger;
  /** Serialises start/refresh/close so the listener is never opened twice. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private refusedCount = 0;
  /** Set once the upstream has accepted a connection: the app is listening. */
  private upstreamReady = false;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TaskPortProxyOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Opens the listener if the groups admit traffic; same as `refresh()`. Rejects on bind errors. */
  start(): Promise<boolean> {
    const run = this.queue.then(async () => {
      // Bind once now so EACCES/EADDRINUSE reject here; listening waits for the upstream below.
      if (!this.upstreamReady && !this.closed) {
        await this.listen();
        await this.stopListening();
      }
      return this.apply();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Re-evaluates `opens` and opens or closes the listener to match; resolves to whether it is
   * listening. Call after the task's security groups change.
   */
  refresh(): Promise<boolean> {
    const run = this.queue.then(() => this.apply());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The task's address. */
  get address(): string {
    return this.options.address;
  }

  /** The container port, also the port listened on at the task's address. */
  get port(): number {
    return this.options.port;
  }

  /** Whether the address currently accepts connections. */
  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Connections being forwarded now (client side). */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Connections reset because their source was not admitted. */
  get refused(): number {
    return this.refusedCount;
  }

  /**
   * Stops listening, then waits up to `graceMs` for open connections to finish before resetting
   * the rest. The runtime closes a task's proxies after the endpoint has drained the task.
   */
  close(graceMs = 0): Promise<void> {
    this.closed = true;
    clearTimeout(this.probeTimer);
    const run = this.queue.then(async () => {
      await this.stopListening();
      await this.waitForConnections(graceMs);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(): Promise<boolean> {
    if (this.closed) return false;
    const { port } = this.options;
    let open: boolean;
    try {
      open = this.options.opens ? this.options.opens(port) : this.options.allows(HOST_SOURCE_IP, port);
    } catch (error) {
      this.logger.error('task port: security group check failed', {
        address: this.options.address,
        port,
        error: String(error),
      });
      open = false;
    }
    if (open && !this.upstreamReady) {
      this.upstreamReady = await this.probeUpstream();
      if (!this.upstreamReady) {
        clearTimeout(this.probeTimer);
        this.probeTimer = setTimeout(() => void this.refresh().catch(() => undefined), UPSTREAM_PROBE_INTERVAL_MS);
        this.probeTimer.unref();
        open = false;
      }
    }
    if (open && !this.server) {
      try {
        await this.listen();
      } catch (error) {
        // Something else holds the address and port: the task would answer for it otherwise.
        this.logger.error('task port: cannot listen', {
          address: this.options.address,
          port: this.options.port,
          error: String(error),
        });
        throw error;
      }
    } else if (!open && this.server) await this.stopListening();
    return this.server !== undefined;
  }

  /** Whether the container's port accepts a TCP connection now. */
  private probeUpstream(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.options.upstream.host ?? '127.0.0.1', port: this.options.upstream.port });
      const done = (ok: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), UPSTREAM_PROBE_TIMEOUT_MS);
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }

  private async listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    server.listen(this.options.port, this.options.address);
    await once(server, 'listening'); // rejects with the bind error (EADDRINUSE, EACCES)
    server.on('error', (error) =>
      this.logger.error('task port: listener error', { address: this.options.address, error: String(error) }),
    );
    this.server = server;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // close() stops accepting at once; its callback waits for open connections, which we don't.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if (this.sockets.size > 0) resolve();
    });
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined); // every error is handled by closing
    const source = client.remoteAddress ?? '';
    const port = this.options.port;
    let admitted: boolean;
    try {
      admitted = this.options.allows(source.replace(/^::ffff:/, ''), port);
    } catch (error) {
      this.logger.error('task port: security group check failed', {
        address: this.options.address,
        port,
        error: String(error),
      });
      admitted = false;
    }
    if (!admitted) {
      this.refusedCount++;
      resetSocket(client);
      return;
    }
    const upstream = connect({
      host: this.options.upstream.host ?? '127.0.0.1',
      port: this.options.upstream.port,
      allowHalfOpen: true,
    });
    upstream.on('error', () => undefined);
    this.sockets.add(client);
    spliceSockets(client, upstream, () => this.sockets.delete(client));
  }

  private async waitForConnections(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(20, Math.max(1, deadline - Date.now()))));
    }
    for (const socket of this.sockets) resetSocket(socket);
    // 'close' events follow the resets within a tick or two; bounded in case one never comes.
    for (let i = 0; i < 50 && this.sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
