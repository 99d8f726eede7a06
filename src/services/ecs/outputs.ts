/**
 * ECS's response shapes, built from the store's entities (camelCase members; Dates, which
 * the protocol renders as epoch seconds). Counts are computed from tasks here, never stored.
 * Tags appear only where AWS returns them (include TAGS, or the creating call's response).
 */
import type { Cluster, Deployment, Service, Task, TaskDefinition } from './model.js';
import type { EcsStore } from './store.js';

/** The service-linked role ECS acts through (AWS names it in every service). */
const serviceLinkedRole = (accountId: string) =>
  `arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;

export function clusterOutput(store: EcsStore, cluster: Cluster, withTags: boolean): Record<string, unknown> {
  const counts = store.tasks.clusterCounts(cluster.clusterName);
  const out: Record<string, unknown> = {
    clusterArn: cluster.clusterArn,
    clusterName: cluster.clusterName,
    status: cluster.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: counts.running,
    pendingTasksCount: counts.pending,
    activeServicesCount:
      cluster.status === 'ACTIVE'
        ? store.services.list(cluster.clusterName).filter((s) => s.status === 'ACTIVE').length
        : 0,
    statistics: [],
    settings: cluster.settings,
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
  if (withTags) out.tags = cluster.tags;
  return out;
}

/** A TaskDefinition as ECS describes it. */
export function taskDefinitionOutput(definition: TaskDefinition): Record<string, unknown> {
  const { document } = definition;
  const out: Record<string, unknown> = {
    taskDefinitionArn: definition.taskDefinitionArn,
    containerDefinitions: document.containerDefinitions,
    family: definition.family,
    taskRoleArn: document.taskRoleArn,
    executionRoleArn: document.executionRoleArn,
    networkMode: document.networkMode,
    revision: definition.revision,
    volumes: document.volumes,
    status: definition.status,
    requiresAttributes: document.requiresAttributes,
    placementConstraints: document.placementConstraints,
    compatibilities: document.compatibilities,
    requiresCompatibilities: document.requiresCompatibilities,
    cpu: document.cpu,
    memory: document.memory,
    pidMode: document.pidMode,
    ipcMode: document.ipcMode,
    ephemeralStorage: document.ephemeralStorage,
    runtimePlatform: document.runtimePlatform,
    registeredAt: definition.registeredAt,
    deregisteredAt: definition.deregisteredAt,
    registeredBy: definition.registeredBy,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

function deploymentOutput(
  deployment: Deployment,
  counts: { running: number; pending: number } | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinition,
    desiredCount: deployment.desiredCount,
    pendingCount: counts?.pending ?? 0,
    runningCount: counts?.running ?? 0,
    failedTasks: deployment.failedTasks,
    createdAt: deployment.createdAt,
    updatedAt: deployment.updatedAt,
    launchType: deployment.launchType,
    platformVersion: deployment.platformVersion,
    platformFamily: 'Linux',
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
  if (deployment.networkConfiguration) out.networkConfiguration = deployment.networkConfiguration;
  return out;
}

/** A Service as ECS describes it: deployments (not INACTIVE), events newest first, counts from tasks. */
export function serviceOutput(store: EcsStore, service: Service, withTags: boolean): Record<string, unknown> {
  const deployments = service.status === 'INACTIVE' ? [] : store.services.deployments(service.serviceArn);
  const counts = store.serviceCounts(service);
  const out: Record<string, unknown> = {
    serviceArn: service.serviceArn,
    serviceName: service.serviceName,
    clusterArn: service.clusterArn,
    loadBalancers: [],
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: counts.running,
    pendingCount: counts.pending,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    platformFamily: 'Linux',
    taskDefinition: service.taskDefinition,
    deploymentConfiguration: service.deploymentConfiguration,
    deployments: deployments.map((d) => deploymentOutput(d, counts.byDeployment.get(d.id))),
    roleArn: serviceLinkedRole(store.partition.accountId),
    events: store.services.events(service.serviceArn),
    createdAt: service.createdAt,
    placementConstraints: [],
    placementStrategy: [],
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: service.createdBy,
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags,
    enableExecuteCommand: service.enableExecuteCommand,
  };
  if (service.networkConfiguration) out.networkConfiguration = service.networkConfiguration;
  if (service.healthCheckGracePeriodSeconds !== undefined)
    out.healthCheckGracePeriodSeconds = service.healthCheckGracePeriodSeconds;
  if (withTags) out.tags = service.tags;
  return out;
}

/** A Task as ECS describes it (the stored task without dockyard's own networkConfiguration and healthyAt). */
export function taskOutput(task: Task, withTags: boolean): Record<string, unknown> {
  const { networkConfiguration: _network, healthyAt: _healthyAt, tags, ...rest } = task;
  const out: Record<string, unknown> = { ...rest };
  if (withTags) out.tags = tags;
  return out;
}
