/**
 * The ECS runtime wired over the cloud's stores: the container engine (the Docker Engine API
 * over the discovered socket unless one is given), task addresses and service endpoint ports.
 * Part of the Cloud's wiring, in a module of its own because cloud.ts loads it on demand:
 * `dockyard up` starts the runtime after it is serving, so the engine driver, the network
 * proxies and the scheduler are not loaded before it is ready.
 *
 * One Runtime per region (cloud/regions.ts), each over its region's ECS, EC2 and Logs, all
 * sharing the engine, the task address pool and the endpoint ports; a region opened while the
 * cloud runs gets its runtime then. Each adopts at start only its own region's containers (the
 * region in the task ARN their label carries); the home region's also removes those of a
 * region that holds no state.
 */
import type { ContainerEngine } from '../engine/contract.js';
import type { SchedulerTimings } from '../scheduler/index.js';
import { DockerApiEngine } from '../engine/docker-api.js';
import type { HostPlatforms } from '../host/platforms.js';
import {
  EndpointPortPool,
  NetworkStore,
  TaskAddressPool,
  taskAddressRangeForPort,
  type TaskPorts,
} from '../network/index.js';
import type { RegistryTokenStore } from '../registry/index.js';
import { cloudLabelFor } from '../runtime/labels.js';
import { Runtime, startTaskFirewall, type StartedFirewall } from '../runtime/runtime.js';
import type { FirewallSupport, FirewallView, TaskFirewallDeps } from '../runtime/task-firewall.js';
import { regionOfArn } from '../core/regions.js';
import type { AgentCalls } from '../runtime/task-secrets.js';
import { TaskAgent, type TaskAgentDeps } from '../runtime/task-agent.js';
import { join } from 'node:path';
import type { IamStore } from '../services/iam/store.js';
import type { Db } from '../store/database.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Region, Regions } from './regions.js';

/** The cloud's parts the runtime works on. */
export interface EcsRuntimeDeps {
  /** state.db: task addresses and endpoint ports are the cloud's, across regions. */
  db: Db;
  dataDir: string;
  /** The bound port: task addresses derive from it, so clouds started with --port 0 do not share one range. */
  port: number;
  regions: Regions;
  registryTokens: RegistryTokenStore;
  roles: IamStore;
  clock: Clock;
  logger: Logger;
  accountId: string;
  registryHost: string;
  /** Told of every task port made and closed (workflow jobs relay to them). */
  taskPorts?: TaskPorts;
  /** The cloud's operations as ECS's agent calls them (task secrets). */
  agent?: AgentCalls;
  /** For the agent's endpoints in tasks (task-agent.ts); without them tasks get none. */
  taskAgent?: Pick<TaskAgentDeps, 'credentials' | 'listenOn' | 'caCertPath'>;
}

/** The runtimes and the engine they drive (the health route asks the engine directly). */
export interface EcsRuntime {
  runtime: RegionalRuntimes;
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
  /** Which CPU architectures the host runs (tests stand in a host without emulation). */
  platforms?: HostPlatforms;
  /**
   * Start the runtime (container adoption included) after the cloud is serving, logging a
   * failure instead of refusing to start: `dockyard up` must be ready fast, engine or not.
   */
  background?: boolean;
}

/** Builds (does not start) the runtimes. */
export function createEcsRuntime(deps: EcsRuntimeDeps, options: EcsRuntimeOptions): EcsRuntime {
  const engine = options.engine ?? new DockerApiEngine();
  return { runtime: new RegionalRuntimes(deps, options, engine), engine };
}

/** A Runtime per open region. */
export class RegionalRuntimes {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly pool: TaskAddressPool;
  private readonly endpointPorts: EndpointPortPool;
  /** The ECS agent's endpoints, one for every region's tasks (its port and id key are the cloud's). */
  private readonly taskAgent: TaskAgent | undefined;
  /** The task firewall, one for every region's tasks (one network and one set of chains per cloud). */
  private firewall: Promise<StartedFirewall> | undefined;
  /** How security groups are enforced, once the first region's runtime started. */
  firewallSupport: FirewallSupport | undefined;
  private stopOpening: (() => void) | undefined;
  private starting: Promise<void>[] = [];

