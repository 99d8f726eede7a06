/**
 * Each service's stable endpoint (ServiceEndpoint), kept in line with its tasks: targets are the
 * RUNNING tasks told to keep running that are healthy (HEALTHY when a check exists, not
 * UNHEALTHY otherwise), at their task address and the first port mapping of the first
 * essential container that has one. A task is drained before its containers stop.
 */
import type { Logger } from '../core/logger.js';
import { ServiceEndpoint, type EndpointPortPool, type TaskAddressPool } from '../network/index.js';
import type { Service, Task, TaskDefinition } from '../services/ecs/model.js';

export interface ServiceEndpointsDeps {
  ports: EndpointPortPool;
  pool: TaskAddressPool;
  /**
   * Where the endpoint reaches a task when not at its pool address: its private address on the
   * cloud's task network (no NAT on the way: the kernel's rules admit the endpoint as the host).
   */
  addressOf?: (taskArn: string) => string | undefined;
  logger: Logger;
  deregistrationDelayMs?: number;
}

/**
 * The container port the endpoint sends the task's traffic to, when the task is a target: RUNNING,
 * not being stopped, healthy (HEALTHY with a check, not UNHEALTHY without), with a port mapping
 * on an essential container. Undefined when it is not a target.
 */
export function targetPort(task: Task, definition: TaskDefinition | undefined): number | undefined {
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus === 'STOPPED') return undefined;
  const containers = definition?.document.containerDefinitions ?? [];
  const checked = containers.some((c) => c.essential && c.healthCheck !== undefined);
  if (checked ? task.healthStatus !== 'HEALTHY' : task.healthStatus === 'UNHEALTHY') return undefined;
  return containers
    .find((c) => c.essential && c.portMappings.some((p) => p.containerPort !== undefined))
    ?.portMappings.find((p) => p.containerPort !== undefined)?.containerPort;
}

export class ServiceEndpoints {
  private readonly endpoints = new Map<string, { endpoint: ServiceEndpoint; started: Promise<number> }>();

  constructor(private readonly deps: ServiceEndpointsDeps) {}

  /** The service's endpoint URL, once started. */
  url(serviceArn: string): string | undefined {
    return this.endpoints.get(serviceArn)?.endpoint.url;
  }

  /** Starts the service's endpoint if needed and routes to its healthy RUNNING tasks. */
  sync(service: Service, tasks: readonly Task[], definitionOf: (task: Task) => TaskDefinition | undefined): void {
    let entry = this.endpoints.get(service.serviceArn);
    if (!entry) {
      const endpoint = new ServiceEndpoint({
        serviceKey: service.serviceArn,
        ports: this.deps.ports,
        logger: this.deps.logger,
        ...(this.deps.deregistrationDelayMs !== undefined
          ? { deregistrationDelayMs: this.deps.deregistrationDelayMs }
          : {}),
      });
      const started = endpoint.start();
      started.catch((error: unknown) =>
        this.deps.logger.error('service endpoint failed to start', {
          service: service.serviceArn,
          error: String(error),
        }),
      );
      entry = { endpoint, started };
      this.endpoints.set(service.serviceArn, entry);
    }
    const targets = [];
    for (const task of tasks) {
      const port = targetPort(task, definitionOf(task));
      const address = this.deps.addressOf?.(task.taskArn) ?? this.deps.pool.addressOf(task.taskArn);
      if (port !== undefined && address !== undefined) targets.push({ taskArn: task.taskArn, address, port });
    }
    entry.endpoint.setTargets(targets);
  }

  /** Drains the task from whichever endpoint routes to it; resolves at once when none does. */
  async drain(taskArn: string): Promise<void> {
    await Promise.all(
      [...this.endpoints.values()]
        .filter((e) => e.endpoint.targets().some((t) => t.taskArn === taskArn))
        .map((e) => e.endpoint.drain(taskArn)),
    );
  }

  /** Closes and forgets the service's endpoint and its port (the service is gone). */
  async remove(serviceArn: string): Promise<void> {
    const entry = this.endpoints.get(serviceArn);
    this.endpoints.delete(serviceArn);
    await entry?.started.catch(() => undefined);
    await entry?.endpoint.close();
    this.deps.ports.release(serviceArn);
  }

  /** Closes every endpoint, keeping their ports (the cloud is stopping). */
  async closeAll(): Promise<void> {
    const all = [...this.endpoints.values()];
    this.endpoints.clear();
    await Promise.all(
      all.map(async (e) => {
        await e.started.catch(() => undefined);
        await e.endpoint.close();
      }),
    );
  }
}
