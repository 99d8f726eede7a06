/**
 * The ECS runtime loop: every tick it starts PROVISIONING tasks and stops tasks told to stop,
 * through the TaskRunner. At start it adopts the containers a previous run of this cloud left
 * (labelled `dockyard.cloud=<label>`): containers of tasks still wanted keep running and get
 * their proxies back; every other labelled container is removed; tasks whose containers are
 * gone are stopped, so nothing is orphaned.
 *
 * Services are reconciled first (ServiceLoop), so their new tasks start in the same tick.
 */
import type { ClockTimer } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Task } from '../services/ecs/model.js';
import { applyTaskEvent, isStarting, STOP, type SchedulerTimings, type TaskStopEvent } from '../scheduler/index.js';
import { ServiceLoop } from './service-loop.js';
import { ServiceEndpoints } from './service-endpoints.js';
import type { EndpointPortPool } from '../network/index.js';
import { LABEL } from './labels.js';
import { definitionOf } from './task-definitions.js';
import { TaskRunner, type TaskRunnerDeps } from './task-runner.js';
import { kernelFirewallSupport, TaskFirewall, type FirewallSupport, type TaskFirewallDeps } from './task-firewall.js';
import { errorMessage } from '../core/errors.js';

export { LABEL, cloudLabelFor } from './labels.js';
export { TaskRunner, type TaskRunnerDeps } from './task-runner.js';

/** The least time between a nudged tick and the previous tick (ms). */
const NUDGE_SPACING_MS = 50;

export interface RuntimeOptions {
  /** How often the loop looks at tasks (ms). Default 500. */
  tickMs?: number;
  /** Scheduler timings (shorter in tests). */
  timings?: SchedulerTimings;
  /** Where service endpoints get their ports; without it services have no endpoint. */
  endpointPorts?: EndpointPortPool;
  /** Upper bound of a task's drain from its service endpoint (ms). */
  deregistrationDelayMs?: number;
  /** Close the engine on stop (when the runtime created it). */
  closeEngine?: boolean;
  /**
   * Which of the cloud's labelled containers this runtime adopts or removes at start, by their
   * task ARN (a runtime per region: each its own region's). Default: all.
   */
  owns?: (taskArn: string) => boolean;
  /**
   * Starts the task firewall (startTaskFirewall), when the cloud's runtimes share one: one
   * network and one set of chains per cloud, over every region's security groups.
   */
  firewall?: (deps: TaskFirewallDeps) => Promise<StartedFirewall>;
}

export class Runtime {
  readonly runner: TaskRunner;
  readonly services: ServiceLoop;
  readonly endpoints: ServiceEndpoints | undefined;
  private timer: ClockTimer | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private ticking = false;
  /** A tick asked for by a finished task step, not yet run. */
  private nudge: ClockTimer | undefined;
  private lastTick = 0;
  private readonly logger: Logger;
  /** How security groups are enforced, once started. */
  firewallSupport: FirewallSupport | undefined;

  constructor(
    private readonly deps: TaskRunnerDeps,
    private readonly options: RuntimeOptions = {},
  ) {
    const endpoints = options.endpointPorts
      ? new ServiceEndpoints({
          ports: options.endpointPorts,
          pool: deps.pool,
          addressOf: (taskArn) => this.runner.privateAddress(taskArn),
          logger: deps.logger,
          ...(options.deregistrationDelayMs !== undefined
            ? { deregistrationDelayMs: options.deregistrationDelayMs }
            : {}),
        })
      : undefined;
    this.endpoints = endpoints;
    this.runner = new TaskRunner(endpoints ? { ...deps, drain: (arn) => endpoints.drain(arn) } : deps);
    this.services = new ServiceLoop({
      store: deps.store,
      engine: deps.engine,
      clock: deps.clock,
      logger: deps.logger,
      ...(options.timings ? { timings: options.timings } : {}),
      ...(endpoints
        ? { endpoints, accepts: (taskArn: string, port: number) => this.runner.accepts(taskArn, port) }
        : {}),
    });
    this.logger = deps.logger;
  }

  /** Adopts what a previous run left, then ticks every `tickMs`. */
  async start(): Promise<void> {
    this.firewallSupport = await this.startFirewall();
    await this.adopt();
    this.timer = this.deps.clock.setInterval(() => this.tick(), this.options.tickMs ?? 500);
    this.timer.unref();
    this.tick();
  }

  /** Stops ticking and waits for steps in flight; containers keep running (adopted next start). */
  async stop(): Promise<void> {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.deps.clock.clearTimer(this.nudge);
    this.nudge = undefined;
    await Promise.all([...this.inFlight]);
    await this.runner.detachAll();
    await this.endpoints?.closeAll();
    await this.deps.taskAgent?.close();
    if (this.options.closeEngine) await this.deps.engine.close();
  }

