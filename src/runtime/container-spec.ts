/**
 * The engine's container for one container definition of a task: its name as ECS's agent names
 * it, the image (this cloud's ECR images by their local URI), environment and command with the
 * task's overrides, the labels adoption finds it by, init, stop timeout and published ports.
 */
import type { ContainerSpec } from '../engine/contract.js';
import { resolveImageUri } from '../registry/image-uri.js';
import type { ContainerDefinition, Task, TaskDefinition } from '../services/ecs/model.js';
import { LABEL } from './labels.js';

/** The default stop timeout (seconds) of a container without one (ECS: 30). */
export const DEFAULT_STOP_TIMEOUT_S = 30;

export interface ContainerSpecContext {
  accountId: string;
  /** The region served at localhost:PORT/<name> (core/ecr-address.ts). */
  homeRegion: string;
  registryHost: string;
  /** The value of the `dockyard.cloud` label of this cloud's containers. */
  cloudLabel: string;
}

/** The image as the engine names it: an ECR image by its local URI, anything else as written. */
export function engineImage(
  ctx: Pick<ContainerSpecContext, 'accountId' | 'homeRegion' | 'registryHost'>,
  image: string,
): string {
  return resolveImageUri(image, ctx)?.localUri ?? image;
}

/**
 * Where the container's network is: `network` for a task's first container on the cloud's task
 * network (nothing published: the task firewall admits by security group), `container:<id>` for
 * the others (one namespace per task, as awsvpc gives), or ports published on 127.0.0.1 for
 * the per-port proxies when the kernel cannot enforce groups.
 */
export type ContainerNetwork = { network: string } | { published: true };

export function containerSpec(
  ctx: ContainerSpecContext,
  task: Task,
  definition: TaskDefinition,
  container: ContainerDefinition,
  /** Resolved secrets and the agent's variables (credentials and metadata URIs); the overrides' win. */
  injected: Record<string, string> = {},
  placement: ContainerNetwork = { published: true },
): ContainerSpec {
  const override = task.overrides.containerOverrides.find((o) => o.name === container.name);
  const env: Record<string, string> = {};
  for (const e of container.environment) if (e.name !== undefined) env[e.name] = e.value ?? '';
  Object.assign(env, injected);
  for (const e of override?.environment ?? []) if (e.name !== undefined) env[e.name] = e.value ?? '';
  const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
  const command = override?.command ?? container.command;
  const spec: ContainerSpec = {
    name: `ecs-${definition.family}-${definition.revision}-${container.name}-${taskId}`.replace(
      /[^a-zA-Z0-9_.-]/g,
      '-',
    ),
    image: engineImage(ctx, container.image),
    env,
    labels: {
      ...(container.dockerLabels ?? {}),
      [LABEL.cloud]: ctx.cloudLabel,
      [LABEL.task]: task.taskArn,
      [LABEL.container]: container.name,
    },
    init: true,
    stopTimeoutSeconds: container.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S,
  };
  if ('network' in placement) spec.network = placement.network;
  else
    spec.ports = container.portMappings
      .filter((p) => p.containerPort !== undefined)
      .map((p) => ({ containerPort: p.containerPort ?? 0, protocol: p.protocol ?? 'tcp', hostIp: '127.0.0.1' }));
  if (command) spec.command = command;
  if (container.entryPoint) spec.entrypoint = container.entryPoint;
  if (container.workingDirectory) spec.workingDir = container.workingDirectory;
  if (container.user) spec.user = container.user;
  return spec;
}
