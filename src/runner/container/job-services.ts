/**
 * `services:` and `container:` as GitHub documents them, read from their evaluated values and
 * started for a container job: each service is a container on the job's network, waited for
 * until its `--health-cmd` passes (run by dockyard through exec, as ECS health checks are:
 * Podman schedules health checks with systemd timers, absent here). A `container:` job's steps
 * run in that image, which reaches each service by its key as host name; a job on the runner
 * image reaches a service on `localhost:<host port>` (its `ports:` mappings), as on GitHub.
 *
 * By design: a service's `ports:` are published inside the job's network namespace, not on this
 * host; a bare container port keeps its number as the host port (`job.services.<id>.ports`).
 * Not supported (the job fails saying so): `credentials`, `volumes`, options other than
 * `--health-*`, `--env`/`-e`; a `container:` job's JavaScript actions need `node` in the image.
 */
import type { Json } from '../../workflow/contract.js';

/** A health check from `options: --health-cmd …`. */
export interface HealthCheck {
  command: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** A service container to start. */
export interface ServiceSpec {
  key: string;
  image: string;
  env: Record<string, string>;
  ports: { host: number; container: number }[];
  health: HealthCheck | undefined;
}

/** The job container a `container:` names. */
export interface JobContainerImage {
  image: string;
  env: Record<string, string>;
}

/** A `services:` or `container:` value dockyard cannot honour; the message says why. */
export class ServiceSpecError extends Error {
  override readonly name = 'ServiceSpecError';
}

const MAX_SERVICES = 20;

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

function stringMap(value: Json | undefined, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new ServiceSpecError(`${where} must be a mapping of names to values`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function refuse(value: { [key: string]: Json }, where: string, keys: string[]): void {
  for (const key of keys)
    if (value[key] !== undefined && value[key] !== null)
      throw new ServiceSpecError(`${where}.${key} is not supported by dockyard`);
}

/** `5432`, `'8080:80'`, `'127.0.0.1:8080:80/tcp'` → host and container port. */
function port(entry: Json, where: string): { host: number; container: number } {
  const text = String(entry).replace(/\/tcp$/, '');
  const parts = text.split(':');
  const numbers = parts.slice(-2).map(Number);
  const container = numbers.at(-1);
  const host = parts.length >= 2 ? numbers[0] : container;
  const valid = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n > 0 && n < 65536;
  if (!valid(container) || !valid(host) || /\/udp$/.test(String(entry)))
    throw new ServiceSpecError(`${where}: '${String(entry)}' is not a TCP port mapping (PORT or HOST:CONTAINER)`);
  return { host, container };
}

/** Go-style durations of Docker's flags: `10s`, `1m30s`, `500ms`. */
function duration(text: string, where: string): number {
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let consumed = '';
  for (const match of text.matchAll(pattern)) {
    consumed += match[0];
    const n = Number(match[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (consumed !== text || total <= 0)
    throw new ServiceSpecError(`${where}: '${text}' is not a duration (e.g. 10s, 1m)`);
  return total;
}

/** Splits `options:` like a shell would (quotes group; no expansion). */
function words(options: string): string[] {
  return [...options.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map(
    (m) => m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3] ?? '',
  );
}

/** The `--health-*` options of `options:`; any other option is refused. */
export function healthCheck(options: Json | undefined, where: string): HealthCheck | undefined {
  if (options === undefined || options === null || options === '') return undefined;
  const flags = new Map<string, string>();
  const list = words(String(options));
  for (let i = 0; i < list.length; i++) {
    const word = list[i] ?? '';
    const [name, inline] = word.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!/^--health-(cmd|interval|timeout|retries|start-period)$/.test(name))
      throw new ServiceSpecError(`${where}.options: dockyard supports only the --health-* options, not '${name}'`);
    const value = inline ?? list[++i];
    if (value === undefined) throw new ServiceSpecError(`${where}.options: ${name} needs a value`);
    flags.set(name, value);
  }
  const command = flags.get('--health-cmd');
  if (command === undefined) return undefined;
  const retries = Number(flags.get('--health-retries') ?? '3');
  if (!Number.isInteger(retries) || retries < 1 || retries > 100)
    throw new ServiceSpecError(`${where}.options: --health-retries must be 1 to 100`);
  return {
    command,
    intervalMs: Math.min(duration(flags.get('--health-interval') ?? '30s', where), 60_000),
    timeoutMs: Math.min(duration(flags.get('--health-timeout') ?? '30s', where), 60_000),
    retries,
    startPeriodMs: flags.has('--health-start-period') ? duration(flags.get('--health-start-period') ?? '', where) : 0,
  };
}

/** The evaluated `services:` of a job. */
export function readServices(value: Json | undefined): ServiceSpec[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new ServiceSpecError('services must be a mapping of service names to containers');
  const entries = Object.entries(value);
  if (entries.length > MAX_SERVICES) throw new ServiceSpecError(`A job can have at most ${MAX_SERVICES} services`);
  return entries.map(([key, spec]) => {
    const where = `services.${key}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(key))
      throw new ServiceSpecError(`${where}: a service name must be a host name label`);
    const service = typeof spec === 'string' ? { image: spec } : spec;
    if (!isRecord(service) || typeof service.image !== 'string' || service.image === '')
      throw new ServiceSpecError(`${where}.image must name an image`);
    refuse(service, where, ['credentials', 'volumes']);
    const ports =
      service.ports === undefined || service.ports === null
        ? []
        : Array.isArray(service.ports)
          ? service.ports.map((p) => port(p, `${where}.ports`))
          : [port(service.ports, `${where}.ports`)];
    return {
      key,
      image: service.image,
      env: stringMap(service.env, `${where}.env`),
      ports,
      health: healthCheck(service.options, where),
    };
  });
}

/** The evaluated `container:` of a job. */
export function readJobContainer(value: Json | undefined): JobContainerImage | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const container = typeof value === 'string' ? { image: value } : value;
  if (!isRecord(container) || typeof container.image !== 'string' || container.image === '')
    throw new ServiceSpecError('container.image must name an image');
  refuse(container, 'container', ['credentials', 'volumes', 'ports']);
  if (container.options !== undefined && container.options !== null && String(container.options).trim() !== '')
    throw new ServiceSpecError('container.options is not supported by dockyard');
  return { image: container.image, env: stringMap(container.env, 'container.env') };
}
