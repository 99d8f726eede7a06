/**
 * Service event messages in AWS's wording (docs/reference/ecs.md §2, observed output). Task ids are the last
 * segment of the task ARN (32 hex digits).
 */

/** The task id (last ARN segment) of a task ARN. */
export function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

const tasksList = (taskArns: readonly string[]): string => taskArns.map((arn) => `(task ${taskId(arn)})`).join(' ');

export const SERVICE_EVENT = {
  /** The runtime emits this once it has created the tasks of a StartAction (their ids are its). */
  startedTasks: (service: string, taskArns: readonly string[]): string =>
    `(service ${service}) has started ${taskArns.length} tasks: ${tasksList(taskArns)}.`,
  stoppedTasks: (service: string, taskArns: readonly string[]): string =>
    `(service ${service}) has stopped ${taskArns.length} running tasks: ${tasksList(taskArns)}.`,
  steadyState: (service: string): string => `(service ${service}) has reached a steady state.`,
  deploymentCompleted: (service: string, deploymentId: string): string =>
    `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string): string =>
    `(service ${service}) (deployment ${deploymentId}) deployment failed: tasks failed to start.`,
  rollingBack: (service: string, deploymentId: string): string =>
    `(service ${service}) rolling back to deployment ${deploymentId}.`,
  failedHealthChecks: (service: string, taskArn: string): string =>
    `(service ${service}) (task ${taskId(taskArn)}) failed container health checks.`,
  /** The start throttle is holding new tasks back (start-throttle.ts). */
  unableToStart: (service: string): string =>
    `(service ${service}) is unable to consistently start tasks successfully.`,
  unableToPlace: (service: string, reason: string): string =>
    `(service ${service}) was unable to place a task. Reason: ${reason}`,
  /**
   * Observed AWS output reads "(service S) was unable…"; the Developer Guide's heading for it
   * writes "service (service-name) was unable…", which is its placeholder style, not the message.
   */
  stuck: (service: string): string =>
    `(service ${service}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`,
} as const;

/** rolloutStateReason wording (observed). */
export const ROLLOUT_REASON = {
  inProgress: (deploymentId: string): string => `ECS deployment ${deploymentId} in progress.`,
  completed: (deploymentId: string): string => `ECS deployment ${deploymentId} completed.`,
  circuitBreaker: 'ECS deployment circuit breaker: tasks failed to start.',
} as const;
