/**
 * TaskRunner: makes one ECS task real, step by step through its lifecycle. Starting a
 * PROVISIONING task: its address and ENI (task-network.ts), each container's image pulled as
 * the task's execution role (image-pull.ts), containers created (container-spec.ts, labelled
 * for adoption) and started, their ports proxied at the task's address (task-port-proxies.ts), their
 * output sent to CloudWatch Logs (awslogs.ts); then PENDING → ACTIVATING → RUNNING through the
 * scheduler's `applyTaskEvent`. Stopping: proxies closed, containers stopped with their
 * stopTimeout, exit codes recorded, address released, ENI deleted, STOPPED.
 *
 * Fidelity:
 * - A pull the execution role may not make fails like AWS's: stopCode TaskFailedToStart,
 *   stoppedReason `CannotPullContainerError: <engine message>`.
 * - awslogs with a missing group and no `awslogs-create-group: "true"` fails the task with
 *   `ResourceInitializationError: failed to validate logger args: …` (AWS's wording).
 * - runtimePlatform ARM64 pulls and runs linux/arm64 images, under emulation on an x86_64 host
 *   where binfmt_misc has qemu-aarch64 (task-platform.ts); without it (and for a Windows
 *   operatingSystemFamily) the task stops before any pull with
 *   `CannotStartContainerError: cannot run linux/arm64 containers: …` (dockyard's wording: on
 *   Fargate every platform runs). An image of another platform than the task's fails the pull
 *   with AWS's "does not contain descriptor matching platform" CannotPullContainerError.
 * - `secrets` are read as the execution role (task-secrets.ts); a refusal fails the task with
 *   `ResourceInitializationError: unable to pull secrets or registry auth: …`.
 * - The agent's endpoints at 169.254.170.2 (task-agent.ts): task role credentials, metadata.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ContainerEngine, RegistryAuth } from '../engine/contract.js';
import { EngineError } from '../engine/errors.js';
import type { TaskAddressPool, TaskPortProxy, TaskPorts } from '../network/index.js';
import type { RegistryTokenStore } from '../registry/tokens.js';
import { applyTaskEvent, STOP, type TaskStopEvent } from '../scheduler/index.js';
import type { Ec2Store } from '../services/ec2/store.js';
import type { ContainerDefinition, Task, TaskDefinition } from '../services/ecs/model.js';
import type { EcsStore } from '../services/ecs/store.js';
import type { Role } from '../services/iam/model.js';
import type { LogsStore } from '../services/logs/store.js';
import { checkLogGroups, shipAwslogs } from './awslogs.js';
import { ContainerExits } from './container-exits.js';
import { missingExecutable } from './container-executable.js';
import { containerSpec, DEFAULT_STOP_TIMEOUT_S, engineImage } from './container-spec.js';
import { executionCaller, pullTaskImage } from './image-pull.js';
import { LABEL } from './labels.js';
import { definitionOf } from './task-definitions.js';
import type { TaskAgent } from './task-agent.js';
import {
  resolveRegistryCredentials,
  resolveSecrets,
  SECRETS_FAILURE_PREFIX,
  TaskSecretsError,
  type AgentCalls,
} from './task-secrets.js';
import type { GuardedTask, TaskFirewall } from './task-firewall.js';
import { attachNetwork, networkInterfaceOf, recordPrivateAddress } from './task-network.js';
import { TaskPortProxies } from './task-port-proxies.js';
import { hostCannotRun, platformMismatch, platformText, taskPlatform } from './task-platform.js';
import { hostPlatforms, type HostPlatforms } from '../host/platforms.js';

/** What the runner is built from; the cloud wires these. */
export interface TaskRunnerDeps {
  store: EcsStore;
  engine: ContainerEngine;
  ec2: Ec2Store;
  logs: LogsStore;
  pool: TaskAddressPool;
  registryTokens: RegistryTokenStore;
  roles: { getRoleByArn(arn: string): Role | undefined };
  clock: Clock;
  logger: Logger;
  accountId: string;
  /** The task's region: its ARNs, its ENI's DNS name. */
  region: string;
  /** The region served at localhost:PORT/<name> (core/ecr-address.ts). */
  homeRegion: string;
  /** host:port of the local registry (localhost:PORT). */
  registryHost: string;
  /** The value of the `dockyard.cloud` label of this cloud's containers. */
  cloudLabel: string;
  /** Another region's CloudWatch Logs, for awslogs-region. */
  logsIn?: (region: string) => LogsStore | undefined;
  /** Which CPU architectures the host runs (default: as the kernel says, host/platforms.ts). */
  platforms?: HostPlatforms;
  /** The agent's endpoints inside tasks (credentials, metadata, AWS host names); absent: none. */
  taskAgent?: TaskAgent;
  /** The cloud's operations as the agent calls them (secrets as the execution role). */
  agent?: AgentCalls;
  /** Takes the task out of its service endpoint before its containers stop (draining). */
  drain?: (taskArn: string) => Promise<void>;
  /** Told of every task port proxy made and closed (workflow jobs relay to them). */
  taskPorts?: TaskPorts;
}

