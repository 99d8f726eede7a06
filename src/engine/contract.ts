/**
 * The container engine contract: what ECS (and its scheduler) needs from a container runtime,
 * independent of the wire. `DockerApiEngine` implements it over the Docker Engine API (Docker,
 * or Podman's Docker-compatible service); every implementation passes
 * `test/engine/contract-suite.ts`.
 *
 * Conventions: every method that can take long accepts an AbortSignal; every failure is an
 * `EngineError` (see ./errors.ts) carrying the engine's message, with `notFound` for a missing
 * container, image or exec instance. Times are `Date`s, durations carry their unit in the name.
 *
 * By design:
 * - No ulimits in `ContainerSpec`: passing any ulimit replaces the engine's whole default list
 *   (docs/reference/host-toolchain.md §1: Podman then fails with `rlimit type 6`), so the engine's defaults apply.
 * - `init` defaults to true: an app running as PID 1 ignores SIGTERM and would wait out the
 *   whole stop timeout; with an init, `stopContainer` is a graceful SIGTERM → SIGKILL.
 * - Health checks: `healthcheck` is handed to the engine, but Podman schedules health checks
 *   with systemd timers, so without systemd (this machine) they never run and the status stays
 *   `starting`. The scheduler should run ECS's CMD / CMD-SHELL checks itself through `exec`.
 */

/** Who answers, and which wire version the driver speaks. */
export interface EngineInfo {
  /** e.g. `Podman Engine`, `Docker Engine - Community`. */
  name: string;
  /** The engine's product version, e.g. `4.3.1`. */
  version: string;
  /** The Docker Engine API version this driver uses in its paths, e.g. `1.41`. */
  apiVersion: string;
  /** The newest Docker Engine API version the engine offers. */
  maxApiVersion: string;
  os: string;
  arch: string;
  /** `1` or `2` when the engine reports it. */
  cgroupVersion?: string;
}

/** Registry credentials for a pull, as Docker's X-Registry-Auth carries them. */
export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry host (and port), e.g. `localhost:4566`. */
  serveraddress: string;
}

/** One event of a pull's progress stream. */
export interface PullProgress {
  status: string;
  /** Layer id, when the event is about a layer. */
  id?: string;
  current?: number;
  total?: number;
}

/** Options of {@link ContainerEngine.pullImage}. */
export interface PullOptions {
  auth?: RegistryAuth;
  /** `os/arch[/variant]` (`linux/arm64`): the instance of a multi-platform image to pull. */
  platform?: string;
  onProgress?: (event: PullProgress) => void;
  signal?: AbortSignal;
}

/** Identity of a local image. */
export interface ImageDigest {
  /** The engine's image id (`sha256:` + config digest). */
  id: string;
  /** The registry manifest digest the image was pulled by (`sha256:…`), when known. */
  digest?: string;
  /** The platform its configuration names (`linux`, `arm64`), when it names one. */
  os?: string;
  architecture?: string;
}

/** A local image as `inspectImage` and `listImages` report it. */
export interface ImageDetails {
  /** The engine's image id (`sha256:` + config digest). */
  id: string;
  /** Its names (`repo:tag`), as the engine spells them. */
  tags: string[];
  labels: Record<string, string>;
  /** Unpacked size in bytes. */
  sizeBytes: number;
  createdAt?: Date;
}

/** A container port published on the host. */
export interface PortBinding {
  containerPort: number;
  protocol?: 'tcp' | 'udp';
  /** Host address to bind, e.g. `127.0.0.1` or a task's own loopback IP; all addresses when absent. */
  hostIp?: string;
  /** Host port; the engine chooses a free one when absent or 0. */
  hostPort?: number;
}

/** A container health check run by the engine (Docker's `Healthcheck`). */
export interface HealthcheckSpec {
  /** `['CMD', exe, …args]`, `['CMD-SHELL', command]` or `['NONE']`, as in ECS and Docker. */
  test: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
}

/** An extra `/etc/hosts` entry. */
export interface ExtraHost {
  host: string;
  ip: string;
}

