/**
 * One reconcile tick of a REPLICA service's rolling update (docs/reference/ecs.md §1), as a pure function of
 * the service's snapshot and `now`. In order:
 *   1. circuit breaker: count failures; trip → FAILED (and a rollback request: nothing else
 *      happens this tick, the runtime starts the rollback deployment first);
 *   2. unhealthy tasks (a check says UNHEALTHY) are stopped, whatever the bounds: stopping
 *      them never lowers the healthy count, and their replacements start through step 5;
 *   3. scale-in: PRIMARY tasks above desiredCount are stopped;
 *   4. old-deployment tasks are stopped while the healthy count stays ≥ lower, and one that
 *      serves but does not count healthy yet only while as many others serve;
 *   5. PRIMARY tasks are started: min(desired − primaryActive, upper − occupied);
 *   6. a tick that could neither stop nor start, with work left and nothing in flight, is stuck;
 *   7. drained old deployments → INACTIVE; the PRIMARY alone with desiredCount healthy RUNNING
 *      tasks → COMPLETED and steady state.
 *
 * lower = ceil(desired × minimumHealthyPercent / 100) counts RUNNING tasks that count healthy
 * (see countsHealthy); upper = floor(desired × maximumPercent / 100).
 *
 * Decisions where docs/reference/ecs.md is open:
 * - `occupied` (checked against upper) counts every task not yet STOPPED, stopping ones too: a
 *   stopping task still holds its container, so with min 0 / max 100 the new task starts only
 *   after the old one has STOPPED.
 * - Stop order (old tasks, scale-in): not yet RUNNING first, then RUNNING but neither healthy
 *   nor serving, then serving, then healthy; newest first within each (the one that served
 *   least), task ARN breaking ties.
 * - A task without a health check serves (the endpoint routes to it and its app answers) up to
 *   40 s before it counts healthy. Counting healthy tasks only, an old one that young would be
 *   stopped at once, and the endpoint left with no target until the new task runs (503s). It
 *   is kept until as many other tasks serve as `lower` asks for, so the replacement is
 *   registered before it drains. Bounded: at 40 s it counts healthy and the usual rule applies.
 * - Old tasks' stoppedReason names their own deployment: "Scaling activity initiated by
 *   (deployment <old id>)".
 * - An old deployment becomes INACTIVE once none of its tasks is live (all STOPPED). Its
 *   desiredCount follows its remaining tasks.
 * - A FAILED PRIMARY (breaker without rollback) starts nothing and stops no old task: the service
 *   stays as the failure left it until the next UpdateService. Unhealthy tasks are still stopped.
 * - "has reached a steady state." is emitted on every steady tick; ServiceStore.appendEvent
 *   suppresses an identical newest event for 6 h, which is ECS's periodic repeat.
 * - "has started N tasks" needs the new task ids, so the runtime emits it (SERVICE_EVENT.startedTasks).
 * Gaps: healthCheckGracePeriodSeconds, load balancers, DAEMON services.
 */
import { evaluateCircuitBreaker } from './circuit-breaker.js';
import { ROLLOUT_REASON, SERVICE_EVENT } from './service-events.js';
import {
  countsHealthy,
  DEFAULT_TIMINGS,
  type DeploymentSnapshot,
  type DeploymentUpdate,
  type SchedulerTimings,
  type ServiceSnapshot,
  type TaskSnapshot,
  type TickActions,
} from './snapshot.js';
import { isStopping, STOPPED_REASON } from './task-lifecycle.js';
import { throttledUntil } from './start-throttle.js';

/** The rolling update's bounds for a desired count and deployment configuration. */
export function deploymentBounds(
  desiredCount: number,
  minimumHealthyPercent: number,
  maximumPercent: number,
): { lower: number; upper: number } {
  return {
    lower: Math.ceil((desiredCount * minimumHealthyPercent) / 100),
    upper: Math.floor((desiredCount * maximumPercent) / 100),
  };
}

/** Tasks in the order they should be stopped (see the header). */
export function stopOrder(
  tasks: readonly TaskSnapshot[],
  now: Date,
  timings: SchedulerTimings = DEFAULT_TIMINGS,
): TaskSnapshot[] {
  const rank = (t: TaskSnapshot): number =>
    t.lastStatus !== 'RUNNING' ? 0 : countsHealthy(t, now, timings) ? 3 : t.serving ? 2 : 1;
  const age = (t: TaskSnapshot): number => (t.startedAt ?? t.createdAt).getTime();
  return [...tasks].sort(
    (a, b) => rank(a) - rank(b) || age(b) - age(a) || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0),
  );
}