/** What the runner holds for a task it has started (or adopted). */
interface LiveTask {
  proxies: TaskPortProxy[];
  /** The task's container ports, when the task firewall guards it (no proxies then). */
  guardedPorts: number[];
  /** Its address on the cloud's task network, when the task firewall guards it. */
  privateIp?: string;
  /** Aborts log following and exit watching. */
  abort: AbortController;
  stopping: boolean;
}

export class TaskRunner {
  private readonly live = new Map<string, LiveTask>();
  private readonly ports: TaskPortProxies;
  /** Exits of this cloud's containers, from one engine event stream. */
  private readonly exits: ContainerExits;
  /** Tasks with a start or stop in flight, so a tick does not begin a second one. */
  private readonly busy = new Set<string>();
  /** Security groups in the kernel (./task-firewall.ts); absent: a proxy per task port. */
  private firewall: TaskFirewall | undefined;

  private readonly platforms: HostPlatforms;

  constructor(private readonly deps: TaskRunnerDeps) {
    this.exits = new ContainerExits(deps.engine, { [LABEL.cloud]: deps.cloudLabel }, deps.logger);
    this.ports = new TaskPortProxies(deps);
    this.platforms = deps.platforms ?? hostPlatforms();
  }

  /** Whether the task's app accepts connections on `port` at the task's address (its proxy listens). */
  accepts(taskArn: string, port: number): boolean {
    const entry = this.live.get(taskArn);
    if (entry === undefined || entry.stopping) return false;
    return entry.guardedPorts.includes(port) || entry.proxies.some((p) => p.port === port && p.listening);
  }

  /** A guarded task's private address (the service endpoint's way to it); undefined for proxied ones. */
  privateAddress(taskArn: string): string | undefined {
    return this.live.get(taskArn)?.privateIp;
  }

  /** Tasks started from now on are guarded by `firewall` rather than proxied. */
  useFirewall(firewall: TaskFirewall): void {
    this.firewall = firewall;
  }

  /** Whether a start or stop of the task is in flight. */
  isBusy(taskArn: string): boolean {
    return this.busy.has(taskArn);
  }

  /** Runs `work` for the task unless another step of it is in flight. */
  private async exclusive(taskArn: string, work: () => Promise<void>): Promise<void> {
    if (this.busy.has(taskArn)) return;
    this.busy.add(taskArn);
    try {
      await work();
    } catch (error) {
      this.deps.logger.error('task step failed', { task: taskArn, error: String(error) });
    } finally {
      this.busy.delete(taskArn);
    }
  }

  /** Starts a PROVISIONING task; a failure stops it with AWS's code and reason. */
  start(taskArn: string): Promise<void> {
    return this.exclusive(taskArn, async () => {
      // Anything unexpected (an address already bound, the engine gone) fails the task rather than leaving it half-started.
      const failure = await this.tryStart(taskArn).catch((error: unknown) =>
        STOP.resourceInitialization(errorMessage(error)),
      );
      if (failure) {
        this.event(taskArn, failure);
        await this.teardown(taskArn);
      }
    });
  }

  /** Stops a task told to stop (desiredStatus STOPPED); idempotent. */
  stop(taskArn: string): Promise<void> {
    return this.exclusive(taskArn, () => this.teardown(taskArn));
  }