/** Everything needed to create a container. */
export interface ContainerSpec {
  /** Container name; unique on the engine. */
  name: string;
  image: string;
  env?: Record<string, string>;
  /** Replaces the image's entrypoint (ECS `entryPoint`). */
  entrypoint?: string[];
  /** Replaces the image's command (ECS `command`). */
  command?: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  /** Labels; dockyard labels every container so it can adopt or remove it after a crash. */
  labels?: Record<string, string>;
  ports?: PortBinding[];
  /** Run an init as PID 1 that forwards signals and reaps zombies. Default true. */
  init?: boolean;
  /** Signal `stopContainer` sends first (default SIGTERM). */
  stopSignal?: string;
  /** Default grace period of a stop, in seconds. `stopContainer` always passes its own. */
  stopTimeoutSeconds?: number;
  healthcheck?: HealthcheckSpec;
  /** Hard memory limit (bytes). Works on cgroups v1 Podman (memory.limit_in_bytes). */
  memoryBytes?: number;
  /** Soft memory limit (bytes). Works on cgroups v1 Podman (memory.soft_limit_in_bytes). */
  memoryReservationBytes?: number;
  /** CPU quota in CPUs, e.g. 0.25 (CFS quota). Works on cgroups v1 Podman. */
  cpus?: number;
  /** Relative CPU weight (ECS `cpu` units map 1:1 to shares). Works on cgroups v1 Podman. */
  cpuShares?: number;
  /** `bridge` (the default network), `host`, `none` or a named network. */
  network?: string;
  /** Extra /etc/hosts entries. Podman 4.3 rejects Docker's `host-gateway` value. */
  extraHosts?: ExtraHost[];
  /** Host files or directories bound into the container. */
  binds?: { source: string; target: string; readOnly?: boolean }[];
}

/** A container's lifecycle state, as the Docker Engine API names it. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A published port as the engine reports it. */
export interface PublishedPort {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

/** A container's health as the engine reports it. */
export interface ContainerHealth {
  status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  failingStreak: number;
}

/** What `inspectContainer` reports. */
export interface ContainerDetails {
  id: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  running: boolean;
  /** Present once the container has exited (status `exited` or `dead`). */
  exitCode?: number;
  startedAt?: Date;
  finishedAt?: Date;
  oomKilled: boolean;
  /** The engine's error, e.g. when the entrypoint could not be executed. */
  error?: string;
  /** The container's address on its network (absent with `host` or `none`). */
  ipAddress?: string;
  /** Its network's gateway (the host's address on the bridge). */
  gateway?: string;
  /** The host PID of its first process while it runs (its namespaces are that process's). */
  pid?: number;
  /** What it runs (the init first, when there is one), its PATH and working directory. */
  process?: { argv: string[]; path: string; workingDir: string };
  ports: PublishedPort[];
  health?: ContainerHealth;
}

/** An engine network's IPv4 plan. */
export interface EngineNetwork {
  id: string;
  name: string;
  /** CIDR, e.g. `10.89.3.0/24`. */
  subnet: string;
  gateway: string;
  labels: Record<string, string>;
}

/** One row of `listContainers`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  createdAt: Date;
}

/** Options of {@link ContainerEngine.logs}. */
export interface LogOptions {
  /** Keep streaming until the container stops (or `signal` aborts). */
  follow?: boolean;
  since?: Date;
  /** Ask the engine for each line's time (`LogLine.time`). */
  timestamps?: boolean;
  /** Only the last N lines. */
  tail?: number;
  signal?: AbortSignal;
}

/** One event of a container from the engine's event stream (`die`, `start`, `destroy`, …). */
export interface ContainerEvent {
  id: string;
  action: string;
  time: Date;
  /** With `die`: the exit code. */
  exitCode?: number;
}

/** One line of a container's output. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The line without its newline; a final unterminated line is delivered as well. */
  line: string;
  /** When the engine logged it; present with `timestamps: true`. */
  time?: Date;
}

/** Result of {@link ContainerEngine.exec}. */
export interface ExecResult {
  exitCode: number;
  /** stdout and stderr interleaved as received, truncated to `maxOutputBytes`. */
  output: string;
}