/** The actions of one tick for `service` at `now`. */
export function reconcileService(
  service: ServiceSnapshot,
  now: Date,
  timings: SchedulerTimings = DEFAULT_TIMINGS,
): TickActions {
  const actions: TickActions = { deploymentUpdates: [], serviceUpdates: {}, stop: [], start: [], events: [] };
  const deployments = service.deployments.filter((d) => d.status !== 'INACTIVE');
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return actions;
  const name = service.serviceName;
  const desired = service.desiredCount;

  // 1. Circuit breaker.
  const breaker = evaluateCircuitBreaker(service, primary, now, timings);
  if (breaker.update) actions.deploymentUpdates.push(breaker.update);
  actions.events.push(...breaker.events);
  if (breaker.rollback) {
    actions.rollback = breaker.rollback;
    actions.serviceUpdates.taskDefinition = breaker.rollback.taskDefinition;
    return actions;
  }
  const primaryFailed = breaker.tripped || primary.rolloutState === 'FAILED';

  // 2. Unhealthy tasks.
  const healthy = (t: TaskSnapshot): boolean => countsHealthy(t, now, timings);
  const active = service.tasks.filter((t) => t.desiredStatus !== 'STOPPED' && !isStopping(t.lastStatus));
  const stopping = new Set<string>();
  const stop = (t: TaskSnapshot, reason: string): void => {
    stopping.add(t.taskArn);
    actions.stop.push({
      taskArn: t.taskArn,
      deploymentId: t.deploymentId,
      reason,
      stopCode: 'ServiceSchedulerInitiated',
    });
  };
  for (const t of active) {
    if (t.lastStatus === 'RUNNING' && t.healthChecked && t.healthStatus === 'UNHEALTHY') {
      actions.events.push(SERVICE_EVENT.failedHealthChecks(name, t.taskArn));
      stop(t, STOPPED_REASON.failedHealthChecks);
    }
  }
  const remaining = active.filter((t) => !stopping.has(t.taskArn));
  const { lower, upper } = deploymentBounds(
    desired,
    service.deploymentConfiguration.minimumHealthyPercent,
    service.deploymentConfiguration.maximumPercent,
  );
  const occupied = service.tasks.filter((t) => t.lastStatus !== 'STOPPED').length;
  let healthyCount = remaining.filter(healthy).length;

  // 3. Scale-in of the PRIMARY deployment.
  const primaryTasks = remaining.filter((t) => t.deploymentId === primary.id);
  const extra = Math.max(0, primaryTasks.length - desired);
  for (const t of stopOrder(primaryTasks, now, timings).slice(0, extra)) {
    if (healthy(t)) healthyCount--;
    stop(t, STOPPED_REASON.scaling(primary.id));
  }
  const primaryActive = primaryTasks.length - extra;

  // 4. Old deployments' tasks, keeping the healthy count at lower or above, and the serving
  //    count too for a task that serves before it counts healthy (see the header).
  const oldTasks = remaining.filter((t) => t.deploymentId !== primary.id);
  if (!primaryFailed) {
    let servingCount = remaining.filter((t) => t.serving && !stopping.has(t.taskArn)).length;
    for (const t of stopOrder(oldTasks, now, timings)) {
      if (healthy(t)) {
        if (healthyCount - 1 < lower) continue;
        healthyCount--;
      } else if (t.serving && servingCount - 1 < lower) continue;
      if (t.serving) servingCount--;
      stop(t, STOPPED_REASON.scaling(t.deploymentId));
    }
  }

  // 5. New PRIMARY tasks, within upper, unless the start throttle holds them back.
  const wanted = primaryFailed ? 0 : Math.min(desired - primaryActive, upper - occupied);
  const throttled = wanted > 0 && throttledUntil(service.startFailures, now, timings.startThrottle) !== undefined;
  if (throttled) actions.events.push(SERVICE_EVENT.unableToStart(name));
  else if (wanted > 0)
    actions.start.push({ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: wanted });

  const stoppedRunning = actions.stop.map((s) => s.taskArn);
  if (stoppedRunning.length > 0) actions.events.push(SERVICE_EVENT.stoppedTasks(name, stoppedRunning));

  // 6. Stuck: work left, nothing allowed, nothing in flight that could change the counts.
  const oldLeft = oldTasks.some((t) => !stopping.has(t.taskArn));
  const workLeft = primaryActive < desired || oldLeft;
  const inFlight = service.tasks.some(
    (t) => t.lastStatus !== 'RUNNING' || t.desiredStatus === 'STOPPED' || !healthy(t),
  );
  if (!primaryFailed && !throttled && workLeft && actions.stop.length === 0 && actions.start.length === 0 && !inFlight)
    actions.events.push(SERVICE_EVENT.stuck(name));

  // 7. Deployment bookkeeping.
  actions.deploymentUpdates.push(
    ...deploymentBookkeeping(service, deployments, primary, stopping, actions, now, timings),
  );
  const primaryUpdate = actions.deploymentUpdates.find((u) => u.id === primary.id && u.rolloutState === 'COMPLETED');
  if (primaryUpdate) actions.events.push(SERVICE_EVENT.deploymentCompleted(name, primary.id));
  if (
    primaryUpdate ||
    (primary.rolloutState === 'COMPLETED' && isSteady(service, deployments, primary, actions, now, timings))
  ) {
    actions.events.push(SERVICE_EVENT.steadyState(name));
  }
  return actions;
}

