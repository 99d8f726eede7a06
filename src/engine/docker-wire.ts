/**
 * The Docker Engine API's wire shapes (the parts dockyard sends and reads) and their mapping
 * to and from the engine contract. Pure functions: no I/O.
 *
 * Client quirks reproduced / handled:
 * - Podman names its default network `podman`, Docker `bridge`: the IP address is read from
 *   whichever network is attached (then from the deprecated top-level `IPAddress`).
 * - Unset times are reported as `0001-01-01T00:00:00Z`: mapped to undefined.
 * - Podman reports health under `State.Health` like Docker (older releases: `State.Healthcheck`).
 */
import type {
  ContainerDetails,
  EngineNetwork,
  ContainerHealth,
  ContainerSpec,
  ContainerStatus,
  ContainerSummary,
  ImageDetails,
  PublishedPort,
  RegistryAuth,
} from './contract.js';

/** `POST /containers/create` body. */
export interface WireCreateBody {
  Image: string;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  HostConfig: {
    Init: boolean;
    PortBindings?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    NetworkMode?: string;
    ExtraHosts?: string[];
    Binds?: string[];
    Memory?: number;
    MemoryReservation?: number;
    NanoCpus?: number;
    CpuShares?: number;
    RestartPolicy: { Name: 'no' };
  };
}

/** The parts of `GET /containers/{id}/json` that are read. */
export interface WireInspect {
  Id: string;
  Name?: string;
  Image?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null; Env?: string[] | null; WorkingDir?: string };
  Path?: string;
  Args?: string[] | null;
  State?: {
    Status?: string;
    Running?: boolean;
    Pid?: number;
    ExitCode?: number;
    StartedAt?: string;
    FinishedAt?: string;
    OOMKilled?: boolean;
    Error?: string;
    Health?: WireHealth;
    Healthcheck?: WireHealth;
  };
  NetworkSettings?: {
    IPAddress?: string;
    Gateway?: string;
    Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
    Networks?: Record<string, { IPAddress?: string; Gateway?: string }> | null;
  };
}

interface WireHealth {
  Status?: string;
  FailingStreak?: number;
}

/** One row of `GET /containers/json`. */
export interface WireSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  Labels?: Record<string, string> | null;
  State?: string;
  Created?: number;
}

