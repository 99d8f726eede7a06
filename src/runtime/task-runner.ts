/**
 * TaskRunner: makes one ECS task real. Starting a PROVISIONING task: its address and ENI (the
 * awsvpc attachment), each container's image pulled as the task's execution role, containers
 * created (labelled for adoption), started, their ports proxied at the task's address, their
 * output sent to CloudWatch Logs with awslogs; then PENDING → ACTIVATING → RUNNING through the
 * scheduler's `applyTaskEvent`. Stopping: proxies closed, containers stopped with their
 * stopTimeout, exit codes recorded, address released, ENI deleted, STOPPED.
 *
 * Fidelity:
 * - A pull the execution role may not make fails like AWS's: stopCode TaskFailedToStart,
 *   stoppedReason `CannotPullContainerError: <engine message>`.
 * - awslogs with a missing group and no `awslogs-create-group: "true"` fails the task with
 *   `ResourceInitializationError: failed to validate logger args: …` (AWS's wording).
 * Gaps: task role credentials are not offered to the containers; secrets are not resolved.
 */
import { connect } from 'node:net';
import type { Clock } from '../cloud/clock.js';
import type { Logger } from '../cloud/logger.js';
import type { ContainerEngine, ContainerSpec, RegistryAuth } from '../engine/contract.js';
import { EngineError } from '../engine/errors.js';
import { ContainerExits } from './container-exits.js';
import { LABEL } from './labels.js';
import { TaskPortProxy, type TaskAddressPool, type TaskPorts } from '../network/index.js';
import { resolveImageUri } from '../registry/image-uri.js';
import type { RegistryTokenStore } from '../registry/tokens.js';
import { applyTaskEvent, STOP, type TaskStopEvent } from '../scheduler/index.js';
import type { Ec2Store } from '../services/ec2/store.js';
import type { ContainerDefinition, Task, TaskDefinition } from '../services/ecs/model.js';
import type { EcsStore } from '../services/ecs/store.js';
import { parseTaskDefinitionRef } from '../services/ecs/arns.js';
import type { Role } from '../services/iam/model.js';
import type { LogsStore } from '../services/logs/store.js';
import type { Caller } from '../services/operation.js';

export { LABEL, cloudLabelFor } from './labels.js';

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
  region: string;
  /** host:port of the local registry (localhost:PORT). */
  registryHost: string;
  /** The value of the `dockyard.cloud` label of this cloud's containers. */
  cloudLabel: string;
  /** Takes the task out of its service endpoint before its containers stop (draining). */
  drain?: (taskArn: string) => Promise<void>;
  /** Told of every task port proxy made and closed (workflow jobs relay to them). */
  taskPorts?: TaskPorts;
}

/** What the runner holds for a task it has started (or adopted). */
interface LiveTask {
  proxies: TaskPortProxy[];
  /** Aborts log following and exit watching. */
  abort: AbortController;
  stopping: boolean;
}

/** The default stop timeout (seconds) of a container without one (ECS: 30). */
const DEFAULT_STOP_TIMEOUT_S = 30;

export class TaskRunner {
  private readonly live = new Map<string, LiveTask>();
  /** Whether container addresses on the engine's bridge are reachable from here (probed once). */
  private bridgeRoutable: Promise<boolean> | undefined;
  /** ingressAllows verdicts of the current tick. */
  private readonly ingressVerdicts = new Map<string, boolean>();
  /** Exits of this cloud's containers, from one engine event stream. */
  private readonly exits: ContainerExits;
  /** Tasks with a start or stop in flight, so a tick does not begin a second one. */
  private readonly busy = new Set<string>();

  constructor(private readonly deps: TaskRunnerDeps) {
    this.exits = new ContainerExits(deps.engine, { [LABEL.cloud]: deps.cloudLabel }, deps.logger);
  }

