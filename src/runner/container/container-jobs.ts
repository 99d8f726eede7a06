/**
 * Starts jobs in containers, for one cloud: ensures the job's image (the runner image is built
 * on first use, with its progress in the job's log; another image is pulled when missing),
 * starts the job's Docker API guard (src/docker-guard) and a fresh container on the cloud's job
 * network (./job-network.ts) with only the job's own directories, makes the cloud's CA trusted
 * inside, and hands back a ContainerJob. Every container and every object a job created
 * through its guard carries the cloud's label (`dockyard.runner`), so a cloud restarted after a
 * kill -9 removes what its dead predecessor's jobs left (`sweep`).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDockerGuard, sweepOrphanedJobObjects, type RegistryMap } from '../../docker-guard/guard.js';
import { formatEndpoint, type EngineEndpoint } from '../../engine/endpoint.js';
import { awsServiceHostnames, isEcrRegistryHost } from '../../tls/aws-hostnames.js';
import { makePrivateDir } from '../../store/private-files.js';
import { errorMessage } from '../../core/errors.js';
import { RUNNER_NAME, type JobPaths } from '../job-env.js';
import type { JobHost } from '../job-host.js';
import { ContainerJob } from './container-job.js';
import { JobEngine } from './job-engine.js';
import { StepAgentClient } from './agent-client.js';
import {
  JOB_CA_BUNDLE,
  JOB_CA_CERT,
  JOB_STEP_AGENT,
  JOB_STEP_AGENT_SOCKET,
  JOB_TOOL_CACHE,
  jobMounts,
} from './job-mounts.js';
import { JobNetwork, RUNNER_CLOUD_LABEL, type ServiceRoute } from './job-network.js';
import { TaskRelays } from './task-relays.js';
import type { TaskPorts } from '../../network/task-ports.js';
import type { JobContainerImage, ServiceSpec } from './job-services.js';
import { startExecProcess } from './exec-process.js';

/** The label naming a job container (its value: the job's directory name). */
export const JOB_CONTAINER_LABEL = 'dockyard.job-container';
/** The label the guard puts on what a job creates (its value: the cloud's label and the job's directory name). */
export const GUARD_JOB_LABEL = 'dockyard.job';

/** What the cloud gives the container runner. */
export interface ContainerJobsOptions {
  engine: EngineEndpoint;
  cloudLabel: string;
  /** The cloud's port (its URLs inside a job are the same as outside). */
  port: number;
  accountId: string;
  /** `localhost:PORT`: the registry the engine pushes to and pulls from. */
  registryHost: string;
  /** `<data>/tls/ca.crt`. */
  caCert: string;
  /** Where guard sockets live: `<data>/work`. */
  workDir: string;
  actionCache: string;
  builtinActions: string;
  packageRoot: string;
  /** Makes the cloud also listen on an address of the job network's gateway. */
  listenOn(address: string): Promise<void>;
  /** The ECS tasks' ports (jobs reach them through relays); absent without a runtime. */
  taskPorts?: TaskPorts;
  /** The runner image, built when missing; resolves to its name. */
  ensureRunnerImage(onProgress: (line: string) => void, signal: AbortSignal): Promise<string>;
  /** The name `runs-on` labels map to the runner image by. */
  runnerImageAlias: string;
  logger: {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
    error(message: string, fields?: Record<string, unknown>): void;
  };
}

/** One job to start. */
export interface ContainerJobRequest {
  /** The runner's image (runs-on). */
  image: string;
  /** `container:`: the steps run in this image instead. */
  container?: JobContainerImage;
  /** `services:`. */
  services?: ServiceSpec[];
  job: { runId: number; jobId: number; dirName: string };
  /** The job's directories on the host (already made). */
  paths: JobPaths;
  log(line: string): void;
  signal: AbortSignal;
}

