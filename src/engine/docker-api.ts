/**
 * The container engine driver for the Docker Engine API, spoken over node:http to Docker or to
 * Podman's Docker-compatible service (`podman system service`). See ./contract.ts for what each
 * operation promises and ./endpoint.ts for how the socket is found.
 *
 * API version: paths carry `/v1.41` (what Podman 4.x offers). Docker 29 and later refuse
 * versions below 1.44, so the driver asks the unversioned `GET /version` once and moves up to
 * the engine's `MinAPIVersion` only when that is above 1.41; every field used here has the same
 * meaning from 1.41 through 1.52.
 *
 * Client quirks handled:
 * - Podman answers a failed pull with HTTP 200 and an `{error, errorDetail}` event: every event
 *   of the progress stream is checked.
 * - Podman's compat stop defaults to t=0 (an immediate SIGKILL) when `t` is omitted: `t` is
 *   always sent.
 * - Podman's image import ignores the `tag` parameter (it tags `:latest`): the image is tagged
 *   explicitly afterwards.
 * - Start/stop of a container already in that state answer 304: not an error.
 * - An exec's exit code can lag its output stream's end on Podman: it is polled briefly.
 *
 * - Podman 4.3's event stream ignores an `event` filter (it then sends nothing): events are
 *   filtered by type and label on the engine, by action here.
 *
 * Gaps: no stats stream, no TLS or ssh endpoints, no registry auth other than
 * username/password (identity tokens), no image build.
 */
import type { Readable } from 'node:stream';
import type {
  ContainerDetails,
  ContainerEvent,
  ContainerEngine,
  ContainerSpec,
  ContainerSummary,
  EngineInfo,
  EngineNetwork,
  ExecOptions,
  ExecResult,
  ImageDetails,
  ImageDigest,
  LogLine,
  LogOptions,
  PullOptions,
  PullProgress,
} from './contract.js';
import { discoverEndpoint, type EngineEndpoint } from './endpoint.js';
import { EngineError, isNotFound } from './errors.js';
import { EngineHttpClient, type EngineRequest } from './http-client.js';
import {
  fromImageInspect,
  fromInspect,
  fromNetwork,
  fromSummary,
  labelFilters,
  normaliseRepository,
  registryAuthHeader,
  splitImageRef,
  toCreateBody,
  type WireImage,
  type WireInspect,
  type WireNetwork,
  type WireSummary,
} from './docker-wire.js';
import { demultiplex, jsonLines, splitLines } from './streams.js';

/** The Docker Engine API version used unless the engine refuses it. */
export const PREFERRED_API_VERSION = '1.41';

/** Options of {@link DockerApiEngine}. */
export interface DockerApiEngineOptions {
  /** `unix:///path`, `tcp://127.0.0.1:2375` or a socket path; discovered when absent. */
  endpoint?: string;
  /** Environment for discovery (DOCKER_HOST, XDG_RUNTIME_DIR); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Force an API version instead of negotiating (e.g. `1.41`). */
  apiVersion?: string;
}

interface WireVersion {
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  Os?: string;
  Arch?: string;
  Platform?: { Name?: string };
  Components?: Array<{ Name?: string; Version?: string }>;
}

/** What Podman says about itself and its host (`podman info`): the pieces it runs containers with. */
export interface PodmanHost {
  /** Podman's version, e.g. `4.3.1`. */
  version: string;
  /** e.g. `runc`, `/usr/bin/runc`, `1.1.5+ds1`. */
  ociRuntime: { name: string; path: string; version: string };
  conmon: { path: string; version: string };
  /** `cni` or `netavark`. */
  networkBackend: string;
  /** The API socket, e.g. `unix:///run/podman/podman.sock`. */
  remoteSocket: string;
  rootless: boolean;
  cgroupVersion: string;
}

