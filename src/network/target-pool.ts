/**
 * TargetPool: the tasks behind one service endpoint, shared by its HTTP and TCP modes. It keeps
 * each target's state (active, draining, deregistered), hands out active targets round-robin,
 * and counts what is routed to each one, an in-flight HTTP request or an open TCP-mode or
 * upgraded connection (a "use"), so a drain knows when its task is idle and what to reset when
 * the deregistration delay ends. Each target has its own keep-alive Agent for HTTP mode.
 */
import { Agent, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { resetSocket } from './splice.js';

/** A task the endpoint may route to: its address and the container port. */
export interface EndpointTarget {
  taskArn: string;
  address: string;
  port: number;
}

/** What `targets()` reports per task. */
export interface TargetStatus extends EndpointTarget {
  /** active: receives new requests and connections; draining: only finishes its own; deregistered: left by setTargets. */
  state: 'active' | 'draining' | 'deregistered';
  /** In-flight HTTP requests plus open TCP-mode and upgraded connections. */
  connections: number;
}

/** How a drain ended. */
export interface DrainResult {
  taskArn: string;
  /** Requests and connections still open when the deregistration delay ended, which were reset. 0: a clean drain. */
  reset: number;
}

/** Something routed to a target: an in-flight HTTP request (the client's), or a client connection. */
export type TargetUse = IncomingMessage | Socket;

export interface Target extends EndpointTarget {
  state: TargetStatus['state'];
  uses: Set<TargetUse>;
  /** Pools keep-alive connections to this target for HTTP mode. */
  agent: Agent;
  drained?: Promise<DrainResult>;
  /** Set while draining: called whenever one of its uses ends. */
  onIdle?: () => void;
}

/**
 * How long a pooled upstream connection may sit idle. Shorter than the keep-alive timeouts of
 * common app servers (Node and uvicorn 5 s; Node's Agent also honours a `Keep-Alive: timeout`
 * hint below this), so the endpoint rarely reuses a connection the app is closing; when it does,
 * a request without a body is retried (see http-balancer.ts).
 */
const UPSTREAM_IDLE_MS = 4_000;

/** The targets of one endpoint and their round-robin rotation. */
export class TargetPool {
  private readonly all = new Map<string, Target>();
  /** Active targets in registration order; `next` indexes into it. */
  private active: Target[] = [];
  private next = 0;
  /** Tasks drained once never come back (task ARNs are not reused). */
  private readonly retired = new Set<string>();

  constructor(private readonly deregistrationDelayMs: number) {}

  /** See ServiceEndpoint.setTargets. */
  set(targets: readonly EndpointTarget[]): void {
    const wanted = new Map(targets.filter((t) => !this.retired.has(t.taskArn)).map((t) => [t.taskArn, t]));
    for (const target of this.all.values()) {
      if (target.state === 'active' && !wanted.has(target.taskArn)) {
        target.state = 'deregistered';
        closeIdleConnections(target.agent);
        this.forgetIfIdle(target);
      }
    }
    for (const t of wanted.values()) {
      const known = this.all.get(t.taskArn);
      if (known && known.state !== 'draining')
        Object.assign(known, { address: t.address, port: t.port, state: 'active' });
      else if (!known) this.all.set(t.taskArn, { ...t, state: 'active', uses: new Set(), agent: newAgent() });
    }
    this.rebuildRotation();
  }

  statuses(): TargetStatus[] {
    return [...this.all.values()].map((t) => ({
      taskArn: t.taskArn,
      address: t.address,
      port: t.port,
      state: t.state,
      connections: t.uses.size,
    }));
  }

  /** See ServiceEndpoint.drain. */
  drain(taskArn: string): Promise<DrainResult> {
    this.retired.add(taskArn);
    const target = this.all.get(taskArn);
    if (!target) return Promise.resolve({ taskArn, reset: 0 });
    if (target.drained) return target.drained;
    target.state = 'draining';
    this.rebuildRotation();
    closeIdleConnections(target.agent);
    target.drained = new Promise<DrainResult>((resolve) => {
      const finish = (reset: number): void => {
        clearTimeout(timer);
        target.onIdle = undefined;
        this.forget(target);
        resolve({ taskArn, reset });
      };
      const timer = setTimeout(() => {
        const left = target.uses.size;
        for (const use of target.uses) resetSocket(use instanceof IncomingMessage ? use.socket : use);
        finish(left);
      }, this.deregistrationDelayMs);
      target.onIdle = () => {
        if (target.uses.size === 0) finish(0);
      };
      target.onIdle();
    });
    return target.drained;
  }

  /** The next active target not in `tried`, round-robin; undefined when none is left. */
  pick(tried?: ReadonlySet<string>): Target | undefined {
    const count = this.active.length;
    for (let i = 0; i < count; i++) {
      const target = this.active[(this.next + i) % count];
      if (target && !tried?.has(target.taskArn)) {
        this.next = (this.next + i + 1) % count;
        return target;
      }
    }
    return undefined;
  }

  /** Counts `use` against `target` until `release`. */
  acquire(target: Target, use: TargetUse): void {
    target.uses.add(use);
  }

  /** Ends a use; idempotent. */
  release(target: Target, use: TargetUse): void {
    if (!target.uses.delete(use)) return;
    this.forgetIfIdle(target);
    target.onIdle?.();
  }

  /** Closes every pooled upstream connection (the endpoint is closing; its client connections are reset). */
  close(): void {
    for (const target of this.all.values()) target.agent.destroy();
  }

  private rebuildRotation(): void {
    this.active = [...this.all.values()].filter((t) => t.state === 'active');
    if (this.next >= this.active.length) this.next = 0;
  }

  private forgetIfIdle(target: Target): void {
    if (target.state === 'deregistered' && target.uses.size === 0) this.forget(target);
  }

  private forget(target: Target): void {
    if (this.all.get(target.taskArn) === target) this.all.delete(target.taskArn);
    target.agent.destroy();
  }
}

function newAgent(): Agent {
  // lifo: the busiest connections stay warm and the surplus idles out after a burst.
  return new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS, scheduling: 'lifo', noDelay: true });
}

function closeIdleConnections(agent: Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
