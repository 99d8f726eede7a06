/**
 * RegisterTaskDefinition's semantic checks and defaults, in ECS's words (ClientException).
 * Input is what shapes.ts read (model members only, types already checked); output is the
 * document that is stored and described: essential defaults to true, port mappings get
 * protocol tcp and (awsvpc, host) hostPort = containerPort, empty lists are filled in as ECS
 * fills them, health checks get their defaults, task cpu/memory are normalised.
 * Messages quoted in docs/reference/ecs.md are AWS's; the ones marked "unverified" follow its style.
 */
import { clientError } from './errors.js';
import { isFargateSize, parseCpu, parseMemory } from './fargate.js';
import type {
  Compatibility,
  ContainerDefinition,
  HealthCheck,
  NetworkMode,
  PortMapping,
  TaskDefinitionDocument,
} from './model.js';

/** The request's task-level members, as read. */
export interface RawTaskDefinition {
  family: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  networkMode?: NetworkMode;
  containerDefinitions: Record<string, unknown>[];
  volumes?: Record<string, unknown>[];
  placementConstraints?: Record<string, unknown>[];
  requiresCompatibilities?: Compatibility[];
  cpu?: string;
  memory?: string;
  pidMode?: string;
  ipcMode?: string;
  ephemeralStorage?: { sizeInGiB: number };
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
}

/** What the checks need from the rest of the cloud. */
export interface TaskDefinitionEnvironment {
  /** True when the role ARN names an existing IAM role. */
  roleExists(arn: string): boolean;
  /** True when the image is pulled from ECR (AWS's or the local registry). */
  isEcrImage(image: string): boolean;
}

export const MAX_CONTAINERS = 10;
export const MAX_SIZE_BYTES = 65536;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/.+$/;

