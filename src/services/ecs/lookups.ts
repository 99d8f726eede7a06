/**
 * Lookups every operation shares: the cluster a request names (ClusterNotFoundException when
 * absent or INACTIVE), the service in it, and a task definition from FAMILY[:REV] or ARN.
 */
import { clusterNameOf, parseTaskDefinitionRef, serviceArn, serviceNameOf } from './arns.js';
import { ecsErrors } from './errors.js';
import type { Cluster, Service, TaskDefinition } from './model.js';
import type { EcsStore } from './store.js';

/** The ACTIVE cluster the request names ("default" when omitted). */
export function requireCluster(store: EcsStore, value: string | undefined): Cluster {
  const cluster = store.clusters.get(clusterNameOf(value));
  if (!cluster || cluster.status !== 'ACTIVE') throw ecsErrors.clusterNotFound();
  return cluster;
}

/** The ARN a service reference means in `cluster`. */
export function serviceArnOf(store: EcsStore, cluster: string, value: string): string {
  return value.startsWith('arn:') ? value : serviceArn(store.partition, cluster, serviceNameOf(value));
}

/** The service (any status), or ServiceNotFoundException. */
export function requireService(store: EcsStore, cluster: Cluster, value: string): Service {
  const service = store.services.get(serviceArnOf(store, cluster.clusterName, value));
  if (!service) throw ecsErrors.serviceNotFound();
  return service;
}

/** The task definition a reference names: FAMILY → latest ACTIVE revision. ClientException when none. */
export function requireTaskDefinition(store: EcsStore, value: string): TaskDefinition {
  const ref = parseTaskDefinitionRef(value);
  const definition = ref ? store.taskDefinitions.resolve(ref) : undefined;
  if (!definition) throw ecsErrors.unableToDescribeTaskDefinition();
  return definition;
}

/** The task definition a service or task may use: it must exist and be ACTIVE. */
export function requireActiveTaskDefinition(store: EcsStore, value: string): TaskDefinition {
  const definition = requireTaskDefinition(store, value);
  if (definition.status !== 'ACTIVE') throw ecsErrors.taskDefinitionInactive();
  return definition;
}