  /** Re-applies security groups to every task address (rules may have changed since). */
  refreshProxies(): void {
    this.firewall
      ?.sync()
      .catch((error: unknown) => this.deps.logger.warn('task firewall sync failed', { error: String(error) }));
    this.ports.newTick();
    for (const entry of this.live.values()) {
      if (entry.stopping) continue;
      for (const proxy of entry.proxies)
        proxy
          .refresh()
          .catch((error: unknown) => this.deps.logger.warn('task port refresh failed', { error: String(error) }));
    }
  }

  /** Closes proxies and watchers without touching containers (the cloud is shutting down). */
  async detachAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    for (const entry of all) entry.abort.abort();
    this.exits.close();
    await Promise.all(all.flatMap((entry) => entry.proxies.map((p) => p.close())));
    for (const p of all.flatMap((entry) => entry.proxies))
      this.deps.taskPorts?.remove({ address: p.address, port: p.port });
    // Guarded tasks keep their rules and DNAT while the cloud is down: a restart adopts them.
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  private event(taskArn: string, event: TaskStopEvent | { type: 'advance' }): Task | undefined {
    const now = this.now();
    return this.deps.store.tasks.update(taskArn, (t) => applyTaskEvent(t, event, now));
  }

  /** Undefined on success; otherwise the stop event the failure means. */
  private async tryStart(taskArn: string): Promise<TaskStopEvent | undefined> {
    const { store } = this.deps;
    const task = store.tasks.get(taskArn);
    if (!task || task.lastStatus !== 'PROVISIONING' || task.desiredStatus === 'STOPPED') return undefined;
    const definition = definitionOf(store, task);
    if (!definition) return STOP.resourceInitialization(`task definition ${task.taskDefinitionArn} not found`);
    const entry: LiveTask = { proxies: [], guardedPorts: [], abort: new AbortController(), stopping: false };
    this.live.set(taskArn, entry);

    // PROVISIONING: the task's ENI. Created and recorded on the task in one transaction, so a
    // crash in between cannot leave an ENI no task knows (a restart would attach a second one).
    const address = this.deps.pool.allocate(taskArn);
    const pending = store.transaction(() => {
      const attached = attachNetwork(this.deps, task, address, this.now());
      if (typeof attached === 'string') return attached;
      store.tasks.put(attached);
      return this.event(taskArn, { type: 'advance' });
    });
    if (typeof pending === 'string') return STOP.resourceInitialization(pending);
    if (!pending || pending.lastStatus !== 'PENDING') return undefined;

    // PENDING: logging, pulls, containers.
    const logFailure = checkLogGroups(this.deps, definition);
    if (logFailure) return STOP.resourceInitialization(logFailure);
    // Before any pull: a platform this host cannot run would only fail later, after the download.
    const platform = taskPlatform(definition);
    const unrunnable = hostCannotRun(this.platforms, platform);
    if (unrunnable) return STOP.cannotStartContainer(unrunnable);
    // Secrets before the pulls, as ECS's agent does ("unable to pull secrets or registry auth").
    const injected = new Map<string, Record<string, string>>();
    for (const container of definition.document.containerDefinitions) {
      if (container.environmentFiles !== undefined && (container.environmentFiles as unknown[]).length > 0)
        return STOP.resourceInitialization(
          `failed to download env files: dockyard has no S3 to read environmentFiles of container ${container.name} from; use environment or secrets`,
        );
      try {
        injected.set(container.name, await this.injectedEnv(task, definition, container));
      } catch (error) {
        if (error instanceof TaskSecretsError) return STOP.resourceInitialization(error.message);
        throw error;
      }
    }
    store.tasks.update(taskArn, (t) => ({ ...t, pullStartedAt: this.now() }));
    // The host's own platform is pulled as before; another one by name, so a multi-platform image yields it.
    const wanted = platform.architecture === this.platforms.native ? undefined : platformText(platform);
    for (const container of definition.document.containerDefinitions) {
      let privateAuth: RegistryAuth | undefined;
      try {
        privateAuth = await this.registryAuth(task, definition, container);
      } catch (error) {
        if (error instanceof TaskSecretsError) return STOP.resourceInitialization(error.message);
        throw error;
      }
      try {
        await pullTaskImage(this.deps, container.image, task, definition, this.now(), {
          ...(wanted ? { platform: wanted } : {}),
          ...(privateAuth ? { privateAuth } : {}),
        });
        const pulled = await this.deps.engine.imageDigest(engineImage(this.deps, container.image));
        const mismatch = platformMismatch(pulled, platform);
        if (mismatch) return STOP.cannotPullContainer(mismatch);
      } catch (error) {
        return STOP.cannotPullContainer(
          error instanceof EngineError ? error.engineMessage || error.message : String(error),
        );
      }
    }
    store.tasks.update(taskArn, (t) => ({ ...t, pullStoppedAt: this.now() }));
    const groups = task.networkConfiguration?.awsvpcConfiguration.securityGroups ?? [];
    const firewall = this.firewall;
    let first: string | undefined;
    for (const container of definition.document.containerDefinitions) {
      let id: string;
      const placement = firewall ? { network: first ? `container:${first}` : firewall.networkName } : undefined;
      try {
        const agent = this.deps.taskAgent?.inject(
          task,
          task.overrides.taskRoleArn ?? definition.document.taskRoleArn,
          container,
        );
        const spec = containerSpec(
          this.deps,
          task,
          definition,
          container,
          { ...agent?.env, ...injected.get(container.name) },
          placement,
        );
        // A container that joins the first one's namespace shares its /etc/hosts: the engine
        // refuses host entries of its own there.
        const joined = placement?.network?.startsWith('container:') ?? false;
        if (agent) Object.assign(spec, { ...(joined ? {} : { extraHosts: agent.extraHosts }), binds: agent.binds });
        id = await this.deps.engine.createContainer(spec);
        this.setContainer(taskArn, container.name, { runtimeId: id });
        // Prepared before its process runs where the engine can (Podman): a missing program is
        // CannotStartContainerError, not an init that starts and exits; the agent's rules go in first.
        const prepared = await this.deps.engine.initContainer(id);
        if (prepared) {
          const early = await this.deps.engine.inspectContainer(id);
          const missing = missingExecutable(early);
          if (missing) return STOP.cannotStartContainer(missing);
          await this.deps.taskAgent?.attach(taskArn, early, { install: true });
        }
        await this.deps.engine.startContainer(id);
        if (!prepared)
          await this.deps.taskAgent?.attach(taskArn, await this.deps.engine.inspectContainer(id), { install: true });
      } catch (error) {
        return STOP.resourceInitialization(errorMessage(error));
      }
      const details = await this.deps.engine.inspectContainer(id);
      if (firewall) {
        if (!first) {
          first = id;
          if (!details.ipAddress || !details.pid)
            return STOP.resourceInitialization(`container ${id} has no address on ${firewall.networkName}`);
          entry.privateIp = details.ipAddress;
          await this.guard(firewall, taskArn, {
            pid: details.pid,
            privateIp: details.ipAddress,
            publicIp: address,
            groups,
          });
        }
        this.announce(entry, address, container.portMappings);
      }
      for (const port of details.ports) {
        const proxy = await this.ports.proxy(address, groups, details.ipAddress, port);
        entry.proxies.push(proxy);
        this.deps.taskPorts?.add({ address, port: port.containerPort });
        try {
          await proxy.start();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
          // The seed's port 80 as a user without privilege: say what would allow it.
          return STOP.resourceInitialization(
            `cannot listen on ${address}:${port.containerPort}: ports below 1024 need root, CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep "$(command -v node)") or sysctl net.ipv4.ip_unprivileged_port_start=0`,
          );
        }
      }
      this.setContainer(taskArn, container.name, { lastStatus: 'RUNNING', imageDigest: details.imageId });
      this.follow(task, container, id, entry.abort.signal);
    }
    // ACTIVATING, then RUNNING.
    this.event(taskArn, { type: 'advance' });
    const running = this.event(taskArn, { type: 'advance' });
    if (running?.desiredStatus === 'STOPPED') await this.teardown(taskArn);
    return undefined;
  }

