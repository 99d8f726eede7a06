/**
 * What a failing service looks like in what ECS itself records: which stopped tasks stopped
 * abnormally (not replaced by a deployment, not stopped by a user), which service events report
 * trouble rather than progress, and when a deployment has stalled. Pure; shared by the cloud
 * (a run's deployment notices) and the CLI (deploy, rollback, status, demo), which read the
 * same facts through DescribeTasks and DescribeServices. Nothing here changes what ECS shows;
 * it only decides what to point out.
 */
import { DEFAULT_START_THROTTLE } from './start-throttle.js';
import { taskId } from './service-events.js';

/** A stopped task's facts, as the store keeps them and DescribeTasks returns them. */
export interface StoppedTaskFacts {
  taskArn?: string;
  stopCode?: string;
  stoppedReason?: string;
  /** When it reached RUNNING (absent: it never did). */
  startedAt?: Date;
  stoppedAt?: Date;
  containers?: readonly { name?: string; exitCode?: number; reason?: string }[];
}

/** A deployment's facts, as DescribeServices returns them. */
export interface DeploymentFacts {
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: Date;
}

export interface EventFacts {
  message?: string;
  createdAt?: Date;
}

/**
 * After this many abnormal stops ECS's start throttle begins to delay restarts: from then on a
 * deployment makes no progress by itself, and saying so beats waiting for a timeout.
 */
export const STALL_AFTER_FAILURES = DEFAULT_START_THROTTLE.freeRetries + 1;

/** stoppedReason of a task a deployment replaced or scaled in ("Scaling activity initiated by (deployment …)"). */
const SCALING = /^Scaling activity initiated by /;

/** False for the scheduler's and users' own stops: a deployment replacing the task, StopTask, DeleteService. */
export function isAbnormalStop(task: StoppedTaskFacts): boolean {
  if (task.stopCode === 'UserInitiated') return false;
  return !SCALING.test(task.stoppedReason ?? '');
}

/**
 * One line on why a task stopped, from its own fields: "Task <id> stopped before RUNNING:
 * <stoppedReason> (<stopCode>)", and what its containers said (exit codes, reasons).
 */
export function describeStop(task: StoppedTaskFacts): string {
  const id = task.taskArn ? taskId(task.taskArn) : '(unknown)';
  const containers = (task.containers ?? [])
    .filter((c) => c.reason !== undefined || c.exitCode !== undefined)
    .map((c) => `${c.name ?? '?'} ${c.reason ?? `exit code ${String(c.exitCode)}`}`);
  return (
    `Task ${id} stopped${task.startedAt ? '' : ' before RUNNING'}: ${task.stoppedReason ?? 'no reason given'}` +
    `${task.stopCode ? ` (${task.stopCode})` : ''}${containers.length > 0 ? `; container ${containers.join(', ')}` : ''}`
  );
}

/** Events that report progress (service-events.ts, docs/reference/ecs.md §2); any other event reports trouble. */
const PROGRESS_EVENTS = [
  /\) has started \d+ tasks:/,
  /\) has stopped \d+ running tasks:/,
  /\) has reached a steady state\.$/,
  /\) deployment completed\.$/,
  /\) (registered|deregistered) \d+ targets in /,
  /\) has begun draining connections on /,
];

/** True for a service event that reports trouble (failed checks, throttled starts, a failed or stuck deployment). */
export function isTroubleEvent(message: string): boolean {
  return !PROGRESS_EVENTS.some((pattern) => pattern.test(message));
}

/** Events after which a deployment waits on the user, not on time: throttled starts, a stuck rollout. */
const STALL_EVENTS = [
  /\) is unable to consistently start tasks successfully\.$/,
  /\) was unable to stop or start tasks during a deployment /,
];

export interface Stall {
  /** Why, in ECS's words where it has some. */
  why: string;
  /** The deployment's latest abnormal stop, if any. */
  latest?: StoppedTaskFacts;
  /** Its abnormal stops so far. */
  failures: number;
}

/**
 * Whether a deployment has stalled: it FAILED (the circuit breaker), or it is still in progress
 * and ECS said it cannot start tasks or cannot make progress, or STALL_AFTER_FAILURES of its
 * tasks stopped abnormally. `stops`: the deployment's stopped tasks; `events`: the service's.
 */
export function deploymentStall(
  deployment: DeploymentFacts,
  stops: readonly StoppedTaskFacts[],
  events: readonly EventFacts[],
): Stall | undefined {
  const failures = stops
    .filter(isAbnormalStop)
    .sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0));
  const latest = failures.at(-1);
  const stall = (why: string): Stall => ({ why, failures: failures.length, ...(latest ? { latest } : {}) });
  if (deployment.rolloutState === 'FAILED') return stall(deployment.rolloutStateReason ?? 'the deployment failed');
  if (deployment.rolloutState !== 'IN_PROGRESS') return undefined;
  const since = deployment.createdAt?.getTime() ?? -Infinity;
  const said = events.find(
    (e) => (e.createdAt?.getTime() ?? since) >= since && STALL_EVENTS.some((pattern) => pattern.test(e.message ?? '')),
  );
  if (said?.message) return stall(said.message);
  if (failures.length >= STALL_AFTER_FAILURES)
    return stall(`${failures.length} of its tasks stopped without staying up`);
  return undefined;
}
