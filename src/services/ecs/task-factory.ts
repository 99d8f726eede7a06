/**
 * New tasks, as RunTask and the scheduler create them: PROVISIONING with desiredStatus
 * RUNNING, one container per container definition (PENDING, health UNKNOWN), and the ENI
 * attachment PRECREATED in one of the configured subnets. The scheduler fills in the rest
 * (networkInterfaceId, macAddress, privateIPv4Address, privateDnsName, runtimeId, …).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { containerArn, taskArn, type Partition } from './arns.js';
import type { Cluster, NetworkConfiguration, Tag, Task, TaskDefinition, TaskOverride } from './model.js';
import { PLATFORM_VERSION } from './placement.js';

export interface NewTask {
  cluster: Cluster;
  definition: TaskDefinition;
  /** service:NAME or family:FAMILY. */
  group: string;
  /** The deployment id for a service's task. */
  startedBy?: string;
  networkConfiguration?: NetworkConfiguration;
  overrides?: TaskOverride;
  tags?: Tag[];
  now: Date;
  /** Picks the subnet: the i-th task of a launch goes to subnet i mod n. */
  index?: number;
}

/** A 32-hex-digit task id, as ECS's are. */
export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

/** A new PROVISIONING task (not yet stored: TaskStore.put it). */
export function newTask(partition: Partition, input: NewTask): Task {
  const id = newTaskId();
  const arn = taskArn(partition, input.cluster.clusterName, id);
  const attachmentId = randomUUID();
  const subnets = input.networkConfiguration?.awsvpcConfiguration.subnets ?? [];
  const subnet = subnets.length > 0 ? subnets[(input.index ?? 0) % subnets.length] : undefined;
  const { document } = input.definition;
  const overrides: TaskOverride = input.overrides ?? {
    containerOverrides: document.containerDefinitions.map((c) => ({ name: c.name })),
  };
  const task: Task = {
    taskArn: arn,
    clusterArn: input.cluster.clusterArn,
    taskDefinitionArn: input.definition.taskDefinitionArn,
    group: input.group,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    launchType: 'FARGATE',
    platformVersion: PLATFORM_VERSION,
    platformFamily: 'Linux',
    cpu: overrides.cpu ?? document.cpu,
    memory: overrides.memory ?? document.memory,
    createdAt: input.now,
    containers: document.containerDefinitions.map((c) => ({
      containerArn: containerArn(partition, input.cluster.clusterName, id, randomUUID()),
      taskArn: arn,
      name: c.name,
      image: c.image,
      lastStatus: 'PENDING',
      healthStatus: 'UNKNOWN',
      networkInterfaces: [{ attachmentId }],
      cpu: String(c.cpu ?? 0),
      ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
    })),
    attachments:
      document.networkMode === 'awsvpc'
        ? [
            {
              id: attachmentId,
              type: 'ElasticNetworkInterface',
              status: 'PRECREATED',
              details: subnet ? [{ name: 'subnetId', value: subnet }] : [],
            },
          ]
        : [],
    overrides,
    version: 1,
    tags: input.tags ?? [],
  };
  if (input.startedBy !== undefined) task.startedBy = input.startedBy;
  if (input.networkConfiguration) task.networkConfiguration = input.networkConfiguration;
  return task;
}