  /** A private registry's credentials for the container's image (repositoryCredentials), read as the execution role. */
  private async registryAuth(
    task: Task,
    definition: TaskDefinition,
    container: ContainerDefinition,
  ): Promise<RegistryAuth | undefined> {
    const parameter = (container.repositoryCredentials as { credentialsParameter?: string } | undefined)
      ?.credentialsParameter;
    if (!parameter) return undefined;
    const agent = this.deps.agent;
    if (!agent) throw new TaskSecretsError(`${SECRETS_FAILURE_PREFIX}this cloud's runtime cannot read secrets`);
    const { username, password } = await resolveRegistryCredentials(
      agent,
      this.executionCallerOf(task, definition),
      parameter,
    );
    // The registry is the image reference's first component when it names a host.
    const first = container.image.split('/')[0] ?? '';
    const serveraddress = container.image.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
    return { username, password, serveraddress };
  }

  private executionCallerOf(task: Task, definition: TaskDefinition) {
    const roleArn = task.overrides.executionRoleArn ?? definition.document.executionRoleArn;
    const role = roleArn ? this.deps.roles.getRoleByArn(roleArn) : undefined;
    return role ? executionCaller(this.deps.accountId, role, task, this.now()) : undefined;
  }

  /** The container's resolved secrets, read as the task's execution role. */
  private async injectedEnv(
    task: Task,
    definition: TaskDefinition,
    container: ContainerDefinition,
  ): Promise<Record<string, string>> {
    if ((container.secrets ?? []).length === 0) return {};
    const agent = this.deps.agent;
    if (!agent) throw new TaskSecretsError(`${SECRETS_FAILURE_PREFIX}this cloud's runtime cannot read secrets`);
    return resolveSecrets(agent, this.executionCallerOf(task, definition), container);
  }