interface WirePodmanInfo {
  host?: {
    ociRuntime?: { name?: string; path?: string; version?: string };
    conmon?: { path?: string; version?: string };
    networkBackend?: string;
    remoteSocket?: { path?: string };
    security?: { rootless?: boolean };
    cgroupVersion?: string;
  };
  version?: { Version?: string };
}

interface ProgressEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

const DEFAULT_EXEC_OUTPUT = 64 * 1024;

/** Compares `1.41`-style versions numerically. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Picks the API version to speak given what the engine offers. */
export function chooseApiVersion(offered: { min?: string; max?: string }, preferred = PREFERRED_API_VERSION): string {
  if (offered.max && compareApiVersions(offered.max, preferred) < 0) {
    throw new EngineError({
      operation: 'negotiate',
      status: 0,
      code: 'Unsupported',
      engineMessage: '',
      message: `the container engine offers Docker Engine API ${offered.max}; dockyard needs ${preferred} or newer`,
    });
  }
  if (offered.min && compareApiVersions(offered.min, preferred) > 0) return offered.min;
  return preferred;
}

/** A {@link ContainerEngine} over the Docker Engine API. */
export class DockerApiEngine implements ContainerEngine {
  readonly endpoint: EngineEndpoint;
  private readonly http: EngineHttpClient;
  private version: Promise<{ api: string; wire: WireVersion }> | undefined;
  private readonly forcedVersion: string | undefined;

  constructor(options: DockerApiEngineOptions = {}) {
    this.endpoint = discoverEndpoint({ explicit: options.endpoint, env: options.env });
    this.http = new EngineHttpClient(this.endpoint);
    this.forcedVersion = options.apiVersion;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const text = await this.http.text({ operation: 'ping', method: 'GET', path: '/_ping', signal });
    if (text.trim() !== 'OK')
      throw new EngineError({
        operation: 'ping',
        status: 200,
        code: 'Unsupported',
        engineMessage: text,
        message: `ping: unexpected answer ${JSON.stringify(text.slice(0, 100))}`,
      });
  }

  async info(signal?: AbortSignal): Promise<EngineInfo> {
    const { api, wire } = await this.negotiate(signal);
    const system = await this.call<{ CgroupVersion?: string }>({
      operation: 'info',
      method: 'GET',
      path: '/info',
      signal,
    });
    const components = wire.Components ?? [];
    const podman = components.find((c) => c.Name?.includes('Podman'));
    const info: EngineInfo = {
      name: podman?.Name ?? wire.Platform?.Name ?? components[0]?.Name ?? 'Docker Engine',
      version: wire.Version ?? podman?.Version ?? '',
      apiVersion: api,
      maxApiVersion: wire.ApiVersion ?? api,
      os: wire.Os ?? '',
      arch: wire.Arch ?? '',
    };
    if (system?.CgroupVersion) info.cgroupVersion = system.CgroupVersion;
    return info;
  }

  /**
   * Podman's own account of its host (its libpod API's `/info`); undefined when the engine is
   * not Podman (Docker answers 404). Not part of the contract: `dockyard doctor` reports it.
   */
  async podmanHost(signal?: AbortSignal): Promise<PodmanHost | undefined> {
    let wire: WirePodmanInfo | undefined;
    try {
      // Podman accepts any version prefix on its libpod paths; 4.0.0 is the oldest dockyard knows.
      wire = await this.http.json<WirePodmanInfo>({
        operation: 'podmanInfo',
        method: 'GET',
        path: '/v4.0.0/libpod/info',
        signal,
      });
    } catch (error) {
      if (error instanceof EngineError && error.notFound) return undefined;
      throw error;
    }
    const host = wire?.host ?? {};
    // `runc version 1.1.5+ds1\ncommit: …`, `conmon version 2.1.6, commit: unknown`
    const versionOf = (text = '') => /version (\S+?),?(?:\s|$)/.exec(text)?.[1] ?? text.split('\n')[0]?.trim() ?? '';
    return {
      version: wire?.version?.Version ?? '',
      ociRuntime: {
        name: host.ociRuntime?.name ?? '',
        path: host.ociRuntime?.path ?? '',
        version: versionOf(host.ociRuntime?.version),
      },
      conmon: { path: host.conmon?.path ?? '', version: versionOf(host.conmon?.version) },
      networkBackend: host.networkBackend ?? '',
      remoteSocket: host.remoteSocket?.path ?? '',
      rootless: host.security?.rootless ?? false,
      cgroupVersion: host.cgroupVersion ?? '',
    };
  }

