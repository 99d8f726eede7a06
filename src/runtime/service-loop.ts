/**
 * The service loop: every tick, for each ACTIVE or DRAINING service, it builds the scheduler's
 * snapshot, calls `reconcileService`, and applies the actions in the order the scheduler's
 * header gives (deployment updates, rollback, stops, starts, events). Task containers are
 * started and stopped by the Runtime's task pass (TaskRunner) on the following tick; this loop
 * only records decisions in the store. It also runs ECS health checks through `engine.exec`
 * as `evaluateHealth` schedules them, and finishes DeleteService (DRAINING → INACTIVE once the
 * service has no live task).
 *
 * Decisions:
 * - Tasks that reached STOPPED are handed to the circuit breaker once. Which ones were handed
 *   over lives in memory; the count itself (failedTasks) is in the deployment. After a restart
 *   the first tick hands over only tasks that stopped after their deployment was last written
 *   (a counted failure always writes it), so a kill -9 neither loses nor repeats a failure,
 *   up to the instant between a tick's clock reading and its snapshot.
 * - Container health results live in memory too; after a restart a container's persisted
 *   HEALTHY stands until its next check (see checkHealth).
 * Each service's endpoint routes to its RUNNING, healthy tasks (ServiceEndpoints); a task whose
 * app answers there serves (TaskRunner.accepts), which the scheduler weighs before stopping it.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ContainerEngine } from '../engine/contract.js';
import {
  countStartFailures,
  applyTaskEvent,
  evaluateHealth,
  HEALTH_CHECK_DEFAULTS,
  reconcileService,
  SERVICE_EVENT,
  stoppedTaskSnapshot,
  taskHealthStatus,
  taskSnapshot,
  DEFAULT_TIMINGS,
  type HealthCheckResult,
  type SchedulerTimings,
  type StoppedTaskSnapshot,
} from '../scheduler/index.js';
import { clusterNameOf } from '../services/ecs/arns.js';
import { startDeployment } from '../services/ecs/deployments.js';
import type { HealthCheck, Service, Task, TaskDefinition } from '../services/ecs/model.js';
import type { EcsStore } from '../services/ecs/store.js';
import { newTask } from '../services/ecs/task-factory.js';
import { targetPort, type ServiceEndpoints } from './service-endpoints.js';
import { definitionOf } from './task-definitions.js';

export interface ServiceLoopDeps {
  store: EcsStore;
  engine: ContainerEngine;
  clock: Clock;
  logger: Logger;
  timings?: SchedulerTimings;
  /** Service endpoints to keep in line with the tasks; none when absent. */
  endpoints?: ServiceEndpoints;
  /** Whether the task's app accepts connections on `port` (TaskRunner.accepts); none: nothing serves. */
  accepts?: (taskArn: string, port: number) => boolean;
}

/** Results of one container's health checks, since its task started. */
interface HealthRecord {
  results: HealthCheckResult[];
  running: boolean;
}

/** Keep only this many results per container (evaluateHealth needs the recent ones). */
const HEALTH_HISTORY = 20;

export class ServiceLoop {
  /** STOPPED tasks already given to the circuit breaker. */
  private readonly reported = new Set<string>();
  private primed = false;
  private readonly health = new Map<string, HealthRecord>();

  constructor(private readonly deps: ServiceLoopDeps) {}

  /** One reconcile pass over every service. */
  tick(): void {
    const { store } = this.deps;
    for (const service of store.services.listForReconcile()) {
      try {
        this.reconcile(service);
      } catch (error) {
        this.deps.logger.error('service reconcile failed', { service: service.serviceArn, error: String(error) });
      }
    }
    this.primed = true;
  }

