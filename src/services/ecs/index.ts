/**
 * ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): the control plane. Clusters, task
 * definitions, services with their deployments and events, and tasks live in EcsStore; the
 * scheduler (src/scheduler) reads and writes the same store to run the tasks for real.
 * Handlers only record intent: CreateService/UpdateService write deployments, RunTask
 * writes PROVISIONING tasks, StopTask sets desiredStatus STOPPED, DeleteService sets DRAINING.
 *
 * Fidelity
 * - Gaps: load balancers, Cloud Map, service connect, task sets and the CODE_DEPLOY/EXTERNAL
 *   deployment controllers, DAEMON services, capacity providers other than FARGATE and
 *   FARGATE_SPOT (treated as FARGATE), container instances, ExecuteCommand, task protection,
 *   account settings, DeleteTaskDefinitions, StartTask, alarms and the 2025 deployment
 *   strategies. They are refused with InvalidParameterException (or UnknownOperationException
 *   for operations not in EcsOperationName) rather than accepted. Members the API model does
 *   not know are ignored, as AWS's JSON deserialiser ignores them. requiresAttributes are the
 *   common capabilities, not AWS's full derivation. Many ClientException messages for
 *   RegisterTaskDefinition were not seen in an AWS response; errors.ts and
 *   task-definition-rules.ts mark them "unverified".
 * - By design: every task runs on dockyard's Fargate emulation, platform version 1.4.0
 *   (platformVersion LATEST or 1.4.0; anything else is PlatformUnknownException). A request
 *   without launchType or capacityProviderStrategy, which AWS would place on EC2 container
 *   instances, is refused with an explanation. DeleteCluster, DeleteService and
 *   DeregisterTaskDefinition keep the resource as INACTIVE indefinitely. CreateService
 *   writes no service event: AWS's first event is the scheduler's "has started N tasks".
 *   List pagination tokens are opaque offsets.
 * - Client quirks: DescribeServices/DescribeClusters/DescribeTasks answer unknown names with
 *   failures[{arn, reason: MISSING}] (the ServicesStable waiter relies on it); ListTasks
 *   filters on desiredStatus RUNNING unless told otherwise; ListTaskDefinitions' familyPrefix
 *   is a whole family name; RunTask is authorized on the task definition as the request
 *   names it, so FAMILY without a revision is checked as …:task-definition/FAMILY;
 *   "Fargate only supports network mode ‘awsvpc’." keeps AWS's curly quotes.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import type { EcsServiceDeps } from './deps.js';
import { createCluster, deleteCluster, describeClusters, listClusters } from './operations/clusters.js';
import { createService } from './operations/create-service.js';
import { deleteService, describeServices, listServices } from './operations/services.js';
import { listTagsForResource, tagResource, untagResource } from './operations/tags.js';
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitionFamilies,
  listTaskDefinitions,
  registerTaskDefinition,
} from './operations/task-definitions.js';
import { describeTasks, listTasks, runTask, stopTask } from './operations/tasks.js';
import { updateService } from './operations/update-service.js';

export type { AwsVpcValidator, EcsServiceDeps } from './deps.js';
export { EcsStore } from './store.js';

export { newTask } from './task-factory.js';

export * from './arns.js';
export type * from './model.js';

/** Every ECS operation dockyard serves, by AWS's name. */
export type EcsOperationName =
  | 'CreateCluster'
  | 'DescribeClusters'
  | 'ListClusters'
  | 'DeleteCluster'
  | 'RegisterTaskDefinition'
  | 'DescribeTaskDefinition'
  | 'ListTaskDefinitions'
  | 'ListTaskDefinitionFamilies'
  | 'DeregisterTaskDefinition'
  | 'CreateService'
  | 'UpdateService'
  | 'DescribeServices'
  | 'ListServices'
  | 'DeleteService'
  | 'RunTask'
  | 'StopTask'
  | 'DescribeTasks'
  | 'ListTasks'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource';

/** The ECS service over `deps.store`. */
export function createEcsService(deps: EcsServiceDeps): ServiceDefinition {
  const operations: Record<EcsOperationName, AnyOperation> = {
    CreateCluster: createCluster(deps),
    DescribeClusters: describeClusters(deps),
    ListClusters: listClusters(deps),
    DeleteCluster: deleteCluster(deps),
    RegisterTaskDefinition: registerTaskDefinition(deps),
    DescribeTaskDefinition: describeTaskDefinition(deps),
    ListTaskDefinitions: listTaskDefinitions(deps),
    ListTaskDefinitionFamilies: listTaskDefinitionFamilies(deps),
    DeregisterTaskDefinition: deregisterTaskDefinition(deps),
    CreateService: createService(deps),
    UpdateService: updateService(deps),
    DescribeServices: describeServices(deps),
    ListServices: listServices(deps),
    DeleteService: deleteService(deps),
    RunTask: runTask(deps),
    StopTask: stopTask(deps),
    DescribeTasks: describeTasks(deps),
    ListTasks: listTasks(deps),
    TagResource: tagResource(deps),
    UntagResource: untagResource(deps),
    ListTagsForResource: listTagsForResource(deps),
  };
  return {
    signingName: 'ecs',
    title: 'ECS',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    validationErrorCode: 'InvalidParameterException',
    operations,
  };
}