  /** Whether the task's app accepts connections on `port` at the task's address (its proxy listens). */
  accepts(taskArn: string, port: number): boolean {
    const entry = this.live.get(taskArn);
    return entry !== undefined && !entry.stopping && entry.proxies.some((p) => p.port === port && p.listening);
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
      const failure = await this.tryStart(taskArn).catch((error: unknown) => STOP.resourceInitialization(error instanceof Error ? error.message : String(error)));
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

  /**
   * The security groups' verdict, remembered until the next `refreshProxies` (one tick): with a
   * group that admits itself, each verdict scans every ENI, and a hundred task ports re-checked
   * every tick cost the cloud a tenth of a core at rest. Connections see rule changes by the
   * next tick, as the listeners do.
   */
  private ingressAllows(groups: readonly string[], port: number, sourceIp: string): boolean {
    const key = `${groups.join(',')}|${port}|${sourceIp}`;
    let verdict = this.ingressVerdicts.get(key);
    if (verdict === undefined) {
      verdict = this.deps.ec2.ingressAllows(groups, { protocol: 'tcp', port, sourceIp });
      this.ingressVerdicts.set(key, verdict);
    }
    return verdict;
  }

  /** Re-applies security groups to every task address (rules may have changed since). */
  refreshProxies(): void {
    this.ingressVerdicts.clear();
    for (const entry of this.live.values()) {
      if (entry.stopping) continue;
      for (const proxy of entry.proxies) proxy.refresh().catch((error: unknown) => this.deps.logger.warn('task port refresh failed', { error: String(error) }));
    }
  }

  /** Closes proxies and watchers without touching containers (the cloud is shutting down). */
  async detachAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    for (const entry of all) entry.abort.abort();
    this.exits.close();
    await Promise.all(all.flatMap((entry) => entry.proxies.map((p) => p.close())));
    for (const p of all.flatMap((entry) => entry.proxies)) this.deps.taskPorts?.remove({ address: p.address, port: p.port });
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
    const entry: LiveTask = { proxies: [], abort: new AbortController(), stopping: false };
    this.live.set(taskArn, entry);

    // PROVISIONING: the task's ENI. Created and recorded on the task in one transaction, so a
    // crash in between cannot leave an ENI no task knows (a restart would attach a second one).
    const address = this.deps.pool.allocate(taskArn);
    const pending = store.transaction(() => {
      const attached = this.attachNetwork(task, address);
      if (typeof attached === 'string') return attached;
      store.tasks.put(attached);
      return this.event(taskArn, { type: 'advance' });
    });
    if (typeof pending === 'string') return STOP.resourceInitialization(pending);
    if (!pending || pending.lastStatus !== 'PENDING') return undefined;

    // PENDING: logging, pulls, containers.
    const logFailure = this.checkLogGroups(definition);
    if (logFailure) return STOP.resourceInitialization(logFailure);
    store.tasks.update(taskArn, (t) => ({ ...t, pullStartedAt: this.now() }));
    for (const container of definition.document.containerDefinitions) {
      try {
        await this.pull(container.image, task, definition);
      } catch (error) {
        return STOP.cannotPullContainer(error instanceof EngineError ? error.engineMessage || error.message : String(error));
      }
    }
    store.tasks.update(taskArn, (t) => ({ ...t, pullStoppedAt: this.now() }));
    const groups = task.networkConfiguration?.awsvpcConfiguration.securityGroups ?? [];
    for (const container of definition.document.containerDefinitions) {
      let id: string;
      try {
        id = await this.deps.engine.createContainer(this.containerSpec(task, definition, container));
        this.setContainer(taskArn, container.name, { runtimeId: id });
        await this.deps.engine.startContainer(id);
      } catch (error) {
        return STOP.resourceInitialization(error instanceof Error ? error.message : String(error));
      }
      const details = await this.deps.engine.inspectContainer(id);
      for (const port of details.ports) {
        const proxy = new TaskPortProxy({
          address,
          port: port.containerPort,
          upstream: await this.upstream(details.ipAddress, port),
          allows: (sourceIp, p) => this.ingressAllows(groups, p, sourceIp),
          logger: this.deps.logger,
        });
        entry.proxies.push(proxy);
        this.deps.taskPorts?.add({ address, port: port.containerPort });
        try {
          await proxy.start();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
          // The seed's port 80 as a user without privilege: say what would allow it.
          return STOP.resourceInitialization(`cannot listen on ${address}:${port.containerPort}: ports below 1024 need root, CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep "$(command -v node)") or sysctl net.ipv4.ip_unprivileged_port_start=0`);
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

  /** The task with its ENI recorded, or the reason it cannot have one. */
  private attachNetwork(task: Task, address: string): Task | string {
    const vpc = task.networkConfiguration?.awsvpcConfiguration;
    const attachment = task.attachments.find((a) => a.type === 'ElasticNetworkInterface');
    if (!attachment || !vpc) return { ...task, containers: task.containers.map((c) => ({ ...c, networkInterfaces: c.networkInterfaces.map((n) => ({ ...n, privateIpv4Address: address })) })) };
    const subnetId = attachment.details.find((d) => d.name === 'subnetId')?.value ?? vpc.subnets[0];
    const subnet = subnetId ? this.deps.ec2.subnet(subnetId) : undefined;
    if (!subnet || !subnetId) return `subnet ${subnetId ?? '(none)'} does not exist`;
    const eni = this.deps.ec2.createNetworkInterface(
      {
        subnetId,
        groupIds: vpc.securityGroups ?? [],
        description: `arn:aws:ecs:${this.deps.region}:${this.deps.accountId}:attachment/${attachment.id}`,
        privateIp: address,
        ...(vpc.assignPublicIp === 'ENABLED' ? { publicIp: address } : {}),
      },
      this.now(),
    );
    const details = [
      { name: 'subnetId', value: subnetId },
      { name: 'networkInterfaceId', value: eni.id },
      { name: 'macAddress', value: eni.macAddress },
      { name: 'privateDnsName', value: `ip-${address.replaceAll('.', '-')}.${this.deps.region}.compute.internal` },
      { name: 'privateIPv4Address', value: address },
    ];
    return {
      ...task,
      availabilityZone: subnet.availabilityZone,
      attachments: task.attachments.map((a) => (a.id === attachment.id ? { ...a, status: 'ATTACHED', details } : a)),
      containers: task.containers.map((c) => ({ ...c, networkInterfaces: c.networkInterfaces.map((n) => ({ ...n, privateIpv4Address: address })) })),
    };
  }

  /** AWS's failure when an awslogs group is missing and may not be created; creates it when it may. */
  private checkLogGroups(definition: TaskDefinition): string | undefined {
    for (const container of definition.document.containerDefinitions) {
      const config = container.logConfiguration;
      if (config?.logDriver !== 'awslogs') continue;
      const group = config.options?.['awslogs-group'];
      if (!group) continue;
      if (this.deps.logs.groupExists(group)) continue;
      if (config.options?.['awslogs-create-group'] === 'true') {
        this.deps.logs.createGroup(group, this.now().getTime());
        continue;
      }
      return `failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1`;
    }
    return undefined;
  }

  /** Pulls `image`; ECR images with a registry password issued to the execution role's session. */
  private async pull(image: string, task: Task, definition: TaskDefinition): Promise<void> {
    const local = resolveImageUri(image, { accountId: this.deps.accountId, region: this.deps.region, registryHost: this.deps.registryHost });
    if (!local) {
      await this.deps.engine.pullImage(image);
      return;
    }
    const roleArn = task.overrides.executionRoleArn ?? definition.document.executionRoleArn;
    const role = roleArn ? this.deps.roles.getRoleByArn(roleArn) : undefined;
    if (!role) throw new Error(`pull access denied for ${local.localUri}: no execution role`);
    const password = this.deps.registryTokens.issue(this.executionCaller(role, task), this.now()).password;
    const auth: RegistryAuth = { username: 'AWS', password, serveraddress: this.deps.registryHost };
    await this.deps.engine.pullImage(local.localUri, { auth });
  }

  /** The assumed-role caller ECS's agent acts as when it uses the execution role. */
  private executionCaller(role: Role, task: Task): Caller {
    const sessionName = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
    return {
      kind: 'assumed-role',
      accountId: this.deps.accountId,
      arn: `arn:aws:sts::${this.deps.accountId}:assumed-role/${role.roleName}/${sessionName}`,
      userId: `${role.roleId}:${sessionName}`,
      accessKeyId: 'ASIADOCKYARDECSAGENT',
      roleName: role.roleName,
      roleArn: role.arn,
      roleId: role.roleId,
      sessionName,
      tags: {},
      expiresAt: new Date(this.now().getTime() + 3600_000),
    };
  }

  private containerSpec(task: Task, definition: TaskDefinition, container: ContainerDefinition): ContainerSpec {
    const override = task.overrides.containerOverrides.find((o) => o.name === container.name);
    const env: Record<string, string> = {};
    for (const e of [...container.environment, ...(override?.environment ?? [])]) if (e.name !== undefined) env[e.name] = e.value ?? '';
    const local = resolveImageUri(container.image, { accountId: this.deps.accountId, region: this.deps.region, registryHost: this.deps.registryHost });
    const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
    const command = override?.command ?? container.command;
    const spec: ContainerSpec = {
      name: `ecs-${definition.family}-${definition.revision}-${container.name}-${taskId}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
      image: local ? local.localUri : container.image,
      env,
      labels: { ...(container.dockerLabels ?? {}), [LABEL.cloud]: this.deps.cloudLabel, [LABEL.task]: task.taskArn, [LABEL.container]: container.name },
      init: true,
      stopTimeoutSeconds: container.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S,
      ports: container.portMappings.filter((p) => p.containerPort !== undefined).map((p) => ({ containerPort: p.containerPort ?? 0, protocol: p.protocol ?? 'tcp', hostIp: '127.0.0.1' })),
    };
    if (command) spec.command = command;
    if (container.entryPoint) spec.entrypoint = container.entryPoint;
    if (container.workingDirectory) spec.workingDir = container.workingDirectory;
    if (container.user) spec.user = container.user;
    return spec;
  }

  private setContainer(taskArn: string, name: string, change: Partial<Task['containers'][number]>): void {
    this.deps.store.tasks.update(taskArn, (t) => ({ ...t, containers: t.containers.map((c) => (c.name === name ? { ...c, ...change } : c)) }));
  }

  /** Watches the container's exit (an essential one stops the task) and ships awslogs output (from `since`). */
  follow(task: Task, container: ContainerDefinition, id: string, signal: AbortSignal, since?: Date): void {
    const config = container.logConfiguration;
    if (config?.logDriver === 'awslogs' && config.options?.['awslogs-group']) {
      const group = config.options['awslogs-group'];
      const prefix = config.options['awslogs-stream-prefix'];
      const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
      const stream = prefix ? `${prefix}/${container.name}/${taskId}` : taskId;
      void (async () => {
        for await (const line of this.deps.engine.logs(id, { follow: true, timestamps: true, signal, ...(since ? { since } : {}) })) {
          const now = this.now().getTime();
          this.deps.logs.append(group, stream, [{ timestamp: line.time?.getTime() ?? now, message: line.line }], now);
        }
      })().catch((error: unknown) => {
        if (!signal.aborted) this.deps.logger.warn('awslogs stream ended', { task: task.taskArn, error: String(error) });
      });
    }
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
        if (!signal.aborted) this.deps.logger.warn('container wait failed', { task: task.taskArn, error: String(error) });
      });
  }

  /** Registers proxies and watchers for an adopted task's running containers. */
  async adopt(task: Task, definition: TaskDefinition, containers: { id: string; name: string; ipAddress?: string; ports: { containerPort: number; hostPort: number }[] }[]): Promise<void> {
    const entry: LiveTask = { proxies: [], abort: new AbortController(), stopping: false };
    this.live.set(task.taskArn, entry);
    const address = this.deps.pool.allocate(task.taskArn);
    const groups = task.networkConfiguration?.awsvpcConfiguration.securityGroups ?? [];
    for (const c of containers) {
      for (const port of c.ports) {
        this.deps.taskPorts?.add({ address, port: port.containerPort });
        entry.proxies.push(
          new TaskPortProxy({
            address,
            port: port.containerPort,
            upstream: await this.upstream(c.ipAddress, port),
            allows: (sourceIp, p) => this.ingressAllows(groups, p, sourceIp),
            logger: this.deps.logger,
          }),
        );
      }
      const container = definition.document.containerDefinitions.find((d) => d.name === c.name);
      // Output from before the restart was shipped already (lines logged while the cloud was down are lost).
      if (container) this.follow(task, container, c.id, entry.abort.signal, this.now());
    }
    await Promise.all(entry.proxies.map((p) => p.start()));
  }

  /**
   * Where a task port's proxy sends connections: the container's own address on the engine's
   * bridge when this process can route to it (rootful Podman or Docker on Linux), else the port
   * the engine published on 127.0.0.1. The published port goes through the engine's NAT, and
   * with a connection per request its conntrack entries collide with new ones (SYNs dropped,
   * one-second retransmits): a tenth of the direct path's rate in `npm run bench -- ecs`.
   */
  private async upstream(ipAddress: string | undefined, port: { containerPort: number; hostPort: number }): Promise<{ host: string; port: number }> {
    const published = { host: '127.0.0.1', port: port.hostPort };
    if (!ipAddress) return published;
    this.bridgeRoutable ??= probeRoute(ipAddress, port.containerPort);
    return (await this.bridgeRoutable) ? { host: ipAddress, port: port.containerPort } : published;
  }

  /** Stops whatever the task has (proxies, containers, ENI, address) and records STOPPED. */
  private async teardown(taskArn: string): Promise<void> {
    const { store, engine } = this.deps;
    const entry = this.live.get(taskArn);
    if (entry) entry.stopping = true;
    await this.deps.drain?.(taskArn);
    await Promise.all((entry?.proxies ?? []).map((p) => p.close()));
    for (const p of entry?.proxies ?? []) this.deps.taskPorts?.remove({ address: p.address, port: p.port });
    const task = store.tasks.get(taskArn);
    if (!task) return;
    const definition = definitionOf(store, task);
    for (const container of task.containers) {
      if (!container.runtimeId) continue;
      const stopTimeout = definition?.document.containerDefinitions.find((d) => d.name === container.name)?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
      try {
        await engine.stopContainer(container.runtimeId, stopTimeout);
        const details = await engine.inspectContainer(container.runtimeId);
        this.setContainer(taskArn, container.name, { lastStatus: 'STOPPED', ...(details.exitCode !== undefined ? { exitCode: details.exitCode } : {}) });
      } catch (error) {
        this.deps.logger.warn('container stop failed', { task: taskArn, error: String(error) });
        this.setContainer(taskArn, container.name, { lastStatus: 'STOPPED' });
      }
      // Also when the stop failed (a container created but never started cannot be stopped).
      await engine.removeContainer(container.runtimeId, { force: true }).catch((error: unknown) => this.deps.logger.warn('container remove failed', { task: taskArn, error: String(error) }));
    }
    entry?.abort.abort();
    this.live.delete(taskArn);
    this.deps.pool.release(taskArn);
    const eniId = task.attachments.flatMap((a) => a.details).find((d) => d.name === 'networkInterfaceId')?.value;
    if (eniId) this.deps.ec2.deleteNetworkInterface(eniId);
    const now = this.now();
    store.tasks.update(taskArn, (t) => {
      let next = t.desiredStatus === 'STOPPED' ? t : applyTaskEvent(t, STOP.essentialContainerExited(), now);
      next = { ...next, containers: next.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })), attachments: next.attachments.map((a) => ({ ...a, status: 'DELETED' as const })) };
      if (next.lastStatus !== 'STOPPED') next = { ...next, stoppingAt: next.stoppingAt ?? now, executionStoppedAt: next.executionStoppedAt ?? now, lastStatus: 'STOPPED', stoppedAt: now };
      return next;
    });
  }
}

/**
 * Whether `host:port` can be routed to: a connection or a refusal says yes (the app may not
 * listen yet), a timeout or an unreachable network says no.
 */
function probeRoute(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    const done = (routable: boolean): void => {
      socket.destroy();
      resolve(routable);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Task definitions by ARN, per store. A revision's document never changes (deregistering only
 * changes its status, which the runtime does not read), so it is read and decoded once, not on
 * every tick for every task.
 */
const definitions = new WeakMap<EcsStore, Map<string, TaskDefinition>>();

/** The task definition a task was started from. */
export function definitionOf(store: EcsStore, task: Pick<Task, 'taskDefinitionArn'>): TaskDefinition | undefined {
  let cache = definitions.get(store);
  if (!cache) {
    cache = new Map();
    definitions.set(store, cache);
  }
  const cached = cache.get(task.taskDefinitionArn);
  if (cached) return cached;
  const ref = parseTaskDefinitionRef(task.taskDefinitionArn);
  const definition = ref ? store.taskDefinitions.resolve(ref) : undefined;
  if (definition) cache.set(task.taskDefinitionArn, definition);
  return definition;
}