/** Checks the request and returns the document to store. */
export function validateTaskDefinition(raw: RawTaskDefinition, env: TaskDefinitionEnvironment): TaskDefinitionDocument {
  if (!NAME.test(raw.family)) {
    // Unverified wording.
    throw clientError(
      'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
    );
  }
  // Unverified wording (the model requires the list; ECS refuses an empty one).
  if (raw.containerDefinitions.length === 0) throw clientError('Container list cannot be empty.');
  if (raw.containerDefinitions.length > MAX_CONTAINERS)
    throw clientError(`Too many containers. A task definition can have at most ${MAX_CONTAINERS} containers.`); // unverified
  const size = Buffer.byteLength(JSON.stringify(raw), 'utf8');
  if (size > MAX_SIZE_BYTES)
    throw clientError(`Actual length: '${size}'. Max allowed length is '${MAX_SIZE_BYTES}' bytes.`);

  const networkMode = raw.networkMode ?? 'bridge';
  const cpu = raw.cpu === undefined ? undefined : parseCpu(raw.cpu);
  if (raw.cpu !== undefined && cpu === undefined) {
    throw clientError(
      "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    );
  }
  const memory = raw.memory === undefined ? undefined : parseMemory(raw.memory);
  if (raw.memory !== undefined && memory === undefined) {
    throw clientError(
      "Invalid 'memory' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    ); // unverified
  }

  const containers = raw.containerDefinitions.map((c) => normaliseContainer(c, networkMode));
  checkContainers(containers, { cpu, memory });

  const requiresFargate = raw.requiresCompatibilities?.includes('FARGATE') ?? false;
  const fargateProblem = fargateIncompatibility(raw, networkMode, cpu, memory, containers, env);
  if (requiresFargate && fargateProblem) throw clientError(fargateProblem);
  if (memory === undefined) {
    const without = containers.find((c) => c.memory === undefined && c.memoryReservation === undefined);
    if (without && !requiresFargate) {
      throw clientError(
        `Invalid setting for container '${without.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
  }
  for (const role of [raw.taskRoleArn, raw.executionRoleArn]) {
    if (role !== undefined && (!ROLE_ARN.test(role) || !env.roleExists(role))) throw clientError('Role is not valid');
  }

  const document: TaskDefinitionDocument = {
    containerDefinitions: containers,
    volumes: raw.volumes ?? [],
    placementConstraints: raw.placementConstraints ?? [],
    compatibilities: fargateProblem ? ['EC2'] : ['EC2', 'FARGATE'],
    requiresAttributes: requiredAttributes(raw, networkMode, containers, env),
  };
  if (raw.taskRoleArn !== undefined) document.taskRoleArn = raw.taskRoleArn;
  if (raw.executionRoleArn !== undefined) document.executionRoleArn = raw.executionRoleArn;
  if (raw.networkMode !== undefined) document.networkMode = raw.networkMode;
  if (raw.requiresCompatibilities !== undefined) document.requiresCompatibilities = raw.requiresCompatibilities;
  if (cpu !== undefined) document.cpu = String(cpu);
  if (memory !== undefined) document.memory = String(memory);
  if (raw.pidMode !== undefined) document.pidMode = raw.pidMode;
  if (raw.ipcMode !== undefined) document.ipcMode = raw.ipcMode;
  if (raw.ephemeralStorage !== undefined) document.ephemeralStorage = raw.ephemeralStorage;
  if (raw.runtimePlatform !== undefined) document.runtimePlatform = raw.runtimePlatform;
  return document;
}

/** Why the task definition cannot run on Fargate (AWS's message), or undefined. */
function fargateIncompatibility(
  raw: RawTaskDefinition,
  networkMode: NetworkMode,
  cpu: number | undefined,
  memory: number | undefined,
  containers: readonly ContainerDefinition[],
  env: TaskDefinitionEnvironment,
): string | undefined {
  if (networkMode !== 'awsvpc') return 'Fargate only supports network mode \u2018awsvpc\u2019.';
  if (cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (memory === undefined) return "Fargate requires that 'memory' be defined at the task level."; // unverified
  if (!isFargateSize(cpu, memory)) return 'No Fargate configuration exists for given values.';
  if (raw.executionRoleArn === undefined) {
    if (containers.some((c) => env.isEcrImage(c.image)))
      return 'Fargate requires task definition to have execution role ARN to support ECR images.';
    if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
      return 'Fargate requires task definition to have execution role ARN to support log driver awslogs.';
    }
  }
  const tooLong = containers.find((c) => c.stopTimeout !== undefined && c.stopTimeout > 120);
  if (tooLong)
    return `Invalid 'stopTimeout' setting for container '${tooLong.name}'. Fargate allows at most 120 seconds.`; // unverified
  return undefined;
}

/** Applies ECS's container defaults and checks one container on its own. */
function normaliseContainer(input: Record<string, unknown>, networkMode: NetworkMode): ContainerDefinition {
  const name = typeof input.name === 'string' ? input.name : '';
  const image = typeof input.image === 'string' ? input.image : '';
  if (name === '') throw clientError('Container.name should not be null or empty.'); // unverified
  if (!NAME.test(name)) {
    throw clientError(
      `Invalid container name '${name}'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
    ); // unverified
  }
  if (image === '') throw clientError('Container.image should not be null or empty.');
  if (image.length > 255) throw clientError(`Invalid image for container '${name}'. Up to 255 characters are allowed.`); // unverified
  const container: ContainerDefinition = {
    ...input,
    name,
    image,
    essential: input.essential === undefined ? true : input.essential === true,
    portMappings: ((input.portMappings as PortMapping[] | undefined) ?? []).map((m) => portMapping(m, networkMode)),
    environment: (input.environment as ContainerDefinition['environment'] | undefined) ?? [],
    mountPoints: (input.mountPoints as unknown[] | undefined) ?? [],
    volumesFrom: (input.volumesFrom as unknown[] | undefined) ?? [],
    systemControls: (input.systemControls as unknown[] | undefined) ?? [],
  };
  if (container.healthCheck !== undefined) container.healthCheck = healthCheck(name, container.healthCheck);
  return container;
}

function portMapping(mapping: PortMapping, networkMode: NetworkMode): PortMapping {
  const out: PortMapping = { ...mapping, protocol: mapping.protocol ?? 'tcp' };
  if (out.protocol !== 'tcp' && out.protocol !== 'udp')
    throw clientError(`Invalid protocol '${String(out.protocol)}' in port mappings. Valid values are tcp and udp.`); // unverified
  for (const port of [out.containerPort, out.hostPort]) {
    if (port !== undefined && (port < 0 || port > 65535))
      throw clientError('Invalid port in port mappings. Ports must be between 0 and 65535.'); // unverified
  }
  if (networkMode === 'awsvpc' || networkMode === 'host') {
    if (out.hostPort !== undefined && out.containerPort !== undefined && out.hostPort !== out.containerPort) {
      throw clientError(
        `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
      );
    }
    if (out.hostPort === undefined && out.containerPort !== undefined) out.hostPort = out.containerPort;
  }
  return out;
}

/** Health check ranges (docs/reference/ecs.md §5) and their defaults. */
function healthCheck(container: string, check: HealthCheck): HealthCheck {
  const invalid = (detail: string) =>
    clientError(`Invalid 'healthCheck' setting for container '${container}'. ${detail}`); // unverified wording
  const first = check.command?.[0];
  if (first !== 'CMD' && first !== 'CMD-SHELL') throw invalid("'command' must start with CMD or CMD-SHELL.");
  if (check.command.length < 2) throw invalid("'command' must name the command to run.");
  const ranged = (
    name: 'interval' | 'timeout' | 'retries' | 'startPeriod',
    min: number,
    max: number,
    fallback: number | undefined,
  ) => {
    const value = check[name] ?? fallback;
    if (value !== undefined && (value < min || value > max))
      throw invalid(`'${name}' must be between ${min} and ${max}.`);
    return value;
  };
  const out: HealthCheck = { command: check.command };
  out.interval = ranged('interval', 5, 300, 30);
  out.timeout = ranged('timeout', 2, 60, 5);
  out.retries = ranged('retries', 1, 10, 3);
  const startPeriod = ranged('startPeriod', 0, 300, undefined);
  if (startPeriod !== undefined) out.startPeriod = startPeriod;
  return out;
}

/** Checks across containers: uniqueness, essential, limits against the task's. */
function checkContainers(containers: readonly ContainerDefinition[], task: { cpu?: number; memory?: number }): void {
  const seen = new Set<string>();
  for (const c of containers) {
    if (seen.has(c.name))
      throw clientError(
        `Duplicate container name '${c.name}'. Container names must be unique within a task definition.`,
      ); // unverified
    seen.add(c.name);
    if (c.memory !== undefined && c.memory < 6)
      throw clientError(`Invalid 'memory' setting for container '${c.name}'. The minimum is 6 MiB.`); // unverified
    if (c.memoryReservation !== undefined && c.memory !== undefined && c.memoryReservation > c.memory) {
      throw clientError(
        `Invalid setting for container '${c.name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
      ); // unverified
    }
    if (task.memory !== undefined && c.memory !== undefined && c.memory > task.memory) {
      throw clientError(
        `Invalid 'memory' setting for container '${c.name}'. It exceeds the task's memory (${task.memory} MiB).`,
      ); // unverified
    }
    if (c.cpu !== undefined && c.cpu < 0) throw clientError(`Invalid 'cpu' setting for container '${c.name}'.`); // unverified
  }
  if (!containers.some((c) => c.essential)) throw clientError('At least one essential container is required.'); // unverified
  if (task.cpu !== undefined) {
    const sum = containers.reduce((total, c) => total + (c.cpu ?? 0), 0);
    if (sum > task.cpu)
      throw clientError(
        `Invalid 'cpu' setting for containers. The sum of container 'cpu' values (${sum}) exceeds the task's 'cpu' (${task.cpu}).`,
      ); // unverified
  }
  if (task.memory !== undefined) {
    const reserved = containers.reduce((total, c) => total + (c.memoryReservation ?? c.memory ?? 0), 0);
    if (reserved > task.memory) {
      throw clientError(
        `Invalid 'memory' setting for containers. The sum of container memory reservations (${reserved}) exceeds the task's 'memory' (${task.memory}).`,
      ); // unverified
    }
  }
}

/** requiresAttributes as ECS derives them (the common capabilities; approximate). */
function requiredAttributes(
  raw: RawTaskDefinition,
  networkMode: NetworkMode,
  containers: readonly ContainerDefinition[],
  env: TaskDefinitionEnvironment,
): { name: string }[] {
  const names: string[] = ['com.amazonaws.ecs.capability.docker-remote-api.1.18'];
  if (containers.some((c) => env.isEcrImage(c.image))) {
    names.push('com.amazonaws.ecs.capability.ecr-auth');
    if (raw.executionRoleArn !== undefined) names.push('ecs.capability.execution-role-ecr-pull');
  }
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    names.push(
      'com.amazonaws.ecs.capability.logging-driver.awslogs',
      'com.amazonaws.ecs.capability.docker-remote-api.1.19',
    );
    if (raw.executionRoleArn !== undefined) names.push('ecs.capability.execution-role-awslogs');
  }
  if (raw.taskRoleArn !== undefined) names.push('com.amazonaws.ecs.capability.task-iam-role');
  if (containers.some((c) => c.healthCheck !== undefined)) names.push('ecs.capability.container-health-check');
  if (networkMode === 'awsvpc') names.push('ecs.capability.task-eni');
  return [...new Set(names)].map((name) => ({ name }));
}
