/**
 * The task metadata endpoint's documents (v4, also served at v3), in the ECS agent's shape on
 * Fargate: the container document (`${ECS_CONTAINER_METADATA_URI_V4}`) and the task document
 * (`/task`) with every container of the task. Pure: built from the task's record and the
 * engine's inspection of its containers.
 *
 * Not served: ClockDrift, EphemeralStorageMetrics and the networks' MAC address and subnet CIDR
 * (dockyard's ENIs have none that the container sees).
 */
import type { ContainerDetails } from '../engine/contract.js';
import type { Task, TaskDefinition } from '../services/ecs/model.js';

/** What one container document is built from. */
export interface ContainerFacts {
  name: string;
  details: ContainerDetails | undefined;
}

export function containerDocument(
  task: Task,
  definition: TaskDefinition | undefined,
  facts: ContainerFacts,
): Record<string, unknown> {
  const record = task.containers.find((c) => c.name === facts.name);
  const container = definition?.document.containerDefinitions.find((c) => c.name === facts.name);
  const details = facts.details;
  const address = task.attachments[0]?.details.find((d) => d.name === 'privateIPv4Address')?.value;
  const doc: Record<string, unknown> = {
    DockerId: details?.id ?? record?.runtimeId ?? '',
    Name: facts.name,
    DockerName: details?.name ?? '',
    Image: container?.image ?? record?.image ?? '',
    ImageID: details?.imageId ?? record?.imageDigest ?? '',
    Labels: {
      'com.amazonaws.ecs.cluster': task.clusterArn,
      'com.amazonaws.ecs.container-name': facts.name,
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.task-definition-family': definition?.family ?? '',
      'com.amazonaws.ecs.task-definition-version': String(definition?.revision ?? ''),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: record?.lastStatus ?? task.lastStatus,
    Limits: { CPU: container?.cpu ?? 0, Memory: container?.memory ?? 0 },
    Type: 'NORMAL',
    ContainerARN: record?.containerArn ?? '',
    Networks: [
      {
        NetworkMode: 'awsvpc',
        IPv4Addresses: address ? [address] : [],
        AttachmentIndex: 0,
        PrivateDNSName: task.attachments[0]?.details.find((d) => d.name === 'privateDnsName')?.value ?? '',
      },
    ],
  };
  if (details?.startedAt) doc.StartedAt = details.startedAt.toISOString();
  if (record?.exitCode !== undefined) doc.ExitCode = record.exitCode;
  const log = container?.logConfiguration;
  if (log) {
    doc.LogDriver = log.logDriver;
    doc.LogOptions = log.options ?? {};
  }
  return doc;
}

export function taskDocument(
  task: Task,
  definition: TaskDefinition | undefined,
  containers: ContainerFacts[],
): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    Cluster: task.clusterArn,
    TaskARN: task.taskArn,
    Family: definition?.family ?? '',
    Revision: String(definition?.revision ?? ''),
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: Number(task.cpu ?? 256) / 1024, Memory: Number(task.memory ?? 512) },
    LaunchType: task.launchType,
    Containers: containers.map((c) => containerDocument(task, definition, c)),
  };
  if (task.pullStartedAt) doc.PullStartedAt = task.pullStartedAt.toISOString();
  if (task.pullStoppedAt) doc.PullStoppedAt = task.pullStoppedAt.toISOString();
  if (task.availabilityZone) doc.AvailabilityZone = task.availabilityZone;
  return doc;
}
