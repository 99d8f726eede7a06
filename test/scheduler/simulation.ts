/**
 * A small in-test world for the scheduler's decisions: one service's deployments and tasks, a
 * fake clock, and a stand-in runtime that moves tasks along their lifecycle with the real
 * `applyTaskEvent`. Each `tick()` reconciles, applies the actions as the runtime will, then lets
 * the runtime finish every task's current path (starting → RUNNING or a failure, stopping →
 * STOPPED) and advances the clock.
 */
import type {
  DeploymentConfiguration,
  HealthStatus,
  StopCode,
  TaskStatus,
  DesiredStatus,
} from '../../src/services/ecs/model.js';
import {
  applyTaskEvent,
  reconcileService,
  SERVICE_EVENT,
  STOP,
  type DeploymentSnapshot,
  type SchedulerTimings,
  type StoppedTaskSnapshot,
  type TaskSnapshot,
  type TaskStopEvent,
  type TickActions,
} from '../../src/scheduler/index.js';

/** How a task definition behaves when run. */
export type Behaviour = 'ok' | 'cannot-pull' | 'crash' | 'unhealthy';

export interface SimTask {
  taskArn: string;
  deploymentId: string;
  lastStatus: TaskStatus;
  desiredStatus: DesiredStatus;
  healthStatus: HealthStatus;
  healthChecked: boolean;
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  executionStoppedAt?: Date;
  stoppedAt?: Date;
  stopCode?: StopCode;
  stoppedReason?: string;
}

export interface SimOptions {
  serviceName?: string;
  desiredCount: number;
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** The service's first task definition; its deployment starts COMPLETED with desiredCount healthy tasks. */
  taskDefinition?: string;
  /** Task definitions whose containers have a health check. */
  healthChecked?: readonly string[];
  behaviour?: Record<string, Behaviour>;
  timings?: SchedulerTimings;
  /** Clock step per tick. */
  stepMs?: number;
  /** Start with no deployment history (a brand-new service's first deployment, IN_PROGRESS, no tasks). */
  fresh?: boolean;
}

export const T0 = new Date('2026-01-01T00:00:00Z');
const SIX_HOURS = 6 * 60 * 60 * 1000;

export class Simulation {
  readonly serviceName: string;
  desiredCount: number;
  config: DeploymentConfiguration;
  deployments: DeploymentSnapshot[] = [];
  tasks: SimTask[] = [];
  /** Service events as the store keeps them (oldest first here), identical repeats suppressed for 6 h. */
  events: { at: Date; message: string }[] = [];
  now: Date = T0;
  readonly timings: SchedulerTimings;
  readonly stepMs: number;
  private readonly healthChecked: Set<string>;
  private readonly behaviour: Record<string, Behaviour>;
  private stoppedSinceTick: StoppedTaskSnapshot[] = [];
  private seq = 0;