const NS_PER_SECOND = 1_000_000_000;
const STATUSES: readonly ContainerStatus[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

/** Builds the create body for a spec. */
export function toCreateBody(spec: ContainerSpec): WireCreateBody {
  const body: WireCreateBody = {
    Image: spec.image,
    HostConfig: { Init: spec.init ?? true, RestartPolicy: { Name: 'no' } },
  };
  if (spec.env) body.Env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  if (spec.command) body.Cmd = spec.command;
  if (spec.entrypoint) body.Entrypoint = spec.entrypoint;
  if (spec.workingDir) body.WorkingDir = spec.workingDir;
  if (spec.user) body.User = spec.user;
  if (spec.hostname) body.Hostname = spec.hostname;
  if (spec.labels) body.Labels = spec.labels;
  if (spec.stopSignal) body.StopSignal = spec.stopSignal;
  if (spec.stopTimeoutSeconds !== undefined) body.StopTimeout = spec.stopTimeoutSeconds;
  if (spec.ports && spec.ports.length > 0) {
    body.ExposedPorts = {};
    body.HostConfig.PortBindings = {};
    for (const port of spec.ports) {
      const key = `${port.containerPort}/${port.protocol ?? 'tcp'}`;
      body.ExposedPorts[key] = {};
      const bindings = (body.HostConfig.PortBindings[key] ??= []);
      bindings.push({ HostIp: port.hostIp ?? '', HostPort: port.hostPort ? String(port.hostPort) : '' });
    }
  }
  if (spec.healthcheck) {
    const h = spec.healthcheck;
    const ns = (seconds: number | undefined) =>
      seconds === undefined ? undefined : Math.round(seconds * NS_PER_SECOND);
    body.Healthcheck = {
      Test: h.test,
      Interval: ns(h.intervalSeconds),
      Timeout: ns(h.timeoutSeconds),
      Retries: h.retries,
      StartPeriod: ns(h.startPeriodSeconds),
    };
  }
  if (spec.network) body.HostConfig.NetworkMode = spec.network;
  if (spec.extraHosts && spec.extraHosts.length > 0)
    body.HostConfig.ExtraHosts = spec.extraHosts.map((e) => `${e.host}:${e.ip}`);
  if (spec.binds && spec.binds.length > 0)
    body.HostConfig.Binds = spec.binds.map((b) => `${b.source}:${b.target}${b.readOnly ? ':ro' : ''}`);
  if (spec.memoryBytes !== undefined) body.HostConfig.Memory = spec.memoryBytes;
  if (spec.memoryReservationBytes !== undefined) body.HostConfig.MemoryReservation = spec.memoryReservationBytes;
  if (spec.cpus !== undefined) body.HostConfig.NanoCpus = Math.round(spec.cpus * NS_PER_SECOND);
  if (spec.cpuShares !== undefined) body.HostConfig.CpuShares = spec.cpuShares;
  return body;
}

/** A Docker time, or undefined for the zero time and for garbage. */
export function parseEngineTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  // Date keeps milliseconds; cut nanoseconds so every runtime parses it.
  const date = new Date(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toStatus(value: string | undefined): ContainerStatus {
  const lower = (value ?? '').toLowerCase();
  // Podman's compat list says `stopped`/`configured` where Docker says `exited`/`created`.
  if (lower === 'stopped') return 'exited';
  if (lower === 'configured' || lower === 'initialized') return 'created';
  return STATUSES.find((s) => s === lower) ?? 'dead';
}

function toHealth(h: WireHealth | undefined): ContainerHealth | undefined {
  if (!h?.Status) return undefined;
  const status = h.Status === 'healthy' || h.Status === 'unhealthy' || h.Status === 'starting' ? h.Status : 'none';
  return { status, failingStreak: h.FailingStreak ?? 0 };
}

/** Maps an inspect answer to the contract's details. */
export function fromInspect(wire: WireInspect): ContainerDetails {
  const state = wire.State ?? {};
  const status = toStatus(state.Status);
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(wire.NetworkSettings?.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    for (const b of bindings ?? []) {
      ports.push({
        containerPort: Number(port),
        protocol: protocol ?? 'tcp',
        hostIp: b.HostIp ?? '',
        hostPort: Number(b.HostPort ?? 0),
      });
    }
  }
  const networks = Object.values(wire.NetworkSettings?.Networks ?? {});
  const ipAddress = networks.map((n) => n.IPAddress).find((ip) => ip) ?? (wire.NetworkSettings?.IPAddress || undefined);
  const details: ContainerDetails = {
    id: wire.Id,
    name: (wire.Name ?? '').replace(/^\//, ''),
    image: wire.Config?.Image ?? '',
    imageId: wire.Image ?? '',
    labels: wire.Config?.Labels ?? {},
    status,
    running: state.Running ?? status === 'running',
    oomKilled: state.OOMKilled ?? false,
    ports,
  };
  if (status === 'exited' || status === 'dead') details.exitCode = state.ExitCode ?? 0;
  const startedAt = parseEngineTime(state.StartedAt);
  if (startedAt) details.startedAt = startedAt;
  const finishedAt = parseEngineTime(state.FinishedAt);
  if (finishedAt && (status === 'exited' || status === 'dead')) details.finishedAt = finishedAt;
  if (state.Error) details.error = state.Error;
  if (ipAddress) details.ipAddress = ipAddress;
  const gateway = networks.map((n) => n.Gateway).find((ip) => ip) ?? (wire.NetworkSettings?.Gateway || undefined);
  if (gateway) details.gateway = gateway;
  if (state.Pid) details.pid = state.Pid;
  if (wire.Path) {
    details.process = {
      argv: [wire.Path, ...(wire.Args ?? [])],
      path: (wire.Config?.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? '',
      workingDir: wire.Config?.WorkingDir || '/',
    };
  }
  const health = toHealth(state.Health ?? state.Healthcheck);
  if (health) details.health = health;
  return details;
}

/** A network as the engine's inspect and list answer it. */
export interface WireNetwork {
  Id?: string;
  ID?: string;
  Name?: string;
  Labels?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
}

/** The network's IPv4 plan; undefined when it has none. */
export function fromNetwork(wire: WireNetwork): EngineNetwork | undefined {
  const config = wire.IPAM?.Config?.find((c) => c.Subnet?.includes('.') && c.Gateway);
  const id = wire.Id ?? wire.ID;
  if (!id || !config?.Subnet || !config.Gateway) return undefined;
  return {
    id,
    name: wire.Name ?? '',
    subnet: config.Subnet,
    gateway: config.Gateway.replace(/\/\d+$/, ''),
    labels: wire.Labels ?? {},
  };
}

/** Maps a list row to the contract's summary. */
export function fromSummary(wire: WireSummary): ContainerSummary {
  return {
    id: wire.Id,
    name: (wire.Names?.[0] ?? '').replace(/^\//, ''),
    image: wire.Image ?? '',
    labels: wire.Labels ?? {},
    status: toStatus(wire.State),
    createdAt: new Date((wire.Created ?? 0) * 1000),
  };
}

/** An image as `GET /images/{name}/json` (Config.Labels, Created as text) or `GET /images/json` (Labels, Created in seconds) shows it. */
export interface WireImage {
  Id?: string;
  RepoTags?: string[] | null;
  Created?: string | number;
  Size?: number;
  Labels?: Record<string, string> | null;
  Config?: { Labels?: Record<string, string> | null } | null;
}

/** Maps an image inspection or list row to the contract's details. */
export function fromImageInspect(wire: WireImage): ImageDetails {
  const details: ImageDetails = {
    id: wire.Id ?? '',
    tags: wire.RepoTags ?? [],
    labels: wire.Config?.Labels ?? wire.Labels ?? {},
    sizeBytes: wire.Size ?? 0,
  };
  const created = typeof wire.Created === 'number' ? new Date(wire.Created * 1000) : parseEngineTime(wire.Created);
  if (created) details.createdAt = created;
  return details;
}

/** Splits `repo:tag` / `repo@digest` the way the Docker CLI sends a pull (`fromImage`, `tag`). */
export function splitImageRef(ref: string): { name: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}

/** The repository of a reference without Docker Hub's implied prefixes, for comparing names. */
export function normaliseRepository(name: string): string {
  return name.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

/** X-Registry-Auth: base64url of the JSON credentials, padded as Go's URLEncoding expects. */
export function registryAuthHeader(auth: RegistryAuth): string {
  const json = JSON.stringify({ username: auth.username, password: auth.password, serveraddress: auth.serveraddress });
  return Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Docker's `label` filter values: `key` (present) or `key=value`. */
export function labelFilters(labels: Record<string, string | true>): string[] {
  return Object.entries(labels).map(([k, v]) => (v === true ? k : `${k}=${v}`));
}