/** The shell script every job container runs first: the cloud's CA trusted (system store and bundle), the tool cache, the shells. */
const SET_UP_SCRIPT = `
set -e
system=
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem /etc/ssl/cert.pem; do
  if [ -f "$f" ]; then system=$f; break; fi
done
if [ -n "$system" ]; then cat "$1" >> "$system"; fi
mkdir -p /etc/dockyard "$2"
if [ -n "$system" ]; then cat "$system" > "$3"; else cat "$1" > "$3"; fi
for name in bash sh python pwsh; do printf '%s=%s\\n' "$name" "$(command -v "$name" || true)"; done
`;

/** What the runner uses of ContainerJobs (the wiring may load it on first use). */
export type JobContainerRunner = Pick<ContainerJobs, 'start' | 'sweep' | 'close'>;

export class ContainerJobs {
  private readonly engine: JobEngine;
  private readonly network: JobNetwork;
  /** The runner image's name once ensured by this process (its recipe cannot change meanwhile). */
  private runnerImage: Promise<string> | undefined;
  private readonly relays: TaskRelays;
  /** Running job containers: id → their init's pid (their network namespace). */
  private readonly live = new Map<string, number>();

  constructor(private readonly options: ContainerJobsOptions) {
    this.engine = new JobEngine(options.engine);
    this.network = new JobNetwork(this.engine, {
      cloudLabel: options.cloudLabel,
      port: options.port,
      listenOn: options.listenOn,
    });
    this.relays = new TaskRelays(options.taskPorts, () => void this.updateTaskRules());
  }

  /** Rewrites every running job's task chains (tasks came or went). */
  private async updateTaskRules(): Promise<void> {
    const rules = this.relays.rules();
    for (const [id, pid] of this.live) {
      await this.network.updateTasks(pid, rules).catch((error: unknown) =>
        this.options.logger.warn("runner: a job's task routes could not be updated", {
          container: id,
          error: errorMessage(error),
        }),
      );
    }
  }

  /** Removes what jobs of a dead predecessor left: their containers and everything they started. */
  async sweep(): Promise<void> {
    const label = `${RUNNER_CLOUD_LABEL}=${this.options.cloudLabel}`;
    const containers = await this.engine.containersLabelled([label, JOB_CONTAINER_LABEL]);
    for (const id of containers)
      await this.engine
        .removeContainer(id)
        .catch((error: unknown) =>
          this.options.logger.warn('runner: a job container could not be removed', { id, error: errorMessage(error) }),
        );
    const removed = await sweepOrphanedJobObjects({
      engine: formatEndpoint(this.options.engine),
      cloudLabel: { key: RUNNER_CLOUD_LABEL, value: this.options.cloudLabel },
      jobLabelKey: GUARD_JOB_LABEL,
      isLive: () => false,
      logger: this.options.logger,
    });
    // Made again by the first job; one left by a killed cloud would otherwise stay for good.
    await this.engine.removeNetwork(this.network.name).catch((error: unknown) =>
      this.options.logger.warn('runner: the job network of a previous process could not be removed', {
        error: errorMessage(error),
      }),
    );
    if (containers.length > 0 || removed.containers + removed.networks + removed.volumes > 0) {
      this.options.logger.warn('runner: removed job containers a previous process left', {
        jobContainers: containers.length,
        ...removed,
      });
    }
  }