  constructor(options: SimOptions) {
    this.serviceName = options.serviceName ?? 'web';
    this.desiredCount = options.desiredCount;
    this.config = {
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      maximumPercent: options.maximumPercent ?? 200,
      deploymentCircuitBreaker: options.circuitBreaker ?? { enable: false, rollback: false },
    };
    this.timings = options.timings ?? { noHealthCheckGraceMs: 2000 };
    this.stepMs = options.stepMs ?? 1000;
    this.healthChecked = new Set(options.healthChecked ?? []);
    this.behaviour = options.behaviour ?? {};
    const td = options.taskDefinition ?? 'td:1';
    const first = this.addDeployment(td);
    if (options.fresh) return;
    Object.assign(first, { rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${first.id} completed.` });
    for (let i = 0; i < this.desiredCount; i++) {
      const task = this.newTask(first.id, td);
      Object.assign(task, {
        lastStatus: 'RUNNING',
        startedAt: new Date(T0.getTime() - 60_000),
        healthStatus: task.healthChecked ? 'HEALTHY' : 'UNKNOWN',
      });
    }
  }

  /** UpdateService with a new task definition: a new PRIMARY, the old one ACTIVE. */
  deploy(taskDefinition: string): DeploymentSnapshot {
    return this.addDeployment(taskDefinition);
  }

  get primary(): DeploymentSnapshot {
    const primary = this.deployments.find((d) => d.status === 'PRIMARY');
    if (!primary) throw new Error('no PRIMARY deployment');
    return primary;
  }

  deployment(id: string): DeploymentSnapshot {
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw new Error(`no deployment ${id}`);
    return d;
  }

  live(deploymentId?: string): SimTask[] {
    return this.tasks.filter(
      (t) => t.lastStatus !== 'STOPPED' && (deploymentId === undefined || t.deploymentId === deploymentId),
    );
  }

  /** Counts as the rolling-update bounds see them. */
  counts(): { occupied: number; healthy: number } {
    const live = this.live();
    const healthy = live.filter(
      (t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && this.isHealthy(t),
    ).length;
    return { occupied: live.length, healthy };
  }

  /** Kills a task's essential container (the runtime notices it exited). */
  crash(taskArn: string): void {
    this.stopTask(taskArn, STOP.essentialContainerExited());
    this.finishStops();
  }

  /** One reconcile tick: decide, apply, let the runtime progress, advance the clock. */
  tick(): TickActions {
    const actions = reconcileService(
      {
        serviceName: this.serviceName,
        desiredCount: this.desiredCount,
        deploymentConfiguration: this.config,
        deployments: this.deployments.map((d) => ({ ...d })),
        tasks: this.live().map((t) => snapshotOf(t)),
        stoppedTasks: this.stoppedSinceTick,
      },
      this.now,
      this.timings,
    );
    this.stoppedSinceTick = [];
    this.apply(actions);
    this.progress();
    this.now = new Date(this.now.getTime() + this.stepMs);
    return actions;
  }

  /** Ticks until `done` or `limit` ticks; returns every tick's actions. */
  runUntil(done: (sim: Simulation) => boolean, limit = 50): TickActions[] {
    const all: TickActions[] = [];
    for (let i = 0; i < limit && !done(this); i++) all.push(this.tick());
    if (!done(this)) throw new Error(`not done after ${limit} ticks`);
    return all;
  }

  messages(): string[] {
    return this.events.map((e) => e.message);
  }

  private apply(actions: TickActions): void {
    for (const update of actions.deploymentUpdates) Object.assign(this.deployment(update.id), update);
    if (actions.rollback) this.addDeployment(actions.rollback.taskDefinition);
    for (const s of actions.stop) this.stopTask(s.taskArn, { type: 'stop', stopCode: s.stopCode, reason: s.reason });
    for (const message of actions.events) this.appendEvent(message);
    for (const s of actions.start) {
      const started = Array.from({ length: s.count }, () => this.newTask(s.deploymentId, s.taskDefinition).taskArn);
      this.appendEvent(SERVICE_EVENT.startedTasks(this.serviceName, started));
    }
  }

  /** The stand-in runtime: every starting task reaches RUNNING (or fails), every stopping task STOPPED. */
  private progress(): void {
    for (const task of this.live()) {
      const td = this.taskDefinitionOf(task);
      const behaviour = this.behaviour[td] ?? 'ok';
      while (task.desiredStatus === 'RUNNING' && task.lastStatus !== 'RUNNING') {
        if (task.lastStatus === 'PENDING' && behaviour === 'cannot-pull') {
          this.stopTask(
            task.taskArn,
            STOP.cannotPullContainer('pull image manifest has been retried 1 time(s): not found'),
          );
          break;
        }
        Object.assign(task, applyTaskEvent(task, { type: 'advance' }, this.now));
      }
      if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') continue;
      if (behaviour === 'crash') this.stopTask(task.taskArn, STOP.essentialContainerExited());
      else if (task.healthChecked) task.healthStatus = behaviour === 'unhealthy' ? 'UNHEALTHY' : 'HEALTHY';
    }
    this.finishStops();
  }

  private finishStops(): void {
    for (const task of this.live()) {
      if (task.desiredStatus !== 'STOPPED') continue;
      while (task.lastStatus !== 'STOPPED') Object.assign(task, applyTaskEvent(task, { type: 'advance' }, this.now));
      const stopped: StoppedTaskSnapshot = {
        taskArn: task.taskArn,
        deploymentId: task.deploymentId,
        healthChecked: task.healthChecked,
        healthStatus: task.healthStatus,
      };
      if (task.stopCode) stopped.stopCode = task.stopCode;
      if (task.stoppedReason) stopped.stoppedReason = task.stoppedReason;
      if (task.startedAt) stopped.startedAt = task.startedAt;
      if (task.stoppingAt) stopped.stoppingAt = task.stoppingAt;
      this.stoppedSinceTick.push(stopped);
    }
  }

  private stopTask(taskArn: string, event: TaskStopEvent): void {
    const task = this.tasks.find((t) => t.taskArn === taskArn);
    if (!task) throw new Error(`no task ${taskArn}`);
    Object.assign(task, applyTaskEvent(task, event, this.now));
  }

  private appendEvent(message: string): void {
    const newest = this.events.at(-1);
    if (newest && newest.message === message && this.now.getTime() - newest.at.getTime() < SIX_HOURS) return;
    this.events.push({ at: this.now, message });
  }

  private isHealthy(task: SimTask): boolean {
    if (task.healthChecked) return task.healthStatus === 'HEALTHY';
    return (
      task.startedAt !== undefined && this.now.getTime() - task.startedAt.getTime() >= this.timings.noHealthCheckGraceMs
    );
  }

  private taskDefinitionOf(task: SimTask): string {
    return this.deployment(task.deploymentId).taskDefinition;
  }

  private addDeployment(taskDefinition: string): DeploymentSnapshot {
    for (const d of this.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const id = `ecs-svc/${String(1000000000000000000 + ++this.seq * 111)}`;
    const deployment: DeploymentSnapshot = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: this.desiredCount,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
    };
    this.deployments.unshift(deployment);
    return deployment;
  }

  private newTask(deploymentId: string, taskDefinition: string): SimTask {
    const hex = (++this.seq).toString(16).padStart(32, '0');
    const task: SimTask = {
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${hex}`,
      deploymentId,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      healthChecked: this.healthChecked.has(taskDefinition),
      createdAt: this.now,
    };
    this.tasks.push(task);
    return task;
  }
}

function snapshotOf(task: SimTask): TaskSnapshot {
  const snapshot: TaskSnapshot = {
    taskArn: task.taskArn,
    deploymentId: task.deploymentId,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    healthChecked: task.healthChecked,
    createdAt: task.createdAt,
  };
  if (task.startedAt) snapshot.startedAt = task.startedAt;
  return snapshot;
}