  private reconcile(service: Service): void {
    const { store } = this.deps;
    const now = this.deps.clock.now();
    const checked = new Map<string, boolean>();
    const healthChecked = (task: Task): boolean => {
      const known = checked.get(task.taskDefinitionArn);
      if (known !== undefined) return known;
      const definition = definitionOf(store, task);
      const value =
        definition?.document.containerDefinitions.some((c) => c.essential && c.healthCheck !== undefined) ?? false;
      checked.set(task.taskDefinitionArn, value);
      return value;
    };
    const snapshot = store.transaction(() => {
      const deployments = store.services.deployments(service.serviceArn, { includeInactive: true });
      const ids = deployments.map((d) => d.id);
      const live = store.tasks.list({ startedByAny: ids, live: true });
      const stoppedTasks: StoppedTaskSnapshot[] = [];
      const written = new Map(deployments.map((d) => [d.id, d.updatedAt.getTime()]));
      const primaryId = deployments.find((d) => d.status === 'PRIMARY')?.id;
      const primaryStopped: Task[] = [];
      for (const task of store.tasks.list({ startedByAny: ids, lastStatus: 'STOPPED' })) {
        if (task.startedBy === primaryId) primaryStopped.push(task);
        if (this.reported.has(task.taskArn)) continue;
        this.reported.add(task.taskArn);
        // After a restart: a failure the breaker counted wrote its deployment, so only a task
        // that stopped after its deployment was last written can still be uncounted.
        const unseen =
          this.primed ||
          (task.stoppedAt !== undefined && task.stoppedAt.getTime() > (written.get(task.startedBy ?? '') ?? Infinity));
        if (unseen) stoppedTasks.push(stoppedTaskSnapshot(task, healthChecked(task)));
      }
      // The start throttle's input: since the PRIMARY's latest task that reached RUNNING.
      const runningStarts = [...live, ...primaryStopped].flatMap((t) =>
        t.startedBy === primaryId && t.startedAt ? [t.startedAt.getTime()] : [],
      );
      const startFailures = countStartFailures(
        primaryStopped,
        runningStarts.length > 0 ? new Date(Math.max(...runningStarts)) : undefined,
      );
      const ordered = [...deployments].sort((a, b) =>
        a.status === 'PRIMARY' ? -1 : b.status === 'PRIMARY' ? 1 : b.createdAt.getTime() - a.createdAt.getTime(),
      );
      return {
        deployments: ordered,
        live,
        value: {
          serviceName: service.serviceName,
          desiredCount: service.desiredCount,
          deploymentConfiguration: service.deploymentConfiguration,
          deployments: ordered,
          tasks: live.map((t) => taskSnapshot(t, healthChecked(t), this.serving(t))),
          stoppedTasks,
          ...(startFailures ? { startFailures } : {}),
        },
      };
    });

    if (service.status === 'DRAINING' && snapshot.live.length === 0) {
      store.services.setStatus(service.serviceArn, 'INACTIVE');
      void this.deps.endpoints?.remove(service.serviceArn);
      return;
    }
    const actions = reconcileService(snapshot.value, now, this.deps.timings ?? DEFAULT_TIMINGS);
    store.transaction(() => {
      for (const update of actions.deploymentUpdates) {
        const { id, ...change } = update;
        store.services.updateDeployment(id, (d) => ({ ...d, ...change, updatedAt: now }));
      }
      let current = service;
      if (actions.serviceUpdates.taskDefinition !== undefined) {
        current = {
          ...(store.services.get(service.serviceArn) ?? service),
          taskDefinition: actions.serviceUpdates.taskDefinition,
        };
        store.services.put(current);
      }
      if (actions.rollback) {
        current = {
          ...(store.services.get(service.serviceArn) ?? current),
          taskDefinition: actions.rollback.taskDefinition,
        };
        store.services.put(current);
        startDeployment(store.services, current, now);
      }
      for (const stop of actions.stop) {
        store.tasks.update(stop.taskArn, (t) =>
          applyTaskEvent(t, { type: 'stop', stopCode: stop.stopCode, reason: stop.reason }, now),
        );
      }
      const cluster = store.clusters.get(clusterNameOf(service.clusterArn));
      for (const start of actions.start) {
        const deployment = store.services.deployment(start.deploymentId);
        const definition = definitionOf(store, { taskDefinitionArn: start.taskDefinition });
        if (!cluster || !deployment || !definition) continue;
        const arns: string[] = [];
        for (let i = 0; i < start.count; i++) {
          const task = newTask(store.partition, {
            cluster,
            definition,
            group: `service:${service.serviceName}`,
            startedBy: deployment.id,
            ...(deployment.networkConfiguration ? { networkConfiguration: deployment.networkConfiguration } : {}),
            now,
            index: i,
          });
          store.tasks.put(task);
          arns.push(task.taskArn);
        }
        if (arns.length > 0)
          store.services.appendEvent(service.serviceArn, SERVICE_EVENT.startedTasks(service.serviceName, arns), now);
      }
      for (const message of actions.events) store.services.appendEvent(service.serviceArn, message, now);
    });
    if (this.deps.endpoints) {
      // Re-read only when this tick changed the tasks (at rest it did not: one query less per service).
      const changed = actions.stop.length > 0 || actions.start.length > 0 || actions.rollback !== undefined;
      const live = changed
        ? store.tasks.list({ startedByAny: snapshot.deployments.map((d) => d.id), live: true })
        : snapshot.live;
      this.deps.endpoints.sync(service, live, (task) => definitionOf(store, task));
    }
  }