  /** Starts a job's container; the job's log gets what happens, as GitHub's "Set up job" shows it. */
  async start(request: ContainerJobRequest): Promise<JobHost> {
    const { options } = this;
    const { log, signal, paths } = request;
    const began = Date.now();
    // Where the set-up's time goes, for the log's last set-up line.
    const phases: string[] = [];
    let last = began;
    const phase = (name: string) => {
      const now = Date.now();
      phases.push(`${name} ${((now - last) / 1000).toFixed(2)}`);
      last = now;
    };
    log(`Runner name: '${RUNNER_NAME}'`);
    const runnerImage = await this.image(request.image, log, signal);
    log(`Runner image: ${runnerImage}${runnerImage === request.image ? '' : ` (${request.image})`}`);
    const image =
      request.container === undefined ? runnerImage : await this.image(request.container.image, log, signal);
    if (request.container !== undefined) log(`Job container image: ${image}`);
    const imageEnv = await this.engine.imageEnvironment(image, signal);
    if (imageEnv === undefined) throw new Error(`The image ${image} is not in the container engine`);
    const plan = await this.network.ensure();
    phase('image');

    const guardDir = join(options.workDir, `${request.job.dirName}.docker`);
    rmSync(guardDir, { recursive: true, force: true });
    makePrivateDir(guardDir);
    const releases: (() => Promise<void>)[] = [async () => rmSync(guardDir, { recursive: true, force: true })];
    const release = async () => {
      const results = await Promise.allSettled(releases.reverse().map((r) => r()));
      for (const result of results)
        if (result.status === 'rejected')
          options.logger.warn('runner: releasing a job container failed', { error: errorMessage(result.reason) });
    };
    try {
      const jobLabel = `${options.cloudLabel}.${request.job.dirName}`;
      const guard = await startDockerGuard({
        socketPath: join(guardDir, 'docker.sock'),
        engine: formatEndpoint(options.engine),
        job: { labelKey: GUARD_JOB_LABEL, id: jobLabel },
        labels: { [RUNNER_CLOUD_LABEL]: options.cloudLabel },
        mounts: [{ hostPath: paths.root, jobPath: '/home/runner/work' }],
        registries: this.registries(),
        logger: options.logger,
      });
      releases.push(async () => void (await guard.close()));
      phase('guard');
      // Mount points the engine would otherwise create as root-owned directories in the job's directory.
      mkdirSync(join(paths.root, '_actions'), { recursive: true });
      mkdirSync(options.actionCache, { recursive: true });
      const { mounts, paths: mapping } = jobMounts({
        jobRoot: paths.root,
        fileCommands: paths.fileCommands,
        actionCache: options.actionCache,
        builtinActions: options.builtinActions,
        packageRoot: options.packageRoot,
        dockerSocket: guard.socketPath,
        caCert: options.caCert,
      });
      const name = `dockyard-job-${options.cloudLabel.slice(0, 8)}-${request.job.dirName}`
        .replace(/[^a-zA-Z0-9_.-]/g, '_')
        .slice(0, 200);
      const labels = { [RUNNER_CLOUD_LABEL]: options.cloudLabel, [JOB_CONTAINER_LABEL]: request.job.dirName };
      const services = await this.startServices(request.services ?? [], { name, labels, log, signal, releases });
      // A container job reaches its services by name; a job on the runner image on localhost (GitHub's semantics).
      const serviceHosts = request.container === undefined ? [] : services.map((s) => ({ host: s.spec.key, ip: s.ip }));
      // The runner image has Node: its steps go through the step agent (no engine exec per step).
      const useAgent = request.container === undefined && request.image === options.runnerImageAlias;
      const containerId = await this.engine.createContainer(
        {
          name,
          image,
          labels,
          ...(useAgent ? { command: { entrypoint: ['node'], cmd: [JOB_STEP_AGENT, JOB_STEP_AGENT_SOCKET] } } : {}),
          mounts,
          network: this.network.name,
          hosts: [
            ...serviceHosts,
            ...awsServiceHostnames(options.accountId).map((host) => ({ host, ip: plan.gateway })),
          ],
          ...(request.container === undefined ? {} : { env: request.container.env }),
          sysctls: {},
        },
        signal,
      );
      // The agent's connection is closed only once its container is gone: its end would stop the
      // container by itself while it is being removed.
      const connected: { agent?: StepAgentClient } = {};
      releases.push(async () => {
        try {
          await this.engine.removeContainer(containerId);
        } finally {
          connected.agent?.close();
        }
      });
      await this.engine.startContainer(containerId, signal);
      const state = await this.engine.inspectContainer(containerId, this.network.name);
      phase('container');
      if (!state.running || state.pid <= 0 || state.ipAddress === undefined)
        throw new Error(`The job's container ${containerId.slice(0, 12)} did not start`);
      const routes: ServiceRoute[] = services.map((s) => ({
        ip: s.ip,
        ports: request.container === undefined ? s.spec.ports : [],
      }));
      // The bridge (and so the gateway's address) exists once a container runs on it.
      await this.relays.attach(plan.gateway);
      const tasks = this.relays.rules();
      const [agent] = await Promise.all([
        useAgent
          ? StepAgentClient.connect(
              join(paths.fileCommands, '.step-agent.sock'),
              signal,
              async () => !(await this.engine.inspectContainer(containerId, this.network.name)).running,
            )
          : undefined,
        this.network.configure(state.pid, plan, state.ipAddress, routes, tasks),
      ]);
      // From now on task changes reach this job too; one that came meanwhile is applied now.
      this.live.set(containerId, state.pid);
      releases.push(async () => void this.live.delete(containerId));
      if (JSON.stringify(this.relays.rules()) !== JSON.stringify(tasks))
        await this.network.updateTasks(state.pid, this.relays.rules());
      if (agent !== undefined) connected.agent = agent;
      phase('network');

      const environment = parseEnvironment(state.env);
      const baseEnvironment: Record<string, string> = {
        ...environment,
        DOCKER_HOST: 'unix:///var/run/docker.sock',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CA_BUNDLE: JOB_CA_BUNDLE,
        // The CA alone: Node adds it to its own roots. The whole bundle costs every Node start
        // ~20 ms to parse (each JavaScript action's step and post step start one).
        NODE_EXTRA_CA_CERTS: JOB_CA_CERT,
        SSL_CERT_FILE: JOB_CA_BUNDLE,
        REQUESTS_CA_BUNDLE: JOB_CA_BUNDLE,
      };
      const found = new Map<string, string>();
      const host = new ContainerJob({
        engine: this.engine,
        containerId,
        image,
        description: [],
        baseEnvironment,
        paths: mapping,
        toolCache: JOB_TOOL_CACHE,
        found,
        release,
        agent,
        services: Object.fromEntries(
          services.map((s) => [
            s.spec.key,
            {
              id: s.id,
              network: this.network.name,
              ports: Object.fromEntries(s.spec.ports.map((p) => [String(p.container), String(p.host)])),
            },
          ]),
        ),
      });
      const setUp = await this.setUp(host, baseEnvironment);
      for (const [shell, path] of setUp) found.set(`${shell}\n${baseEnvironment.PATH ?? ''}`, path);
      phase('trust');
      log(
        `Job container ${containerId.slice(0, 12)} on network ${this.network.name}, ready in ${((Date.now() - began) / 1000).toFixed(2)} s (${phases.join(', ')})`,
      );
      return host;
    } catch (error) {
      await release();
      throw error;
    }
  }