  /** One pass: services reconciled, then every live task's containers brought in line. */
  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    this.lastTick = this.deps.clock.now().getTime();
    try {
      this.services.tick();
      const live = this.deps.store.tasks.list({ live: true });
      this.services.prune(new Set(live.map((t) => t.taskArn)));
      const now = this.deps.clock.now();
      for (const task of live) this.services.checkHealth(task, now);
      // Authorize/RevokeSecurityGroupIngress take effect on the next tick.
      this.runner.refreshProxies();
      for (const task of live) {
        if (this.runner.isBusy(task.taskArn)) continue;
        if (task.desiredStatus === 'STOPPED') this.track(this.runner.stop(task.taskArn));
        else if (task.lastStatus === 'PROVISIONING') this.track(this.runner.start(task.taskArn));
      }
    } catch (error) {
      this.logger.error('runtime tick failed', { error: String(error) });
    } finally {
      this.ticking = false;
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.soon();
    });
  }

  /**
   * A tick soon after a task step finishes (a task RUNNING or STOPPED is what the next decision
   * waits for), rather than up to `tickMs` later: a deployment takes three or four decisions.
   * Coalesced, and at least NUDGE_SPACING_MS after the previous tick, so a hundred tasks
   * starting together cost a few extra ticks, not a hundred.
   */
  private soon(): void {
    if (this.nudge || !this.timer) return;
    const wait = Math.max(0, this.lastTick + NUDGE_SPACING_MS - this.deps.clock.now().getTime());
    this.nudge = this.deps.clock.setTimeout(() => {
      this.nudge = undefined;
      this.tick();
    }, wait);
    this.nudge.unref();
  }

  /** The task firewall (shared by the cloud's runtimes when given, else this runtime's own). */
  private async startFirewall(): Promise<FirewallSupport> {
    const started = await (this.options.firewall ?? startTaskFirewall)({
      engine: this.deps.engine,
      ec2: this.deps.ec2,
      cloudLabel: this.deps.cloudLabel,
      logger: this.logger,
    });
    if (started.firewall) this.runner.useFirewall(started.firewall);
    return started.support;
  }

  /** Reconciles this cloud's labelled containers with the tasks in the store. */
  private async adopt(): Promise<void> {
    const { engine, store } = this.deps;
    const owns = this.options.owns ?? (() => true);
    const containers = (await engine.listContainers({ labels: { [LABEL.cloud]: this.deps.cloudLabel } })).filter((c) =>
      owns(c.labels[LABEL.task] ?? ''),
    );
    const byTask = new Map<string, typeof containers>();
    for (const c of containers) {
      const arn = c.labels[LABEL.task] ?? '';
      byTask.set(arn, [...(byTask.get(arn) ?? []), c]);
    }
    const now = this.deps.clock.now();
    for (const [arn, list] of byTask) {
      const task = store.tasks.get(arn);
      if (!task || task.lastStatus === 'STOPPED') {
        for (const c of list) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
        continue;
      }
      const definition = definitionOf(store, task);
      const wanted =
        definition &&
        task.desiredStatus !== 'STOPPED' &&
        task.lastStatus === 'RUNNING' &&
        list.every((c) => c.status === 'running');
      if (wanted) {
        const adopted = [];
        for (const c of list) {
          const details = await engine.inspectContainer(c.id);
          adopted.push({
            id: c.id,
            name: c.labels[LABEL.container] ?? '',
            ...(details.ipAddress ? { ipAddress: details.ipAddress } : {}),
            ...(details.pid ? { pid: details.pid } : {}),
            guarded: details.ports.length === 0 && details.ipAddress !== undefined,
            ports: details.ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort })),
          });
        }
        await this.runner.adopt(task, definition, adopted);
        continue;
      }
      // Not wanted (told to stop, start interrupted, a container gone): the task is marked to
      // stop and the tick's teardown stops and removes its containers. A crash between creating
      // a container and recording it leaves its id only on the label, so it is recorded now.
      const names = new Set(task.containers.map((c) => c.name));
      store.tasks.update(arn, (t) => {
        const containers = t.containers.map((c) =>
          c.runtimeId
            ? c
            : { ...c, runtimeId: list.find((l) => l.labels[LABEL.container] === c.name)?.id ?? c.runtimeId },
        );
        return applyTaskEvent({ ...t, containers }, stopEventAfterRestart(t), now);
      });
      for (const c of list)
        if (!names.has(c.labels[LABEL.container] ?? ''))
          await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    }
    // Tasks that should run but whose containers vanished; PROVISIONING ones have none yet and start as usual.
    for (const task of store.tasks.list({ live: true })) {
      if (byTask.has(task.taskArn) || task.desiredStatus === 'STOPPED' || task.lastStatus === 'PROVISIONING') continue;
      store.tasks.update(task.taskArn, (t) => applyTaskEvent(t, stopEventAfterRestart(t), now));
    }
  }
}

/**
 * Why a task the restarted cloud cannot adopt is stopped: a start the dead process left half
 * done is the host's failure (the circuit breaker does not count it); a task that was RUNNING
 * lost its container while the cloud was down.
 */
function stopEventAfterRestart(task: Task): TaskStopEvent {
  return isStarting(task.lastStatus) ? STOP.startInterrupted() : STOP.essentialContainerExited();
}

/** The task firewall as started, or why security groups are per-port proxies instead. */
export interface StartedFirewall {
  support: FirewallSupport;
  firewall?: TaskFirewall;
}

/**
 * Security groups in the kernel where the host allows (./task-firewall.ts); otherwise, and
 * when making the network or chains fails, a proxy per task port as before.
 */
export async function startTaskFirewall(deps: TaskFirewallDeps): Promise<StartedFirewall> {
  const support = await kernelFirewallSupport();
  if (!support.kernel || !deps.engine.ensureNetwork) {
    const reason = support.reason ?? 'the container engine has no networks';
    deps.logger.warn('security groups enforced by per-port proxies', { reason });
    return { support: { kernel: false, reason } };
  }
  const firewall = new TaskFirewall(deps);
  try {
    await firewall.start();
  } catch (error) {
    deps.logger.warn('security groups enforced by per-port proxies', { reason: errorMessage(error) });
    return { support: { kernel: false, reason: errorMessage(error) } };
  }
  return { support, firewall };
}