  /** Whether the endpoint routes to the task and its app answers there (the scheduler's `serving`). */
  private serving(task: Task): boolean {
    if (!this.deps.endpoints || !this.deps.accepts) return false;
    const port = targetPort(task, definitionOf(this.deps.store, task));
    return port !== undefined && this.deps.accepts(task.taskArn, port);
  }

  /** Runs due CMD / CMD-SHELL checks of a RUNNING task (any task) and records container and task health. */
  checkHealth(task: Task, now: Date): void {
    if (task.lastStatus !== 'RUNNING' || task.desiredStatus === 'STOPPED' || !task.startedAt) return;
    const definition = definitionOf(this.deps.store, task);
    if (!definition) return;
    let changed = false;
    const health = new Map<string, Task['healthStatus']>();
    for (const container of task.containers) {
      const def = definition.document.containerDefinitions.find((d) => d.name === container.name);
      const check = def?.healthCheck;
      if (!check || !container.runtimeId) continue;
      const key = `${task.taskArn}/${container.name}`;
      let record = this.health.get(key);
      if (!record) {
        // Results live in memory; after a restart the persisted HEALTHY stands (as one success
        // now) until the next check says otherwise, so adopted tasks keep counting healthy.
        record = { results: container.healthStatus === 'HEALTHY' ? [{ at: now, ok: true }] : [], running: false };
        this.health.set(key, record);
      }
      const evaluation = evaluateHealth(check, record.results, task.startedAt, now);
      health.set(container.name, evaluation.status);
      if (evaluation.status !== container.healthStatus) changed = true;
      if (evaluation.due && !record.running) this.runCheck(record, container.runtimeId, check);
    }
    if (!changed) return;
    this.deps.store.tasks.update(task.taskArn, (t) => {
      const containers = t.containers.map((c) => ({ ...c, healthStatus: health.get(c.name) ?? c.healthStatus }));
      const healthStatus = taskHealthStatus(essentials(definition, containers));
      const healthyAt = healthStatus === 'HEALTHY' && t.healthStatus !== 'HEALTHY' ? now : t.healthyAt;
      return { ...t, containers, healthStatus, ...(healthyAt ? { healthyAt } : {}) };
    });
  }

  private runCheck(record: HealthRecord, containerId: string, check: HealthCheck): void {
    const [kind, ...rest] = check.command;
    const cmd = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : rest;
    record.running = true;
    const timeoutMs = (check.timeout ?? HEALTH_CHECK_DEFAULTS.timeout) * 1000;
    void this.deps.engine
      .exec(containerId, cmd, { signal: AbortSignal.timeout(timeoutMs) })
      .then((result) => result.exitCode === 0)
      .catch(() => false)
      .then((ok) => {
        record.results.push({ at: this.deps.clock.now(), ok });
        if (record.results.length > HEALTH_HISTORY) record.results.shift();
        record.running = false;
      });
  }

  /** Forgets health records of tasks that are gone. */
  prune(liveTaskArns: ReadonlySet<string>): void {
    for (const key of this.health.keys())
      if (!liveTaskArns.has(key.slice(0, key.lastIndexOf('/')))) this.health.delete(key);
  }
}

function essentials(definition: TaskDefinition, containers: Task['containers']) {
  return containers.map((c) => {
    const def = definition.document.containerDefinitions.find((d) => d.name === c.name);
    return {
      essential: def?.essential ?? false,
      healthChecked: def?.healthCheck !== undefined,
      healthStatus: c.healthStatus,
    };
  });
}