  /** Starts the job's services on its network and waits until each is healthy (its --health-cmd passes). */
  private async startServices(
    specs: ServiceSpec[],
    job: {
      name: string;
      labels: Record<string, string>;
      log: (line: string) => void;
      signal: AbortSignal;
      releases: (() => Promise<void>)[];
    },
  ): Promise<{ spec: ServiceSpec; id: string; ip: string }[]> {
    const started: { spec: ServiceSpec; id: string; ip: string }[] = [];
    for (const spec of specs) {
      const image = await this.image(spec.image, job.log, job.signal);
      job.log(`Starting service container ${spec.key} (${image})`);
      const id = await this.engine.createContainer(
        {
          name: `${job.name}-${spec.key}`.slice(0, 250),
          image,
          labels: job.labels,
          mounts: [],
          network: this.network.name,
          hosts: [],
          sysctls: {},
          env: spec.env,
          command: 'image',
        },
        job.signal,
      );
      job.releases.push(() => this.engine.removeContainer(id));
      await this.engine.startContainer(id, job.signal);
      const state = await this.engine.inspectContainer(id, this.network.name);
      if (!state.running || state.ipAddress === undefined)
        throw new Error(`The service container ${spec.key} (${image}) did not start`);
      started.push({ spec, id, ip: state.ipAddress });
    }
    await Promise.all(started.map((s) => this.waitHealthy(s.spec, s.id, job.log, job.signal)));
    return started;
  }

