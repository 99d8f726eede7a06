/**
 * The awslogs log driver: a container's output shipped to CloudWatch Logs as ECS's agent ships
 * it (stream `<prefix>/<container>/<task id>`, or the task id without a prefix), and the check
 * AWS makes before a task starts: a missing group fails the task unless
 * `awslogs-create-group: "true"` lets it be created.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ContainerEngine } from '../engine/contract.js';
import type { ContainerDefinition, Task, TaskDefinition } from '../services/ecs/model.js';
import type { LogsStore } from '../services/logs/store.js';

export interface AwslogsDeps {
  engine: ContainerEngine;
  logs: LogsStore;
  clock: Clock;
  logger: Logger;
}

/** AWS's failure when an awslogs group is missing and may not be created; creates it when it may. */
export function checkLogGroups(
  deps: Pick<AwslogsDeps, 'logs' | 'clock'>,
  definition: TaskDefinition,
): string | undefined {
  for (const container of definition.document.containerDefinitions) {
    const config = container.logConfiguration;
    if (config?.logDriver !== 'awslogs') continue;
    const group = config.options?.['awslogs-group'];
    if (!group) continue;
    if (deps.logs.groupExists(group)) continue;
    if (config.options?.['awslogs-create-group'] === 'true') {
      deps.logs.createGroup(group, deps.clock.now().getTime());
      continue;
    }
    return `failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`;
  }
  return undefined;
}

/** Ships the container's output (from `since`) until `signal` aborts; nothing without awslogs. */
export function shipAwslogs(
  deps: AwslogsDeps,
  task: Task,
  container: ContainerDefinition,
  id: string,
  signal: AbortSignal,
  since?: Date,
): void {
  const config = container.logConfiguration;
  const group = config?.logDriver === 'awslogs' ? config.options?.['awslogs-group'] : undefined;
  if (!config || !group) return;
  const prefix = config.options?.['awslogs-stream-prefix'];
  const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
  const stream = prefix ? `${prefix}/${container.name}/${taskId}` : taskId;
  void (async () => {
    for await (const line of deps.engine.logs(id, {
      follow: true,
      timestamps: true,
      signal,
      ...(since ? { since } : {}),
    })) {
      const now = deps.clock.now().getTime();
      deps.logs.append(group, stream, [{ timestamp: line.time?.getTime() ?? now, message: line.line }], now);
    }
  })().catch((error: unknown) => {
    if (!signal.aborted) deps.logger.warn('awslogs stream ended', { task: task.taskArn, error: String(error) });
  });
}