  async pullImage(ref: string, options: PullOptions = {}): Promise<void> {
    const { name, tag } = splitImageRef(ref);
    const headers: Record<string, string> = {};
    if (options.auth) headers['X-Registry-Auth'] = registryAuthHeader(options.auth);
    const operation = 'pullImage';
    const res = await this.stream({
      operation,
      method: 'POST',
      path: '/images/create',
      query: { fromImage: name, tag, ...(options.platform ? { platform: options.platform } : {}) },
      headers,
      signal: options.signal,
      errorCode: 'PullFailed',
    });
    try {
      for await (const value of jsonLines(res)) {
        const event = value as ProgressEvent;
        const failure = event.errorDetail?.message ?? event.error;
        if (failure) {
          throw new EngineError({
            operation,
            status: res.statusCode ?? 200,
            code: 'PullFailed',
            engineMessage: failure,
            message: `pull ${ref}: ${failure}`,
          });
        }
        if (options.onProgress && event.status) {
          const progress: PullProgress = { status: event.status };
          if (event.id) progress.id = event.id;
          if (event.progressDetail?.current !== undefined) progress.current = event.progressDetail.current;
          if (event.progressDetail?.total !== undefined) progress.total = event.progressDetail.total;
          options.onProgress(progress);
        }
      }
    } finally {
      res.destroy();
    }
  }

  async imageDigest(ref: string, signal?: AbortSignal): Promise<ImageDigest> {
    const wire = await this.call<{ Id?: string; RepoDigests?: string[] | null; Architecture?: string; Os?: string }>({
      operation: 'imageDigest',
      method: 'GET',
      path: `/images/${encodeURI(ref)}/json`,
      signal,
    });
    const result: ImageDigest = { id: wire?.Id ?? '' };
    const wanted = normaliseRepository(splitImageRef(ref).name);
    const repoDigests = wire?.RepoDigests ?? [];
    const match = repoDigests.find((d) => normaliseRepository(d.split('@')[0] ?? '') === wanted);
    const digest = match?.split('@')[1];
    if (digest) result.digest = digest;
    if (wire?.Os) result.os = wire.Os;
    if (wire?.Architecture) result.architecture = wire.Architecture;
    return result;
  }

  async removeImage(ref: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.call({
      operation: 'removeImage',
      method: 'DELETE',
      path: `/images/${encodeURI(ref)}`,
      query: { force: options.force ?? false },
      signal: options.signal,
    });
  }

  /**
   * Imports a root filesystem tarball as an image (`docker import`); resolves to the image id.
   * Not part of the contract: test fixtures and offline base images use it.
   */
  async importImage(
    tar: Buffer | Readable,
    ref: string,
    options: { changes?: string[]; signal?: AbortSignal } = {},
  ): Promise<string> {
    const { name, tag } = splitImageRef(ref);
    const res = await this.stream({
      operation: 'importImage',
      method: 'POST',
      path: '/images/create',
      query: { fromSrc: '-', repo: name, tag, changes: options.changes },
      body: tar,
      contentType: 'application/x-tar',
      signal: options.signal,
    });
    let id = '';
    for await (const value of jsonLines(res)) {
      const event = value as ProgressEvent;
      const failure = event.errorDetail?.message ?? event.error;
      if (failure)
        throw new EngineError({ operation: 'importImage', status: res.statusCode ?? 200, engineMessage: failure });
      const found = /sha256:[0-9a-f]{64}/.exec(event.status ?? '');
      if (found) id = found[0];
    }
    if (!id)
      throw new EngineError({
        operation: 'importImage',
        status: res.statusCode ?? 200,
        engineMessage: '',
        message: 'importImage: the engine did not report an image id',
      });
    await this.call({
      operation: 'tagImage',
      method: 'POST',
      path: `/images/${id}/tag`,
      query: { repo: name, tag },
      signal: options.signal,
    });
    return id;
  }