  /** Runs a service's --health-cmd until it passes; its retries used up, the job fails (GitHub: "unhealthy"). */
  private async waitHealthy(
    spec: ServiceSpec,
    id: string,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const health = spec.health;
    if (health === undefined) return;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    if (health.startPeriodMs > 0) await sleep(Math.min(health.startPeriodMs, 1000));
    for (let attempt = 1; attempt <= health.retries; attempt++) {
      signal.throwIfAborted();
      const check = startExecProcess(
        this.engine,
        id,
        { file: 'sh', args: ['-c', health.command], cwd: '/', env: {}, onLine: () => undefined },
        (message) => new Error(message),
      );
      const timer = setTimeout(() => check.kill('timeout'), health.timeoutMs);
      const result = await check.done;
      clearTimeout(timer);
      if (result.exitCode === 0) {
        log(`${spec.key} service is healthy.`);
        return;
      }
      // The first check comes early (the service is often up at once); then Docker's interval.
      await sleep(attempt === 1 ? Math.min(1000, health.intervalMs) : health.intervalMs);
    }
    throw new Error(
      `Failed to initialize container ${spec.image}: the ${spec.key} service is unhealthy after ${health.retries} health checks (${health.command})`,
    );
  }

  /** The image to run: the runner image ensured (built once), any other one pulled when missing. */
  private async image(requested: string, log: (line: string) => void, signal: AbortSignal): Promise<string> {
    if (requested === this.options.runnerImageAlias) {
      this.runnerImage ??= this.options.ensureRunnerImage((line) => log(line), signal);
      this.runnerImage.catch(() => (this.runnerImage = undefined));
      return this.runnerImage;
    }
    if ((await this.engine.imageEnvironment(requested, signal)) !== undefined) return requested;
    log(`Pulling ${requested}`);
    await this.engine.pull(requested, (line) => log(line), signal);
    return requested;
  }

  /** The CA made trusted inside, the tool cache made, the shells found; resolves to shell → path. */
  private async setUp(host: ContainerJob, env: Record<string, string>): Promise<Map<string, string>> {
    const lines: string[] = [];
    const process = host.start({
      file: 'sh',
      args: [
        '-c',
        SET_UP_SCRIPT,
        'sh',
        '/usr/local/share/ca-certificates/dockyard-ca.crt',
        JOB_TOOL_CACHE,
        JOB_CA_BUNDLE,
      ],
      cwd: '/',
      env,
      onLine: (line) => lines.push(line),
    });
    const result = await process.done;
    if (result.spawnError !== undefined || result.exitCode !== 0) {
      throw new Error(
        `Setting up the job's container failed (it needs a POSIX sh): ${result.spawnError?.message ?? lines.join(' ').slice(0, 500)}`,
      );
    }
    const shells = new Map<string, string>();
    for (const line of lines) {
      const match = /^(bash|sh|python|pwsh)=(.*)$/.exec(line);
      if (match?.[1] !== undefined) shells.set(match[1], match[2]?.startsWith('/') ? match[2] : '');
    }
    return shells;
  }

  /**
   * Job-side registry names → the engine's: the cloud account's ECR host of a region is that
   * region's registry, at its path below the cloud's registry (core/ecr-address.ts).
   */
  private registries(): RegistryMap {
    return (host) =>
      isEcrRegistryHost(host, this.options.accountId)
        ? `${this.options.registryHost}/${host.toLowerCase()}`
        : undefined;
  }

  /** After the last job: the job network goes (every cloud's test would otherwise leave a bridge). */
  async close(): Promise<void> {
    this.relays.close();
    await this.network
      .remove()
      .catch((error: unknown) =>
        this.options.logger.warn('runner: the job network could not be removed', { error: errorMessage(error) }),
      );
    this.engine.close();
  }
}

/** `NAME=value` lines → a record (the first `=` separates). */
function parseEnvironment(lines: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}
