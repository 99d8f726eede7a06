/**
 * The deployment circuit breaker (docs/reference/ecs.md §3): counts the PRIMARY deployment's consecutive task
 * failures in `failedTasks`, fails the rollout at the threshold and, with rollback on, asks for
 * a new PRIMARY deployment of the last COMPLETED deployment's task definition.
 *
 * Decisions where docs/reference/ecs.md is open:
 * - "Resets once the deployment has a running task" reads "running" as *counted healthy*
 *   (HEALTHY with a check, else RUNNING for the no-check grace): a crash-looping image reaches
 *   RUNNING for a moment on every attempt and must still trip the breaker (issue 4's
 *   acceptance). While the deployment has such a task, failedTasks is 0 and failures are not
 *   counted.
 * - A failure is a stopped task that was not stopped on purpose (scaling, StopTask) and had not
 *   counted healthy: TaskFailedToStart, stopped before RUNNING, an essential container that
 *   exited, or a scheduler stop for failed container health checks.
 * - failedTasks is counted with the breaker off too (AWS reports it); only tripping needs it on.
 * - Only an IN_PROGRESS PRIMARY is evaluated. No rollback when there is no COMPLETED deployment,
 *   or when it has the failing deployment's own task definition (a failing rollback would
 *   otherwise roll back to itself forever).
 */
import type {
  DeploymentSnapshot,
  DeploymentUpdate,
  RollbackAction,
  SchedulerTimings,
  ServiceSnapshot,
  StoppedTaskSnapshot,
} from './snapshot.js';
import { countsHealthy, DEFAULT_TIMINGS } from './snapshot.js';
import { ROLLOUT_REASON, SERVICE_EVENT } from './service-events.js';
import { STOPPED_REASON } from './task-lifecycle.js';

/** ceil(0.5 × desiredCount) clamped to [3, 200]. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desiredCount)));
}

/** Whether a stopped task counts as a failure of its deployment (see the header). */
export function isTaskFailure(task: StoppedTaskSnapshot, timings: SchedulerTimings = DEFAULT_TIMINGS): boolean {
  if (task.stopCode === 'TaskFailedToStart') return true;
  if (task.stoppedReason === STOPPED_REASON.failedHealthChecks) return true;
  // The task's own doing (an essential container exited) or no recorded cause: a failure unless it had proved healthy.
  if (task.stopCode === 'EssentialContainerExited' || task.stopCode === undefined)
    return task.startedAt === undefined || !wasHealthy(task, timings);
  // Stopped on purpose (scaling, StopTask) or by the infrastructure (Spot, host health).
  return false;
}

function wasHealthy(task: StoppedTaskSnapshot, timings: SchedulerTimings): boolean {
  if (task.healthChecked) return task.healthStatus === 'HEALTHY';
  if (!task.startedAt || !task.stoppingAt) return false;
  return task.stoppingAt.getTime() - task.startedAt.getTime() >= timings.noHealthCheckGraceMs;
}

/** The breaker's verdict for one tick. */
export interface CircuitBreakerDecision {
  /** failedTasks after this tick. */
  failedTasks: number;
  tripped: boolean;
  /** failedTasks and, when tripped, rolloutState FAILED; absent when nothing changes. */
  update?: DeploymentUpdate;
  events: string[];
  rollback?: RollbackAction;
}

/** Evaluates the PRIMARY deployment `primary` of `service` at `now`. */
export function evaluateCircuitBreaker(
  service: ServiceSnapshot,
  primary: DeploymentSnapshot,
  now: Date,
  timings: SchedulerTimings = DEFAULT_TIMINGS,
): CircuitBreakerDecision {
  const unchanged: CircuitBreakerDecision = { failedTasks: primary.failedTasks, tripped: false, events: [] };
  if (primary.rolloutState !== 'IN_PROGRESS') return unchanged;
  const hasHealthyTask = service.tasks.some((t) => t.deploymentId === primary.id && countsHealthy(t, now, timings));
  const failures = (service.stoppedTasks ?? []).filter(
    (t) => t.deploymentId === primary.id && isTaskFailure(t, timings),
  ).length;
  const failedTasks = hasHealthyTask ? 0 : primary.failedTasks + failures;
  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
  const tripped = breaker.enable && failedTasks >= circuitBreakerThreshold(service.desiredCount);
  if (!tripped) {
    return failedTasks === primary.failedTasks
      ? unchanged
      : { failedTasks, tripped, update: { id: primary.id, failedTasks }, events: [] };
  }
  const decision: CircuitBreakerDecision = {
    failedTasks,
    tripped,
    update: { id: primary.id, failedTasks, rolloutState: 'FAILED', rolloutStateReason: ROLLOUT_REASON.circuitBreaker },
    events: [SERVICE_EVENT.deploymentFailed(service.serviceName, primary.id)],
  };
  if (breaker.rollback) {
    const target = service.deployments.find((d) => d.id !== primary.id && d.rolloutState === 'COMPLETED');
    if (target && target.taskDefinition !== primary.taskDefinition) {
      decision.rollback = { toDeploymentId: target.id, taskDefinition: target.taskDefinition };
      decision.events.push(SERVICE_EVENT.rollingBack(service.serviceName, target.id));
    }
  }
  return decision;
}
