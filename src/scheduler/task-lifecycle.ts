/**
 * The ECS task state machine and container health, as pure functions of their inputs and an
 * injected `now` (docs/reference/ecs.md §5). The runtime owns the side effects: it performs a step (attach the
 * network, pull and create the containers, register, stop containers, …) and then applies the
 * matching event here to get the task's next recorded state.
 *
 *   start path  PROVISIONING → PENDING → ACTIVATING → RUNNING              (event `advance`)
 *   stop path   DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED           (event `advance`)
 *   `stop`      enters the stop path from wherever the task is: PROVISIONING has nothing to
 *               undo but its ENI (→ DEPROVISIONING), PENDING has containers being created
 *               (→ STOPPING), ACTIVATING and RUNNING have registrations to undo (→ DEACTIVATING).
 *
 * Events that no longer apply (a container exiting after the task was told to stop, a second
 * stop) leave the task as it is: the first stop's code and reason win, as on AWS.
 */
import type { DesiredStatus, HealthCheck, HealthStatus, StopCode, Task, TaskStatus } from '../services/ecs/model.js';

/** The lifecycle members of a task that transitions write. */
export type TaskLifecycle = Pick<
  Task,
  | 'lastStatus'
  | 'desiredStatus'
  | 'stopCode'
  | 'stoppedReason'
  | 'startedAt'
  | 'stoppingAt'
  | 'executionStoppedAt'
  | 'stoppedAt'
>;

/** What happened to a task: a finished runtime step, or a reason to stop it. */
export type TaskLifecycleEvent = { type: 'advance' } | TaskStopEvent;

/** A reason to stop the task, with AWS's stopCode and stoppedReason. */
export interface TaskStopEvent {
  type: 'stop';
  stopCode: StopCode;
  reason: string;
}

/** stoppedReason wording (observed AWS strings, docs/reference/ecs.md §5). */
export const STOPPED_REASON = {
  essentialContainerExited: 'Essential container in task exited',
  failedHealthChecks: 'Task failed container health checks',
  stoppedByUser: 'Task stopped by user',
  scaling: (deploymentId: string): string => `Scaling activity initiated by (deployment ${deploymentId})`,
  cannotPullContainer: (detail: string): string => `CannotPullContainerError: ${detail}`,
  resourceInitialization: (detail: string): string => `ResourceInitializationError: ${detail}`,
  cannotStartContainer: (detail: string): string => `CannotStartContainerError: ${detail}`,
  /** dockyard's own: the cloud process died while the task was starting (no AWS wording exists). */
  startInterrupted: 'Task stopped because the cloud restarted while the task was starting',
} as const;

/** Ready-made stop events, with the stopCode AWS pairs with each reason. */
export const STOP = {
  essentialContainerExited: (): TaskStopEvent =>
    stop('EssentialContainerExited', STOPPED_REASON.essentialContainerExited),
  failedHealthChecks: (): TaskStopEvent => stop('ServiceSchedulerInitiated', STOPPED_REASON.failedHealthChecks),
  byUser: (): TaskStopEvent => stop('UserInitiated', STOPPED_REASON.stoppedByUser),
  scaling: (deploymentId: string): TaskStopEvent =>
    stop('ServiceSchedulerInitiated', STOPPED_REASON.scaling(deploymentId)),
  cannotPullContainer: (detail: string): TaskStopEvent =>
    stop('TaskFailedToStart', STOPPED_REASON.cannotPullContainer(detail)),
  resourceInitialization: (detail: string): TaskStopEvent =>
    stop('TaskFailedToStart', STOPPED_REASON.resourceInitialization(detail)),
  cannotStartContainer: (detail: string): TaskStopEvent =>
    stop('TaskFailedToStart', STOPPED_REASON.cannotStartContainer(detail)),
  /** The host's failure, not the task's: the circuit breaker does not count it. */
  startInterrupted: (): TaskStopEvent => stop('InfrastructureHealth', STOPPED_REASON.startInterrupted),
} as const;

function stop(stopCode: StopCode, reason: string): TaskStopEvent {
  return { type: 'stop', stopCode, reason };
}

/** The start path's and stop path's next status; undefined at the end of a path. */
const NEXT: Partial<Record<TaskStatus, TaskStatus>> = {
  PROVISIONING: 'PENDING',
  PENDING: 'ACTIVATING',
  ACTIVATING: 'RUNNING',
  DEACTIVATING: 'STOPPING',
  STOPPING: 'DEPROVISIONING',
  DEPROVISIONING: 'STOPPED',
};

/** Where `stop` enters the stop path from each status; undefined when already on it. */
const STOP_ENTRY: Partial<Record<TaskStatus, TaskStatus>> = {
  PROVISIONING: 'DEPROVISIONING',
  PENDING: 'STOPPING',
  ACTIVATING: 'DEACTIVATING',
  RUNNING: 'DEACTIVATING',
};

/** True for the statuses before RUNNING. */
export function isStarting(status: TaskStatus): boolean {
  return status === 'PROVISIONING' || status === 'PENDING' || status === 'ACTIVATING';
}