/** Per-deployment desiredCount, INACTIVE for drained old deployments, COMPLETED for a finished rollout. */
function deploymentBookkeeping(
  service: ServiceSnapshot,
  deployments: readonly DeploymentSnapshot[],
  primary: DeploymentSnapshot,
  stopping: ReadonlySet<string>,
  actions: TickActions,
  now: Date,
  timings: SchedulerTimings,
): DeploymentUpdate[] {
  const updates = new Map<string, DeploymentUpdate>();
  const change = (id: string, patch: Omit<DeploymentUpdate, 'id'>): void => {
    updates.set(id, { ...(updates.get(id) ?? { id }), ...patch });
  };
  if (primary.desiredCount !== service.desiredCount) change(primary.id, { desiredCount: service.desiredCount });
  for (const d of deployments) {
    if (d.id === primary.id) continue;
    const live = service.tasks.filter((t) => t.deploymentId === d.id && t.lastStatus !== 'STOPPED');
    if (live.length === 0) {
      change(d.id, { status: 'INACTIVE', desiredCount: 0 });
      continue;
    }
    const staying = live.filter(
      (t) => t.desiredStatus !== 'STOPPED' && !isStopping(t.lastStatus) && !stopping.has(t.taskArn),
    ).length;
    if (d.desiredCount !== staying) change(d.id, { desiredCount: staying });
  }
  if (primary.rolloutState === 'IN_PROGRESS' && !actions.deploymentUpdates.some((u) => u.rolloutState === 'FAILED')) {
    const othersLeft = deployments.some((d) => d.id !== primary.id && updates.get(d.id)?.status !== 'INACTIVE');
    if (!othersLeft && isSteady(service, deployments, primary, actions, now, timings)) {
      change(primary.id, { rolloutState: 'COMPLETED', rolloutStateReason: ROLLOUT_REASON.completed(primary.id) });
    }
  }
  return [...updates.values()];
}

/**
 * Steady: nothing to do this tick, every live task is the PRIMARY's, RUNNING, not being stopped
 * and counted healthy, and there are desiredCount of them. (Old deployments whose last task
 * has STOPPED may still be listed; they become INACTIVE this tick.)
 */
function isSteady(
  service: ServiceSnapshot,
  deployments: readonly DeploymentSnapshot[],
  primary: DeploymentSnapshot,
  actions: TickActions,
  now: Date,
  timings: SchedulerTimings,
): boolean {
  if (actions.start.length > 0 || actions.stop.length > 0 || primary.rolloutState === 'FAILED') return false;
  const live = service.tasks.filter((t) => t.lastStatus !== 'STOPPED');
  const oldLive = deployments.some((d) => d.id !== primary.id && live.some((t) => t.deploymentId === d.id));
  if (oldLive || live.length !== service.desiredCount) return false;
  return live.every((t) => t.deploymentId === primary.id && countsHealthy(t, now, timings));
}