  private setContainer(taskArn: string, name: string, change: Partial<Task['containers'][number]>): void {
    this.deps.store.tasks.update(taskArn, (t) => ({
      ...t,
      containers: t.containers.map((c) => (c.name === name ? { ...c, ...change } : c)),
    }));
  }

  /**
   * A guarded task's ports, at its public and its private address: jobs reach both through
   * their relays (src/runner/container/task-relays.ts), as a host client does.
   */
  private announce(entry: LiveTask, publicIp: string, mappings: readonly { containerPort?: number }[]): void {
    for (const { containerPort } of mappings) {
      if (containerPort === undefined) continue;
      entry.guardedPorts.push(containerPort);
      for (const address of [publicIp, entry.privateIp])
        if (address) this.deps.taskPorts?.add({ address, port: containerPort });
    }
  }

  /** Records the task's real private address and writes its rules. */
  private async guard(firewall: TaskFirewall, taskArn: string, guarded: GuardedTask): Promise<void> {
    this.deps.store.transaction(() => {
      const current = this.deps.store.tasks.get(taskArn);
      if (current) this.deps.store.tasks.put(recordPrivateAddress(this.deps, current, guarded.privateIp));
    });
    await firewall.attach(taskArn, guarded);
  }

  /** Watches the container's exit (an essential one stops the task) and ships awslogs output (from `since`). */
  follow(task: Task, container: ContainerDefinition, id: string, signal: AbortSignal, since?: Date): void {
    shipAwslogs(this.deps, task, container, id, signal, since);
    this.exits
      .watch(id, signal)
      .then(async (exitCode) => {
        if (signal.aborted) return;
        this.setContainer(task.taskArn, container.name, { lastStatus: 'STOPPED', exitCode });
        const entry = this.live.get(task.taskArn);
        if (container.essential && entry && !entry.stopping) {
          this.event(task.taskArn, STOP.essentialContainerExited());
          await this.stop(task.taskArn);
        }
      })
      .catch((error: unknown) => {
        if (!signal.aborted)
          this.deps.logger.warn('container wait failed', { task: task.taskArn, error: String(error) });
      });
  }

