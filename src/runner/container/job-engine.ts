/**
 * The few Docker Engine API calls job containers need, over the engine's socket: create, start,
 * inspect and remove a container with its mounts and network; streamed exec; an image's presence
 * and environment; the cloud's job network. Paths are unversioned (both Podman and Docker
 * answer them in their current version; every field used here is stable since 1.41).
 *
 * Not the ECS driver (src/engine/docker-api.ts): tasks never bind-mount host paths, set sysctls
 * or exec streaming processes, and its contract stays what ECS needs.
 */
import type { IncomingMessage } from 'node:http';
import { DockerApiEngine } from '../../engine/docker-api.js';
import { formatEndpoint, type EngineEndpoint } from '../../engine/endpoint.js';
import { EngineError } from '../../engine/errors.js';
import { EngineHttpClient } from '../../engine/http-client.js';

/** A bind mount: a host path at a path of the container. */
export interface BindMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** What a job container is made of. */
export interface JobContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  mounts: BindMount[];
  network: string;
  /** `/etc/hosts` entries: host name → address. */
  hosts: { host: string; ip: string }[];
  sysctls: Record<string, string>;
  env?: Record<string, string>;
  /**
   * What the container runs: `image` keeps the image's entrypoint and command (a service);
   * by default it idles (`tail -f /dev/null`, as GitHub's runner starts a job container).
   */
  command?: 'image' | { entrypoint: string[]; cmd: string[] };
}

/** The parts of a container's inspect the runner uses. */
export interface JobContainerState {
  /** The container's init process on the host (its namespaces are reached through it). */
  pid: number;
  running: boolean;
  /** The container's environment (the image's, with the engine's additions), `NAME=value`. */
  env: string[];
  /** The container's address on the job network. */
  ipAddress: string | undefined;
}

/** An exec session's state. */
export interface ExecState {
  running: boolean;
  exitCode: number | undefined;
  /** The exec'd process on the host, while it runs (0 or absent when the engine does not say). */
  pid: number | undefined;
}

/** A network's address plan. */
export interface NetworkPlan {
  id: string;
  subnet: string;
  gateway: string;
}

interface WireContainerInspect {
  State?: { Pid?: number; Running?: boolean };
  Config?: { Env?: string[] | null };
  NetworkSettings?: { IPAddress?: string; Networks?: Record<string, { IPAddress?: string }> | null };
}

export class JobEngine {
  private readonly http: EngineHttpClient;
  /** Networks through the engine driver, which also makes the cloud's task network. */
  private readonly networks: DockerApiEngine;

  constructor(readonly endpoint: EngineEndpoint) {
    this.http = new EngineHttpClient(endpoint);
    this.networks = new DockerApiEngine({ endpoint: formatEndpoint(endpoint) });
  }

