/**
 * The ECS runtime wired over the cloud's stores: the container engine (the Docker Engine API
 * over the discovered socket unless one is given), task addresses and service endpoint ports.
 * Part of the Cloud's wiring, in a module of its own because cloud.ts loads it on demand:
 * `dockyard up` starts the runtime after it is serving, so the engine driver, the network
 * proxies and the scheduler are not loaded before it is ready.
 */
import type { ContainerEngine } from '../engine/contract.js';
import type { SchedulerTimings } from '../scheduler/index.js';
import { DockerApiEngine } from '../engine/docker-api.js';
import {
  EndpointPortPool,
  NetworkStore,
  TaskAddressPool,
  taskAddressRangeForPort,
  type TaskPorts,
} from '../network/index.js';
import type { RegistryTokenStore } from '../registry/index.js';
import { cloudLabelFor } from '../runtime/labels.js';
import { Runtime } from '../runtime/runtime.js';
import type { AgentCalls } from '../runtime/task-secrets.js';
import { TaskAgent, type TaskAgentDeps } from '../runtime/task-agent.js';
import { join } from 'node:path';
import type { Ec2Store } from '../services/ec2/store.js';
import type { EcsStore } from '../services/ecs/index.js';
import type { IamStore } from '../services/iam/store.js';
import type { LogsStore } from '../services/logs/store.js';
import type { Db } from '../store/database.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

/** The cloud's parts the runtime works on. */
export interface EcsRuntimeDeps {
  db: Db;
  dataDir: string;
  /** The bound port: task addresses derive from it, so clouds started with --port 0 do not share one range. */
  port: number;
  store: EcsStore;
  ec2: Ec2Store;
  logs: LogsStore;
  registryTokens: RegistryTokenStore;
  roles: IamStore;
  clock: Clock;
  logger: Logger;
  accountId: string;
  region: string;
  registryHost: string;
  /** Told of every task port made and closed (workflow jobs relay to them). */
  taskPorts?: TaskPorts;
  /** The cloud's operations as ECS's agent calls them (task secrets). */
  agent?: AgentCalls;
  /** For the agent's endpoints in tasks (task-agent.ts); without them tasks get none. */
  taskAgent?: Pick<TaskAgentDeps, 'credentials' | 'listenOn' | 'caCertPath'>;
}

/** The runtime and the engine it drives (the health route asks the engine directly). */
export interface EcsRuntime {
  runtime: Runtime;
  engine: ContainerEngine;
}

/**
 * How the cloud runs ECS tasks. `engine` defaults to the Docker Engine API over the discovered
 * socket; `tickMs` is the loop's interval.
 */
export interface EcsRuntimeOptions {
  engine?: ContainerEngine;
  tickMs?: number;
  timings?: SchedulerTimings;
  deregistrationDelayMs?: number;
  taskAddressRange?: { first: string; last: string };
  /**
   * Start the runtime (container adoption included) after the cloud is serving, logging a
   * failure instead of refusing to start: `dockyard up` must be ready fast, engine or not.
   */
  background?: boolean;
}

/** Builds (does not start) the runtime. */
export function createEcsRuntime(deps: EcsRuntimeDeps, options: EcsRuntimeOptions): EcsRuntime {
  const { clock } = deps;
  const engine = options.engine ?? new DockerApiEngine();
  const network = new NetworkStore(deps.db);
  const range = options.taskAddressRange ?? taskAddressRangeForPort(deps.port);
  const pool = new TaskAddressPool(network, { clock, range });
  const runtime = new Runtime(
    {
      store: deps.store,
      engine,
      ec2: deps.ec2,
      logs: deps.logs,
      pool,
      registryTokens: deps.registryTokens,
      roles: deps.roles,
      clock,
      logger: deps.logger,
      accountId: deps.accountId,
      region: deps.region,
      registryHost: deps.registryHost,
      cloudLabel: cloudLabelFor(deps.dataDir),
      ...(deps.taskPorts ? { taskPorts: deps.taskPorts } : {}),
      ...(deps.agent ? { agent: deps.agent } : {}),
      ...(deps.taskAgent
        ? {
            taskAgent: new TaskAgent({
              ...deps.taskAgent,
              store: deps.store,
              engine,
              roles: deps.roles,
              clock,
              logger: deps.logger,
              accountId: deps.accountId,
              region: deps.region,
              cloudPort: deps.port,
              statePath: join(deps.dataDir, 'task-agent.json'),
              caBundlePath: join(deps.dataDir, 'task-ca-bundle.crt'),
            }),
          }
        : {}),
    },
    {
      tickMs: options.tickMs,
      closeEngine: !options.engine,
      endpointPorts: new EndpointPortPool(network, { clock }),
      ...(options.timings ? { timings: options.timings } : {}),
      ...(options.deregistrationDelayMs !== undefined ? { deregistrationDelayMs: options.deregistrationDelayMs } : {}),
    },
  );
  return { runtime, engine };
}