/** True for DEACTIVATING, STOPPING, DEPROVISIONING and STOPPED. */
export function isStopping(status: TaskStatus): boolean {
  return status === 'DEACTIVATING' || status === 'STOPPING' || status === 'DEPROVISIONING' || status === 'STOPPED';
}

/** The task's next lifecycle state after `event` at `now`; the same object when the event does not apply. */
export function applyTaskEvent<T extends TaskLifecycle>(task: T, event: TaskLifecycleEvent, now: Date): T {
  if (event.type === 'stop') {
    const entry = STOP_ENTRY[task.lastStatus];
    if (task.desiredStatus === 'STOPPED' && !entry) return task;
    const desiredStatus: DesiredStatus = 'STOPPED';
    const stopped: T = {
      ...task,
      desiredStatus,
      stopCode: task.stopCode ?? event.stopCode,
      stoppedReason: task.stoppedReason ?? event.reason,
      stoppingAt: task.stoppingAt ?? now,
    };
    if (!entry) return stopped;
    // Entering DEPROVISIONING means no container runs any more (none ever did from PROVISIONING).
    return entry === 'DEPROVISIONING'
      ? { ...stopped, lastStatus: entry, executionStoppedAt: now }
      : { ...stopped, lastStatus: entry };
  }
  // A task told to stop while starting leaves the start path at its next step.
  if (task.desiredStatus === 'STOPPED' && (isStarting(task.lastStatus) || task.lastStatus === 'RUNNING')) {
    const entry = STOP_ENTRY[task.lastStatus];
    return entry ? { ...task, lastStatus: entry } : task;
  }
  const next = NEXT[task.lastStatus];
  if (!next) return task;
  const moved: T = { ...task, lastStatus: next };
  if (next === 'RUNNING') moved.startedAt = now;
  if (next === 'DEPROVISIONING') moved.executionStoppedAt = now;
  if (next === 'STOPPED') moved.stoppedAt = now;
  return moved;
}

/** One health check run: when it finished and whether the command exited 0 within the timeout. */
export interface HealthCheckResult {
  at: Date;
  ok: boolean;
}

/** evaluateHealth's answer. */
export interface HealthEvaluation {
  status: HealthStatus;
  /** Failures counted toward `retries` since the last success. */
  consecutiveFailures: number;
  /** When the next check should run: `interval` after the last result (or after the start). */
  nextCheckAt: Date;
  /** now ≥ nextCheckAt. */
  due: boolean;
}

/** ECS's health-check defaults (seconds; docs/reference/ecs.md §5). */
export const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 } as const;

/**
 * A container's health from its check's results (oldest first) since the container started:
 * UNKNOWN until decided; a success marks it HEALTHY at once, during the start period too, and
 * resets the failure count; a failure inside the start period is ignored unless the container
 * has already been HEALTHY; `retries` consecutive counted failures make it UNHEALTHY; a later
 * success makes it HEALTHY again. Results after `now` are not seen yet.
 */
export function evaluateHealth(
  check: HealthCheck,
  results: readonly HealthCheckResult[],
  containerStartedAt: Date,
  now: Date,
): HealthEvaluation {
  const interval = (check.interval ?? HEALTH_CHECK_DEFAULTS.interval) * 1000;
  const retries = check.retries ?? HEALTH_CHECK_DEFAULTS.retries;
  const startPeriodEnds =
    containerStartedAt.getTime() + (check.startPeriod ?? HEALTH_CHECK_DEFAULTS.startPeriod) * 1000;
  let status: HealthStatus = 'UNKNOWN';
  let failures = 0;
  let everHealthy = false;
  let last = containerStartedAt.getTime();
  for (const result of results) {
    const at = result.at.getTime();
    if (at > now.getTime()) break;
    last = at;
    if (result.ok) {
      status = 'HEALTHY';
      everHealthy = true;
      failures = 0;
      continue;
    }
    if (!everHealthy && at < startPeriodEnds) continue;
    failures++;
    if (failures >= retries) status = 'UNHEALTHY';
  }
  const nextCheckAt = new Date(last + interval);
  return { status, consecutiveFailures: failures, nextCheckAt, due: now.getTime() >= nextCheckAt.getTime() };
}

/** A container as task health sees it. */
export interface ContainerHealth {
  essential: boolean;
  /** Whether its definition has a healthCheck. */
  healthChecked: boolean;
  healthStatus: HealthStatus;
}

/**
 * task.healthStatus: UNHEALTHY when an essential container is UNHEALTHY; HEALTHY when every
 * essential container with a check is HEALTHY; otherwise (still evaluating, or no essential
 * container has a check) UNKNOWN. Essential containers without a check don't hold it back:
 * they can only ever report UNKNOWN.
 */
export function taskHealthStatus(containers: readonly ContainerHealth[]): HealthStatus {
  const checked = containers.filter((c) => c.essential && c.healthChecked);
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.length > 0 && checked.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}
