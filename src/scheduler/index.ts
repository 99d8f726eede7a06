/**
 * The ECS scheduler's decisions: pure, deterministic functions of a service's snapshot and an
 * injected clock. No I/O and no timers here; the runtime loop (the next step) owns those.
 *
 * How the runtime applies a tick, per service from `services.listForReconcile()`:
 *   1. Snapshot, in one store transaction: `services.deployments(arn, {includeInactive: true})`,
 *      live tasks `tasks.list({startedByAny: ids, live: true})` → `taskSnapshot(task, checked)`
 *      (checked: an essential container of its task definition has a healthCheck), and the
 *      tasks that reached STOPPED since its previous tick → `stoppedTaskSnapshot` (each once).
 *   2. `reconcileService(snapshot, now, timings)` → TickActions, then, in this order:
 *      - deploymentUpdates → `services.updateDeployment(id, d => ({...d, ...update, updatedAt: now}))`;
 *      - serviceUpdates + rollback → put the service with the rolled-back taskDefinition and
 *        `startDeployment(...)` (the failed PRIMARY becomes ACTIVE; its tasks drain next ticks);
 *      - stop → `tasks.update(arn, t => applyTaskEvent(t, {type: 'stop', stopCode, reason}, now))`,
 *        then drive the engine (deregister/drain, SIGTERM, stopTimeout, SIGKILL), applying
 *        `{type: 'advance'}` as each step finishes, until STOPPED;
 *      - start → `newTask(...)` × count, `tasks.put`, then pull/create/start through the engine,
 *        `advance` per step (a failed pull → `STOP.cannotPullContainer(detail)`), and append
 *        `SERVICE_EVENT.startedTasks(name, arns)`;
 *      - events → `services.appendEvent(arn, message, now)` in order (it dedups repeats for 6 h).
 *   3. Health: run each container's CMD / CMD-SHELL check through engine exec when
 *      `evaluateHealth(...).due`, record the result, write container health and
 *      `taskHealthStatus(...)` to the task. An essential container exiting →
 *      `STOP.essentialContainerExited()`.
 * The runtime passes short `SchedulerTimings` and health-check settings in tests.
 */
export { circuitBreakerThreshold, isTaskFailure } from './circuit-breaker.js';
export { deploymentBounds, reconcileService, stopOrder } from './rolling-update.js';
export { SERVICE_EVENT } from './service-events.js';

export { countStartFailures, startDelayMs, throttledUntil } from './start-throttle.js';
export {
  DEFAULT_TIMINGS,
  stoppedTaskSnapshot,
  taskSnapshot,
  type DeploymentSnapshot,
  type SchedulerTimings,
  type ServiceSnapshot,
  type StoppedTaskSnapshot,
  type TaskSnapshot,
  type TickActions,
} from './snapshot.js';
export {
  applyTaskEvent,
  evaluateHealth,
  HEALTH_CHECK_DEFAULTS,
  isStarting,
  STOP,
  STOPPED_REASON,
  taskHealthStatus,
  type ContainerHealth,
  type HealthCheckResult,
  type TaskLifecycle,
  type TaskStopEvent,
} from './task-lifecycle.js';
