/**
 * Starting a deployment: the service's new PRIMARY deployment (IN_PROGRESS, "ECS deployment
 * ecs-svc/N in progress."), the previous PRIMARY becoming ACTIVE. The scheduler takes it
 * from there: it starts and stops tasks, completes, fails or rolls back the rollout and
 * marks drained deployments INACTIVE.
 */
import type { Caller } from '../../core/operation.js';
import type { Deployment, DeploymentConfiguration, DeploymentInitiator, Service } from './model.js';
import { PLATFORM_VERSION } from './placement.js';
import { newDeploymentId, type ServiceStore } from './service-store.js';
import type { DeploymentConfigurationInput } from './input-rules.js';

/** rolloutStateReason of a deployment in progress. */
export const inProgressReason = (id: string): string => `ECS deployment ${id} in progress.`;

/**
 * Writes a new PRIMARY deployment of `service` as it is now; the old PRIMARY becomes ACTIVE.
 * `initiatedBy`: the API caller that asked for it (none for the scheduler's rollbacks).
 */
export function startDeployment(
  services: ServiceStore,
  service: Service,
  now: Date,
  initiatedBy?: DeploymentInitiator,
): Deployment {
  for (const previous of services.deployments(service.serviceArn)) {
    if (previous.status === 'PRIMARY') services.putDeployment({ ...previous, status: 'ACTIVE', updatedAt: now });
  }
  const id = newDeploymentId();
  const deployment: Deployment = {
    id,
    serviceArn: service.serviceArn,
    status: 'PRIMARY',
    taskDefinition: service.taskDefinition,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: inProgressReason(id),
    launchType: 'FARGATE',
    platformVersion: PLATFORM_VERSION,
    createdAt: now,
    updatedAt: now,
  };
  if (service.networkConfiguration) deployment.networkConfiguration = service.networkConfiguration;
  if (initiatedBy) deployment.initiatedBy = initiatedBy;
  services.putDeployment(deployment);
  return deployment;
}

/** deploymentConfiguration with AWS's defaults (100/200, circuit breaker off) under what was given. */
export function deploymentConfiguration(
  given: DeploymentConfigurationInput | undefined,
  base?: DeploymentConfiguration,
): DeploymentConfiguration {
  return {
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker ??
      base?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
    maximumPercent: given?.maximumPercent ?? base?.maximumPercent ?? 200,
    minimumHealthyPercent: given?.minimumHealthyPercent ?? base?.minimumHealthyPercent ?? 100,
  };
}

/** The deployment's initiator for an API caller: its access key, and its session's CI run. */
export function initiatorOf(caller: Caller): DeploymentInitiator | undefined {
  if (caller.kind === 'anonymous') return undefined;
  return {
    accessKeyId: caller.accessKeyId,
    ...(caller.kind === 'assumed-role' && caller.ciRunId !== undefined ? { ciRunId: caller.ciRunId } : {}),
  };
}