  /**
   * A local image's id, labels, size and creation time; `NotFound` when absent. Not part of the
   * contract: the offline images (src/images) read their recipe label with it.
   */
  async inspectImage(ref: string, signal?: AbortSignal): Promise<ImageDetails> {
    const wire = await this.call<WireImage>({
      operation: 'inspectImage',
      method: 'GET',
      path: `/images/${encodeURI(ref)}/json`,
      signal,
    });
    return fromImageInspect(wire ?? {});
  }

  /** Adds the name `target` (`repo:tag`) to the local image `ref`. Not part of the contract. */
  async tagImage(ref: string, target: string, signal?: AbortSignal): Promise<void> {
    const { name, tag } = splitImageRef(target);
    await this.call({
      operation: 'tagImage',
      method: 'POST',
      path: `/images/${encodeURI(ref)}/tag`,
      query: { repo: name, tag },
      signal,
    });
  }

  /** Local images carrying all the given labels (`true`: present with any value). Not part of the contract. */
  async listImages(
    filter: { labels?: Record<string, string | true> } = {},
    signal?: AbortSignal,
  ): Promise<ImageDetails[]> {
    const filters = filter.labels ? JSON.stringify({ label: labelFilters(filter.labels) }) : undefined;
    const rows = await this.call<WireImage[]>({
      operation: 'listImages',
      method: 'GET',
      path: '/images/json',
      query: { filters },
      signal,
    });
    return (rows ?? []).map(fromImageInspect);
  }

