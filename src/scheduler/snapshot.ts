/**
 * What the scheduler decides from and what it decides: one service's state at one tick (the
 * snapshot) and the actions for that tick. Both are plain data so the decisions are pure and
 * the runtime alone talks to the ECS store and the container engine.
 */
import type { StartFailures, StartThrottleTimings } from './start-throttle.js';
import type {
  DeploymentConfiguration,
  DeploymentStatus,
  DesiredStatus,
  Deployment,
  HealthStatus,
  RolloutState,
  StopCode,
  Task,
  TaskStatus,
} from '../services/ecs/model.js';

/** A deployment as the scheduler reads it (a subset of the stored Deployment). */
export type DeploymentSnapshot = Pick<
  Deployment,
  'id' | 'status' | 'taskDefinition' | 'desiredCount' | 'failedTasks' | 'rolloutState' | 'rolloutStateReason'
>;

/** A live task (lastStatus not STOPPED) of the service. */
export interface TaskSnapshot {
  taskArn: string;
  /** task.startedBy. */
  deploymentId: string;
  lastStatus: TaskStatus;
  desiredStatus: DesiredStatus;
  /** task.healthStatus (from its essential containers' checks). */
  healthStatus: HealthStatus;
  /** Whether an essential container of its task definition has a health check. */
  healthChecked: boolean;
  /** When it reached RUNNING. */
  startedAt?: Date;
  createdAt: Date;
  /**
   * The service's endpoint routes to it and its app accepts connections there (the runtime's
   * view; absent: not known to serve). A task without a health check serves before it counts
   * healthy (40 s after RUNNING).
   */
  serving?: boolean;
}

/** A task of the service that reached STOPPED since the previous tick (the circuit breaker's input). */
export interface StoppedTaskSnapshot {
  taskArn: string;
  deploymentId: string;
  stopCode?: StopCode;
  stoppedReason?: string;
  /** When it reached RUNNING, if it did. */
  startedAt?: Date;
  /** When it was told to stop (or its essential container exited). */
  stoppingAt?: Date;
  healthChecked: boolean;
  /** Its healthStatus when it stopped. */
  healthStatus: HealthStatus;
}

/** One service at one tick. */
export interface ServiceSnapshot {
  serviceName: string;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfiguration;
  /**
   * Every deployment, newest first, the PRIMARY one first; INACTIVE ones may be included (the
   * rollback target can already be INACTIVE) and are otherwise ignored.
   */
  deployments: readonly DeploymentSnapshot[];
  /** Live tasks: lastStatus is not STOPPED. */
  tasks: readonly TaskSnapshot[];
  /** Tasks that reached STOPPED after the previous tick, each given once. */
  stoppedTasks?: readonly StoppedTaskSnapshot[];
  /** The PRIMARY deployment's failures to start, for the start throttle (start-throttle.ts). */
  startFailures?: StartFailures;
}

/** Timings the runtime may shorten for tests. */
export interface SchedulerTimings {
  /** A RUNNING task without a health check counts as healthy this long after it started (ECS: 40 s). */
  noHealthCheckGraceMs: number;
  /** The start throttle's schedule (default: DEFAULT_START_THROTTLE). */
  startThrottle?: StartThrottleTimings;
}

export const DEFAULT_TIMINGS: SchedulerTimings = { noHealthCheckGraceMs: 40_000 };

/** Start `count` new tasks of a deployment (its task definition given for convenience). */
export interface StartAction {
  deploymentId: string;
  taskDefinition: string;
  count: number;
}

/** Stop one task: set desiredStatus STOPPED with this stopCode and stoppedReason. */
export interface StopAction {
  taskArn: string;
  deploymentId: string;
  reason: string;
  stopCode: StopCode;
}

/** Members of one deployment to overwrite (only those present). */
export interface DeploymentUpdate {
  id: string;
  status?: DeploymentStatus;
  desiredCount?: number;
  failedTasks?: number;
  rolloutState?: RolloutState;
  rolloutStateReason?: string;
}

/** The circuit breaker's rollback: a new PRIMARY deployment of `taskDefinition`. */
export interface RollbackAction {
  /** The last COMPLETED deployment being rolled back to. */
  toDeploymentId: string;
  taskDefinition: string;
}

/** Everything the runtime should do for one service this tick, in this order. */
export interface TickActions {
  deploymentUpdates: DeploymentUpdate[];
  /** Changes to the service itself (set taskDefinition before starting the rollback deployment). */
  serviceUpdates: { taskDefinition?: string };
  rollback?: RollbackAction;
  stop: StopAction[];
  start: StartAction[];
  /** Service event messages, oldest first; "has started" is the runtime's (see startedTasksEvent). */
  events: string[];
}

/**
 * Whether a task counts toward minimumHealthyPercent: RUNNING, not being stopped, and HEALTHY
 * when it has a health check, or RUNNING for the grace period (40 s) when it has none.
 */
export function countsHealthy(task: TaskSnapshot, now: Date, timings: SchedulerTimings = DEFAULT_TIMINGS): boolean {
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus === 'STOPPED') return false;
  if (task.healthChecked) return task.healthStatus === 'HEALTHY';
  return task.startedAt !== undefined && now.getTime() - task.startedAt.getTime() >= timings.noHealthCheckGraceMs;
}

/** The snapshot of a stored task; `healthChecked` comes from its task definition, `serving` from the runtime. */
export function taskSnapshot(task: Task, healthChecked: boolean, serving = false): TaskSnapshot {
  const snapshot: TaskSnapshot = {
    taskArn: task.taskArn,
    deploymentId: task.startedBy ?? '',
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.healthStatus,
    healthChecked,
    createdAt: task.createdAt,
  };
  if (task.startedAt) snapshot.startedAt = task.startedAt;
  if (serving) snapshot.serving = true;
  return snapshot;
}

/** The snapshot of a stored task that has reached STOPPED. */
export function stoppedTaskSnapshot(task: Task, healthChecked: boolean): StoppedTaskSnapshot {
  const snapshot: StoppedTaskSnapshot = {
    taskArn: task.taskArn,
    deploymentId: task.startedBy ?? '',
    healthChecked,
    healthStatus: task.healthStatus,
  };
  if (task.stopCode) snapshot.stopCode = task.stopCode;
  if (task.stoppedReason) snapshot.stoppedReason = task.stoppedReason;
  if (task.startedAt) snapshot.startedAt = task.startedAt;
  if (task.stoppingAt) snapshot.stoppingAt = task.stoppingAt;
  return snapshot;
}