  /** The image's environment (`NAME=value`), or undefined when the engine does not have it. */
  async imageEnvironment(ref: string, signal?: AbortSignal): Promise<string[] | undefined> {
    try {
      const image = await this.http.json<{ Config?: { Env?: string[] | null } }>({
        operation: 'inspect image',
        method: 'GET',
        path: `/images/${encodeURIComponent(ref)}/json`,
        signal,
      });
      return image?.Config?.Env ?? [];
    } catch (error) {
      if (error instanceof EngineError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Pulls an image (no credentials: public or already trusted registries), reporting each status line. */
  async pull(ref: string, onStatus: (line: string) => void, signal?: AbortSignal): Promise<void> {
    const res = await this.http.stream({
      operation: 'pull',
      method: 'POST',
      path: '/images/create',
      query: { fromImage: ref },
      signal,
      errorCode: 'PullFailed',
    });
    let buffered = '';
    let failure: string | undefined;
    for await (const chunk of res) {
      buffered += (chunk as Buffer).toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line === '') continue;
        try {
          const event = JSON.parse(line) as {
            status?: string;
            id?: string;
            error?: string;
            errorDetail?: { message?: string };
          };
          if (event.error !== undefined || event.errorDetail?.message !== undefined)
            failure = event.errorDetail?.message ?? event.error;
          else if (event.status !== undefined && event.id === undefined) onStatus(event.status);
        } catch {
          // Podman's progress lines are JSON; anything else is ignored
        }
      }
    }
    if (failure !== undefined)
      throw new EngineError({ operation: 'pull', status: 200, code: 'PullFailed', engineMessage: failure });
  }

  /** Creates the job's container; resolves to its id. */
  async createContainer(spec: JobContainerSpec, signal?: AbortSignal): Promise<string> {
    const body = {
      Image: spec.image,
      ...(spec.command === 'image'
        ? {}
        : spec.command === undefined
          ? { Entrypoint: ['tail'], Cmd: ['-f', '/dev/null'] }
          : { Entrypoint: spec.command.entrypoint, Cmd: spec.command.cmd }),
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      HostConfig: {
        Binds: spec.mounts.map((m) => `${m.hostPath}:${m.containerPath}:${m.readOnly ? 'ro' : 'rw'}`),
        NetworkMode: spec.network,
        ExtraHosts: spec.hosts.map((h) => `${h.host}:${h.ip}`),
        Sysctls: spec.sysctls,
        Init: true,
      },
    };
    const created = await this.http.json<{ Id?: string }>({
      operation: 'create container',
      method: 'POST',
      path: '/containers/create',
      query: { name: spec.name },
      json: body,
      signal,
    });
    if (!created?.Id)
      throw new EngineError({
        operation: 'create container',
        status: 201,
        engineMessage: '',
        message: 'create container: the engine returned no id',
      });
    return created.Id;
  }

  async startContainer(id: string, signal?: AbortSignal): Promise<void> {
    await this.http.text({
      operation: 'start container',
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/start`,
      signal,
    });
  }

  async inspectContainer(id: string, network: string): Promise<JobContainerState> {
    const wire = await this.http.json<WireContainerInspect>({
      operation: 'inspect container',
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/json`,
    });
    const networks = wire?.NetworkSettings?.Networks ?? {};
    const ip = networks[network]?.IPAddress || wire?.NetworkSettings?.IPAddress || undefined;
    return {
      pid: wire?.State?.Pid ?? 0,
      running: wire?.State?.Running === true,
      env: wire?.Config?.Env ?? [],
      ipAddress: ip,
    };
  }

  /**
   * Removes a container by force (killing it), with its anonymous volumes; a missing one is fine.
   * Podman quirk: a container that is stopping by itself at that moment (its main process just
   * ended) is refused ("could not be stopped … container state improper"); it is removed once stopped.
   */
  async removeContainer(id: string): Promise<void> {
    const remove = () =>
      this.http.text({
        operation: 'remove container',
        method: 'DELETE',
        path: `/containers/${encodeURIComponent(id)}`,
        query: { force: true, v: true },
      });
    try {
      await remove();
    } catch (error) {
      if (error instanceof EngineError && error.status === 404) return;
      if (!(error instanceof EngineError && /state improper|could not be stopped/.test(error.engineMessage)))
        throw error;
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await remove();
          return;
        } catch (again) {
          if (again instanceof EngineError && again.status === 404) return;
          if (Date.now() > deadline) throw again;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Ids of containers (any state) carrying every `key=value` label. */
  async containersLabelled(labels: string[]): Promise<string[]> {
    const list = await this.http.json<{ Id?: string }[]>({
      operation: 'list containers',
      method: 'GET',
      path: '/containers/json',
      query: { all: true, filters: JSON.stringify({ label: labels }) },
    });
    return (list ?? []).flatMap((c) => (c.Id ? [c.Id] : []));
  }

  /** Creates an exec session; resolves to its id. */
  async createExec(
    containerId: string,
    spec: { cmd: string[]; env: Record<string, string>; cwd: string },
  ): Promise<string> {
    const body = {
      Cmd: spec.cmd,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: spec.cwd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    };
    const created = await this.http.json<{ Id?: string }>({
      operation: 'exec',
      method: 'POST',
      path: `/containers/${encodeURIComponent(containerId)}/exec`,
      json: body,
    });
    if (!created?.Id)
      throw new EngineError({
        operation: 'exec',
        status: 201,
        engineMessage: '',
        message: 'exec: the engine returned no exec id',
      });
    return created.Id;
  }

  /** Starts an exec session attached: its multiplexed output until the process ends. */
  startExec(execId: string): Promise<IncomingMessage> {
    // Without Upgrade headers both engines answer 200 and stream until the process ends.
    return this.http.stream({
      operation: 'exec',
      method: 'POST',
      path: `/exec/${encodeURIComponent(execId)}/start`,
      json: { Detach: false, Tty: false },
    });
  }

  async inspectExec(execId: string): Promise<ExecState> {
    const wire = await this.http.json<{ Running?: boolean; ExitCode?: number | null; Pid?: number }>({
      operation: 'exec',
      method: 'GET',
      path: `/exec/${encodeURIComponent(execId)}/json`,
    });
    return {
      running: wire?.Running === true,
      exitCode: typeof wire?.ExitCode === 'number' ? wire.ExitCode : undefined,
      pid: wire?.Pid || undefined,
    };
  }

  /** The network named `name`, created (with `labels`) when missing: the engine driver's way. */
  async ensureNetwork(name: string, labels: Record<string, string>): Promise<NetworkPlan> {
    const { id, subnet, gateway } = await this.networks.ensureNetwork(name, labels);
    return { id, subnet, gateway };
  }

  /** Networks carrying the label key, with their labels. */
  listNetworks(labelKey: string): Promise<{ name: string; labels: Record<string, string> }[]> {
    return this.networks.listNetworks(labelKey);
  }

  /** Removes a network; a missing one is fine. */
  removeNetwork(name: string): Promise<void> {
    return this.networks.removeNetwork(name);
  }

  close(): void {
    this.http.close();
    void this.networks.close();
  }
}
