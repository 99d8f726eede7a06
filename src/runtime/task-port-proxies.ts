/**
 * A task's ports at its own address: one TaskPortProxy per published container port, admitting
 * connections as the task's security groups say, forwarding to the container on the engine's
 * bridge when this process can route there, else to the port the engine published.
 */
import { connect } from 'node:net';
import type { Logger } from '../core/logger.js';
import { TaskPortProxy } from '../network/index.js';
import type { Ec2Store } from '../services/ec2/store.js';

export interface TaskPortProxiesDeps {
  ec2: Ec2Store;
  logger: Logger;
}

export class TaskPortProxies {
  /** Whether container addresses on the engine's bridge are reachable from here (probed once). */
  private bridgeRoutable: Promise<boolean> | undefined;
  /** ingressAllows verdicts of the current tick. */
  private readonly ingressVerdicts = new Map<string, boolean>();

  constructor(private readonly deps: TaskPortProxiesDeps) {}

  /** A proxy (not yet started) for a container port published as `port.hostPort`. */
  async proxy(
    address: string,
    groups: readonly string[],
    ipAddress: string | undefined,
    port: { containerPort: number; hostPort: number },
  ): Promise<TaskPortProxy> {
    return new TaskPortProxy({
      address,
      port: port.containerPort,
      upstream: await this.upstream(ipAddress, port),
      allows: (sourceIp, p) => this.ingressAllows(groups, p, sourceIp),
      logger: this.deps.logger,
    });
  }

  /** Forgets the verdicts of the last tick: security group rules may have changed since. */
  newTick(): void {
    this.ingressVerdicts.clear();
  }

  /**
   * The security groups' verdict, remembered until the next tick: with a group that admits
   * itself, each verdict scans every ENI, and a hundred task ports re-checked every tick cost
   * the cloud a tenth of a core at rest. Connections see rule changes by the next tick, as the
   * listeners do.
   */
  private ingressAllows(groups: readonly string[], port: number, sourceIp: string): boolean {
    const key = `${groups.join(',')}|${port}|${sourceIp}`;
    let verdict = this.ingressVerdicts.get(key);
    if (verdict === undefined) {
      verdict = this.deps.ec2.ingressAllows(groups, { protocol: 'tcp', port, sourceIp });
      this.ingressVerdicts.set(key, verdict);
    }
    return verdict;
  }

  /**
   * Where a task port's proxy sends connections: the container's own address on the engine's
   * bridge when this process can route to it (rootful Podman or Docker on Linux), else the port
   * the engine published on 127.0.0.1. The published port goes through the engine's NAT, and
   * with a connection per request its conntrack entries collide with new ones (SYNs dropped,
   * one-second retransmits): a tenth of the direct path's rate in `npm run bench -- ecs`.
   */
  private async upstream(
    ipAddress: string | undefined,
    port: { containerPort: number; hostPort: number },
  ): Promise<{ host: string; port: number }> {
    const published = { host: '127.0.0.1', port: port.hostPort };
    if (!ipAddress) return published;
    this.bridgeRoutable ??= probeRoute(ipAddress, port.containerPort);
    return (await this.bridgeRoutable) ? { host: ipAddress, port: port.containerPort } : published;
  }
}

/**
 * Whether `host:port` can be routed to: a connection or a refusal says yes (the app may not
 * listen yet), a timeout or an unreachable network says no.
 */
function probeRoute(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    const done = (routable: boolean): void => {
      socket.destroy();
      resolve(routable);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}