  /** Registers proxies and watchers for an adopted task's running containers. */
  async adopt(
    task: Task,
    definition: TaskDefinition,
    containers: {
      id: string;
      name: string;
      ipAddress?: string;
      pid?: number;
      /** Whether it is on the cloud's task network (started guarded) rather than published. */
      guarded?: boolean;
      ports: { containerPort: number; hostPort: number }[];
    }[],
  ): Promise<void> {
    const entry: LiveTask = { proxies: [], guardedPorts: [], abort: new AbortController(), stopping: false };
    this.live.set(task.taskArn, entry);
    const address = this.deps.pool.allocate(task.taskArn);
    const groups = task.networkConfiguration?.awsvpcConfiguration.securityGroups ?? [];
    const head = containers.find((c) => c.guarded && c.ipAddress && c.pid);
    if (this.firewall && head?.ipAddress && head.pid) {
      entry.privateIp = head.ipAddress;
      await this.firewall.attach(task.taskArn, { pid: head.pid, privateIp: head.ipAddress, publicIp: address, groups });
      this.announce(
        entry,
        address,
        definition.document.containerDefinitions.flatMap((d) => d.portMappings),
      );
    }
    for (const c of containers) {
      // The rules are in the container's namespace already; the endpoint listens again and knows its address.
      await this.deps.taskAgent
        ?.attach(task.taskArn, await this.deps.engine.inspectContainer(c.id), { install: false })
        .catch((error: unknown) => this.deps.logger.warn('task agent attach failed', { error: String(error) }));
      for (const port of c.ports) {
        this.deps.taskPorts?.add({ address, port: port.containerPort });
        entry.proxies.push(await this.ports.proxy(address, groups, c.ipAddress, port));
      }
      const container = definition.document.containerDefinitions.find((d) => d.name === c.name);
      // Output from before the restart was shipped already (lines logged while the cloud was down are lost).
      if (container) this.follow(task, container, c.id, entry.abort.signal, this.now());
    }
    await Promise.all(entry.proxies.map((p) => p.start()));
  }

  /** Stops whatever the task has (proxies, containers, ENI, address) and records STOPPED. */
  private async teardown(taskArn: string): Promise<void> {
    const { store, engine } = this.deps;
    const entry = this.live.get(taskArn);
    if (entry) entry.stopping = true;
    await this.deps.drain?.(taskArn);
    await Promise.all((entry?.proxies ?? []).map((p) => p.close()));
    for (const p of entry?.proxies ?? []) this.deps.taskPorts?.remove({ address: p.address, port: p.port });
    const publicIp = this.deps.pool.addressOf(taskArn);
    for (const address of [publicIp, entry?.privateIp])
      for (const port of entry?.guardedPorts ?? []) if (address) this.deps.taskPorts?.remove({ address, port });
    await this.firewall
      ?.detach(taskArn)
      .catch((error: unknown) => this.deps.logger.warn('task firewall update failed', { error: String(error) }));
    const task = store.tasks.get(taskArn);
    if (!task) return;
    const definition = definitionOf(store, task);
    for (const container of task.containers) {
      if (!container.runtimeId) continue;
      const stopTimeout =
        definition?.document.containerDefinitions.find((d) => d.name === container.name)?.stopTimeout ??
        DEFAULT_STOP_TIMEOUT_S;
      try {
        await engine.stopContainer(container.runtimeId, stopTimeout);
        const details = await engine.inspectContainer(container.runtimeId);
        this.setContainer(taskArn, container.name, {
          lastStatus: 'STOPPED',
          ...(details.exitCode !== undefined ? { exitCode: details.exitCode } : {}),
        });
      } catch (error) {
        this.deps.logger.warn('container stop failed', { task: taskArn, error: String(error) });
        this.setContainer(taskArn, container.name, { lastStatus: 'STOPPED' });
      }
      // Also when the stop failed (a container created but never started cannot be stopped).
      await engine
        .removeContainer(container.runtimeId, { force: true })
        .catch((error: unknown) =>
          this.deps.logger.warn('container remove failed', { task: taskArn, error: String(error) }),
        );
    }
    entry?.abort.abort();
    this.live.delete(taskArn);
    this.deps.taskAgent?.forget(taskArn);
    this.deps.pool.release(taskArn);
    const eniId = networkInterfaceOf(task);
    if (eniId) this.deps.ec2.deleteNetworkInterface(eniId);
    const now = this.now();
    store.tasks.update(taskArn, (t) => {
      let next = t.desiredStatus === 'STOPPED' ? t : applyTaskEvent(t, STOP.essentialContainerExited(), now);
      next = {
        ...next,
        containers: next.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })),
        attachments: next.attachments.map((a) => ({ ...a, status: 'DELETED' as const })),
      };
      if (next.lastStatus !== 'STOPPED')
        next = {
          ...next,
          stoppingAt: next.stoppingAt ?? now,
          executionStoppedAt: next.executionStoppedAt ?? now,
          lastStatus: 'STOPPED',
          stoppedAt: now,
        };
      return next;
    });
  }
}