  async createContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
    const created = await this.call<{ Id?: string }>({
      operation: 'createContainer',
      method: 'POST',
      path: '/containers/create',
      query: { name: spec.name },
      json: toCreateBody(spec),
      signal,
    });
    if (!created?.Id)
      throw new EngineError({
        operation: 'createContainer',
        status: 201,
        engineMessage: '',
        message: 'createContainer: the engine did not return an id',
      });
    return created.Id;
  }

  async initContainer(id: string, signal?: AbortSignal): Promise<boolean> {
    try {
      // Podman's libpod API (no Docker equivalent): the namespaces made, the process created, not run yet.
      await this.http.json({
        operation: 'initContainer',
        method: 'POST',
        path: `/v4.0.0/libpod/containers/${encodeURIComponent(id)}/init`,
        signal,
      });
      return true;
    } catch (error) {
      if (error instanceof EngineError && error.notFound) return false;
      throw error;
    }
  }

  async startContainer(id: string, signal?: AbortSignal): Promise<void> {
    await this.call({
      operation: 'startContainer',
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/start`,
      signal,
    });
  }

  async stopContainer(id: string, timeoutSeconds: number, signal?: AbortSignal): Promise<void> {
    // Always send t: Podman's compat API treats a missing t as 0 (SIGKILL at once).
    const t = Math.max(0, Math.round(timeoutSeconds));
    await this.call({
      operation: 'stopContainer',
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/stop`,
      query: { t },
      signal,
    });
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.call({
      operation: 'killContainer',
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/kill`,
      query: { signal },
    });
  }

  async removeContainer(id: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.call({
      operation: 'removeContainer',
      method: 'DELETE',
      path: `/containers/${encodeURIComponent(id)}`,
      query: { force: options.force ?? false, v: true },
      signal: options.signal,
    });
  }

  async containerStats(id: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const wire = await this.call<Record<string, unknown>>({
      operation: 'containerStats',
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/stats?stream=false`,
      signal,
    });
    return wire ?? {};
  }

  async inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerDetails> {
    const wire = await this.call<WireInspect>({
      operation: 'inspectContainer',
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/json`,
      signal,
    });
    if (!wire)
      throw new EngineError({
        operation: 'inspectContainer',
        status: 200,
        engineMessage: '',
        message: 'inspectContainer: empty answer',
      });
    return fromInspect(wire);
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    const operation = 'waitContainer';
    const wire = await this.call<{ StatusCode?: number; Error?: { Message?: string } | null }>({
      operation,
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/wait`,
      query: { condition: 'not-running' },
      signal,
    });
    if (wire?.Error?.Message) throw new EngineError({ operation, status: 200, engineMessage: wire.Error.Message });
    return wire?.StatusCode ?? 0;
  }

  async listContainers(
    filter: { labels?: Record<string, string | true> } = {},
    signal?: AbortSignal,
  ): Promise<ContainerSummary[]> {
    const filters = filter.labels ? JSON.stringify({ label: labelFilters(filter.labels) }) : undefined;
    const rows = await this.call<WireSummary[]>({
      operation: 'listContainers',
      method: 'GET',
      path: '/containers/json',
      query: { all: true, filters },
      signal,
    });
    return (rows ?? []).map(fromSummary);
  }

  async containerEvents(
    options: { labels?: Record<string, string | true>; signal?: AbortSignal } = {},
  ): Promise<AsyncIterable<ContainerEvent>> {
    const filters = JSON.stringify({
      type: ['container'],
      ...(options.labels ? { label: labelFilters(options.labels) } : {}),
    });
    const res = await this.stream({
      operation: 'containerEvents',
      method: 'GET',
      path: '/events',
      query: { filters },
      signal: options.signal,
    });
    return (async function* events(): AsyncGenerator<ContainerEvent> {
      try {
        for await (const value of jsonLines(res)) {
          const wire = value as WireEvent;
          const id = wire.Actor?.ID ?? wire.id;
          if (wire.Type !== 'container' || !id) continue;
          const nanos = typeof wire.timeNano === 'number' ? wire.timeNano / 1e6 : undefined;
          const event: ContainerEvent = {
            id,
            action: wire.Action ?? wire.status ?? '',
            time: new Date(nanos ?? (wire.time ?? 0) * 1000),
          };
          const exitCode = wire.Actor?.Attributes?.exitCode;
          if (exitCode !== undefined && exitCode !== '') event.exitCode = Number(exitCode);
          yield event;
        }
      } catch (error) {
        if (options.signal?.aborted) return;
        throw error;
      } finally {
        res.destroy();
      }
    })();
  }

  async *logs(id: string, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const query: EngineRequest['query'] = {
      stdout: true,
      stderr: true,
      follow: options.follow ?? false,
      timestamps: options.timestamps ?? false,
    };
    if (options.since) query.since = unixSeconds(options.since);
    if (options.tail !== undefined) query.tail = options.tail;
    const res = await this.stream({
      operation: 'logs',
      method: 'GET',
      path: `/containers/${encodeURIComponent(id)}/logs`,
      query,
      signal: options.signal,
    });
    try {
      yield* splitLines(demultiplex(res), { timestamps: options.timestamps });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    } finally {
      res.destroy();
    }
  }

  async exec(id: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const body: Record<string, unknown> = {
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    };
    if (options.env) body.Env = Object.entries(options.env).map(([k, v]) => `${k}=${v}`);
    if (options.user) body.User = options.user;
    const { signal } = options;
    const created = await this.call<{ Id?: string }>({
      operation: 'exec',
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/exec`,
      json: body,
      signal,
    });
    const execId = created?.Id;
    if (!execId)
      throw new EngineError({
        operation: 'exec',
        status: 201,
        engineMessage: '',
        message: 'exec: the engine did not return an exec id',
      });
    // Without Upgrade headers both engines answer 200 and stream until the process ends.
    const res = await this.stream({
      operation: 'exec',
      method: 'POST',
      path: `/exec/${execId}/start`,
      json: { Detach: false, Tty: false },
      signal,
    });
    const limit = options.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT;
    const kept: Buffer[] = [];
    let size = 0;
    try {
      for await (const frame of demultiplex(res)) {
        if (size >= limit) continue;
        const piece = frame.payload.subarray(0, limit - size);
        kept.push(piece);
        size += piece.length;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      res.destroy();
    }
    const output = Buffer.concat(kept).toString('utf8');
    // Podman can report Running a moment after the stream ended: poll briefly.
    const deadline = Date.now() + 5000;
    for (;;) {
      const state = await this.call<{ Running?: boolean; ExitCode?: number | null }>({
        operation: 'exec',
        method: 'GET',
        path: `/exec/${execId}/json`,
        signal,
      });
      if (state && !state.Running && typeof state.ExitCode === 'number') return { exitCode: state.ExitCode, output };
      if (Date.now() > deadline)
        throw new EngineError({
          operation: 'exec',
          status: 200,
          engineMessage: '',
          message: `exec: the engine did not report an exit code for ${cmd.join(' ')}`,
        });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.http.close();
  }

  /** The version prefix, negotiated once (see the module comment). */
  private negotiate(signal?: AbortSignal): Promise<{ api: string; wire: WireVersion }> {
    this.version ??= this.http
      .json<WireVersion>({ operation: 'version', method: 'GET', path: '/version', signal })
      .then((wire = {}) => ({
        api: this.forcedVersion ?? chooseApiVersion({ min: wire.MinAPIVersion, max: wire.ApiVersion }),
        wire,
      }));
    // A failed negotiation (engine down) is retried on the next call.
    this.version.catch(() => (this.version = undefined));
    return this.version;
  }

  private async versioned(req: EngineRequest): Promise<EngineRequest> {
    const { api } = await this.negotiate(req.signal);
    return { ...req, path: `/v${api}${req.path}` };
  }

  async ensureNetwork(name: string, labels: Record<string, string>): Promise<EngineNetwork> {
    const inspect = async (): Promise<EngineNetwork> => {
      const wire = await this.call<WireNetwork>({
        operation: 'inspectNetwork',
        method: 'GET',
        path: `/networks/${encodeURIComponent(name)}`,
      });
      const network = wire ? fromNetwork(wire) : undefined;
      if (!network)
        throw new EngineError({
          operation: 'inspectNetwork',
          status: 200,
          engineMessage: '',
          message: `the engine's network ${name} has no IPv4 subnet and gateway`,
        });
      return network;
    };
    try {
      return await inspect();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await this.call({
        operation: 'createNetwork',
        method: 'POST',
        path: '/networks/create',
        json: { Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true },
      });
    } catch (error) {
      // Made meanwhile by another process of the same cloud: use that one.
      if (!(error instanceof EngineError && error.code === 'Conflict')) throw error;
    }
    return inspect();
  }

  async listNetworks(label: string): Promise<EngineNetwork[]> {
    const rows = await this.call<WireNetwork[]>({
      operation: 'listNetworks',
      method: 'GET',
      path: '/networks',
      query: { filters: JSON.stringify({ label: [label] }) },
    });
    return (rows ?? []).flatMap((wire) => fromNetwork(wire) ?? []);
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.call({ operation: 'removeNetwork', method: 'DELETE', path: `/networks/${encodeURIComponent(name)}` });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async call<T>(req: EngineRequest): Promise<T | undefined> {
    return this.http.json<T>(await this.versioned(req));
  }

  private async stream(req: EngineRequest) {
    return this.http.stream(await this.versioned(req));
  }
}

/** `since` as Docker parses it: seconds and nanoseconds. */
/** One object of `GET /events` (Docker's and Podman's shapes agree on these members). */
interface WireEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

function unixSeconds(date: Date): string {
  const ms = date.getTime();
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000000`;
}