  constructor(
    private readonly deps: EcsRuntimeDeps,
    private readonly options: EcsRuntimeOptions,
    private readonly engine: ContainerEngine,
  ) {
    const network = new NetworkStore(deps.db);
    const range = options.taskAddressRange ?? taskAddressRangeForPort(deps.port);
    this.pool = new TaskAddressPool(network, { clock: deps.clock, range });
    this.endpointPorts = new EndpointPortPool(network, { clock: deps.clock });
    const { regions } = deps;
    this.taskAgent = deps.taskAgent
      ? new TaskAgent({
          ...deps.taskAgent,
          // A task's ECS state is in the region its ARN names.
          storeOf: (taskArn) => {
            const region = regionOfArn(taskArn);
            return region !== undefined && regions.list().some((r) => r.name === region)
              ? regions.get(region).ecs
              : undefined;
          },
          engine,
          roles: deps.roles,
          clock: deps.clock,
          logger: deps.logger,
          accountId: deps.accountId,
          cloudPort: deps.port,
          statePath: join(deps.dataDir, 'task-agent.json'),
          caBundlePath: join(deps.dataDir, 'task-ca-bundle.crt'),
        })
      : undefined;
  }

  /** Starts a runtime for every open region (adopting its containers), and for each region opened later. */
  async start(): Promise<void> {
    for (const region of this.deps.regions.list()) await this.startIn(region);
    this.stopOpening = this.deps.regions.onOpen((region) => {
      const started = this.startIn(region).catch((error: unknown) =>
        this.deps.logger.error('ECS runtime of a new region failed to start', {
          region: region.name,
          error: String(error),
        }),
      );
      this.starting.push(started);
    });
  }

  /** Stops every runtime (containers keep running, adopted next start), then the engine it created. */
  async stop(): Promise<void> {
    this.stopOpening?.();
    await Promise.all(this.starting);
    await Promise.all([...this.runtimes.values()].map((r) => r.stop()));
    if (!this.options.engine) await this.engine.close();
  }

  /** The region's runtime, once started. */
  in(region: string): Runtime | undefined {
    return this.runtimes.get(region);
  }

  /** Service endpoints of every region, by service ARN. */
  readonly endpoints = {
    url: (serviceArn: string): string | undefined => {
      const region = regionOfArn(serviceArn);
      return region === undefined ? undefined : this.runtimes.get(region)?.endpoints?.url(serviceArn);
    },
  };

  /**
   * The firewall the region runtimes share, started by the first: it sees every region's groups
   * and interfaces (their ids are unique across regions, so no rule reaches another region's).
   */
  private readonly sharedFirewall = (deps: TaskFirewallDeps): Promise<StartedFirewall> => {
    const { regions } = this.deps;
    const everyRegion: FirewallView = {
      rules: () => regions.list().flatMap((r) => r.ec2.rules()),
      networkInterfaces: () => regions.list().flatMap((r) => r.ec2.networkInterfaces()),
    };
    this.firewall ??= startTaskFirewall({ ...deps, ec2: everyRegion }).then((started) => {
      this.firewallSupport = started.support;
      return started;
    });
    return this.firewall;
  };

  private async startIn(region: Region): Promise<void> {
    const { deps, options } = this;
    const { agent } = deps;
    const home = region.name === deps.regions.homeRegion;
    const owns = (taskArn: string): boolean => {
      const of = regionOfArn(taskArn);
      if (of === region.name) return true;
      // Containers of a region without state (or with an unreadable label) are the home runtime's to remove.
      return home && (of === undefined || !deps.regions.list().some((r) => r.name === of));
    };
    const runtime = new Runtime(
      {
        store: region.ecs,
        engine: this.engine,
        ec2: region.ec2,
        logs: region.logs,
        logsIn: (name) => (deps.regions.serves(name) ? deps.regions.get(name).logs : undefined),
        pool: this.pool,
        registryTokens: deps.registryTokens,
        roles: deps.roles,
        clock: deps.clock,
        logger: deps.logger,
        accountId: deps.accountId,
        region: region.name,
        homeRegion: deps.regions.homeRegion,
        registryHost: deps.registryHost,
        cloudLabel: cloudLabelFor(deps.dataDir),
        ...(options.platforms ? { platforms: options.platforms } : {}),
        ...(deps.taskPorts ? { taskPorts: deps.taskPorts } : {}),
        ...(this.taskAgent ? { taskAgent: this.taskAgent } : {}),
        // The agent reads a task's secrets in its region unless their ARN names another.
        ...(agent
          ? {
              agent: {
                invoke: (caller, sourceIp, signingName, operation, input, inRegion) =>
                  agent.invoke(caller, sourceIp, signingName, operation, input, inRegion ?? region.name),
              } satisfies AgentCalls,
            }
          : {}),
      },
      {
        tickMs: options.tickMs,
        owns,
        firewall: this.sharedFirewall,
        endpointPorts: this.endpointPorts,
        ...(options.timings ? { timings: options.timings } : {}),
        ...(options.deregistrationDelayMs !== undefined
          ? { deregistrationDelayMs: options.deregistrationDelayMs }
          : {}),
      },
    );
    this.runtimes.set(region.name, runtime);
    await runtime.start();
  }
}