/** Options of {@link ContainerEngine.exec}. */
export interface ExecOptions {
  env?: Record<string, string>;
  user?: string;
  /** Abort (e.g. `AbortSignal.timeout(healthCheckTimeout)`); the process may keep running. */
  signal?: AbortSignal;
  /** Default 64 KiB. */
  maxOutputBytes?: number;
}

/** The container runtime ECS runs tasks on. */
export interface ContainerEngine {
  /** Resolves when the engine answers; rejects with `Unavailable` otherwise. */
  ping(signal?: AbortSignal): Promise<void>;
  info(signal?: AbortSignal): Promise<EngineInfo>;

  /** Pulls `ref` (`host/repo:tag` or `host/repo@sha256:…`); rejects with `PullFailed` and the engine's message. */
  pullImage(ref: string, options?: PullOptions): Promise<void>;
  /** The local image's id and registry digest; `NotFound` when it is not present. */
  imageDigest(ref: string, signal?: AbortSignal): Promise<ImageDigest>;
  /** Removes a local image (`force` also untags it from every name and stopped container). */
  removeImage(ref: string, options?: { force?: boolean; signal?: AbortSignal }): Promise<void>;

  /** Creates (does not start) a container; resolves to its id. */
  createContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<string>;
  startContainer(id: string, signal?: AbortSignal): Promise<void>;
  /** Sends the stop signal, waits up to `timeoutSeconds`, then SIGKILL. A stopped container is fine. */
  stopContainer(id: string, timeoutSeconds: number, signal?: AbortSignal): Promise<void>;
  /** Sends `signal` (default SIGKILL); `Conflict` when the container is not running. */
  killContainer(id: string, signal?: string): Promise<void>;
  /** Removes the container (and its anonymous volumes); `force` kills a running one first. */
  removeContainer(id: string, options?: { force?: boolean; signal?: AbortSignal }): Promise<void>;
  inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerDetails>;
  /**
   * Prepares a created container without running it (Podman's `init`: its network namespace
   * exists and `inspectContainer` reports its pid and address), so rules can be installed in its
   * namespace before its process starts. False when the engine cannot (Docker).
   */
  initContainer(id: string, signal?: AbortSignal): Promise<boolean>;
  /** One sample of the container's resource use, in the Docker Engine API's stats shape (`stream=false`). */
  containerStats(id: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Resolves with the exit code once the container is not running. */
  waitContainer(id: string, signal?: AbortSignal): Promise<number>;
  /**
   * Follows the events of containers carrying all the given labels until `signal` aborts or the
   * engine ends the stream. One stream watches any number of containers: Podman's compat
   * `wait` polls, so a waiter per container costs the engine a core at a hundred containers.
   * Resolves once the engine has answered, so no event after that moment is missed.
   */
  containerEvents(options?: {
    labels?: Record<string, string | true>;
    signal?: AbortSignal;
  }): Promise<AsyncIterable<ContainerEvent>>;
  /** Containers in every state carrying all the given labels (`true`: label present with any value). */
  listContainers(
    filter?: { labels?: Record<string, string | true> },
    signal?: AbortSignal,
  ): Promise<ContainerSummary[]>;
  /** The container's output, demultiplexed and split into lines. */
  logs(id: string, options?: LogOptions): AsyncIterable<LogLine>;
  /** Runs `cmd` in the running container and waits for it (health checks: CMD / CMD-SHELL). */
  exec(id: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;

  /**
   * Bridge networks (optional: an engine without them gets no per-cloud task network). The
   * network named `name`, created with `labels` when missing.
   */
  ensureNetwork?(name: string, labels: Record<string, string>): Promise<EngineNetwork>;
  /** Bridge networks carrying the label `label` (any value). */
  listNetworks?(label: string): Promise<EngineNetwork[]>;
  /** Removes a network; a missing one is fine, one still in use rejects with `Conflict`. */
  removeNetwork?(name: string): Promise<void>;

  /** Releases the driver's resources; in-flight streams are destroyed. */
  close(): Promise<void>;
}
