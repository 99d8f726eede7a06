/**
 * `docker buildx build`'s flags (and `docker build`'s, which the CLI forwards here) read into one
 * request, checked as buildx checks them, with what dockyard's builder cannot do refused by name.
 * Accepted and ignored, with a notice: cache import/export (the engine's layer cache is used),
 * `--allow`, `--progress`, `--no-cache-filter`. Refused: secrets, SSH, extra build contexts,
 * `--call`/`--check`, exporters other than docker/image/registry/local/tar, and attestations
 * (there is no BuildKit to produce provenance or SBOMs), each with the reason.
 */
import { arrayFlag, boolFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './flags.js';
import { parsePlatformList, type Platform } from './platforms.js';

/** The flags `buildx build` takes. */
export const BUILD_FLAGS: FlagSpec[] = [
  { name: 'add-host', kind: 'slice' },
  { name: 'allow', kind: 'array' },
  { name: 'annotation', kind: 'array' },
  { name: 'attest', kind: 'array' },
  { name: 'build-arg', kind: 'array' },
  { name: 'build-context', kind: 'array' },
  { name: 'builder', kind: 'string' },
  { name: 'cache-from', kind: 'array' },
  { name: 'cache-to', kind: 'array' },
  { name: 'call', kind: 'string' },
  { name: 'check', kind: 'bool' },
  { name: 'cgroup-parent', kind: 'string' },
  { name: 'file', short: 'f', kind: 'string' },
  { name: 'iidfile', kind: 'string' },
  { name: 'label', kind: 'array' },
  { name: 'load', kind: 'bool' },
  { name: 'metadata-file', kind: 'string' },
  { name: 'network', kind: 'string' },
  { name: 'no-cache', kind: 'bool' },
  { name: 'no-cache-filter', kind: 'array' },
  { name: 'output', short: 'o', kind: 'array' },
  { name: 'platform', kind: 'array' },
  { name: 'progress', kind: 'string' },
  { name: 'provenance', kind: 'string' },
  { name: 'pull', kind: 'bool' },
  { name: 'push', kind: 'bool' },
  { name: 'quiet', short: 'q', kind: 'bool' },
  { name: 'sbom', kind: 'string' },
  { name: 'secret', kind: 'array' },
  { name: 'shm-size', kind: 'string' },
  { name: 'ssh', kind: 'array' },
  { name: 'tag', short: 't', kind: 'array' },
  { name: 'target', kind: 'string' },
  { name: 'ulimit', kind: 'array' },
  { name: 'debug', short: 'D', kind: 'bool' },
  // The legacy builder's flags buildx keeps (hidden): resources go to the engine, the rest is ignored.
  { name: 'memory', short: 'm', kind: 'string' },
  { name: 'memory-swap', kind: 'string' },
  { name: 'cpu-shares', short: 'c', kind: 'string' },
  { name: 'cpu-period', kind: 'string' },
  { name: 'cpu-quota', kind: 'string' },
  { name: 'cpuset-cpus', kind: 'string' },
  { name: 'cpuset-mems', kind: 'string' },
  { name: 'compress', kind: 'bool' },
  { name: 'isolation', kind: 'string' },
  { name: 'security-opt', kind: 'slice' },
  { name: 'squash', kind: 'bool' },
  { name: 'rm', kind: 'bool' },
  { name: 'force-rm', kind: 'bool' },
];

/** Where a build's result goes. */
export type Export =
  | { type: 'docker'; dest?: string }
  | { type: 'image'; push: boolean; names: string[] }
  | { type: 'local' | 'tar'; dest: string };

/** A checked build request. */
export interface BuildRequest {
  context: string;
  file: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target: string;
  platforms: Platform[];
  exports: Export[];
  noCache: boolean;
  pull: boolean;
  network: string;
  addHosts: string[];
  shmSize?: number;
  ulimits: { Name: string; Soft: number; Hard: number }[];
  cgroupParent: string;
  resources: Record<string, string>;
  iidFile: string;
  metadataFile: string;
  quiet: boolean;
  builder?: string;
  /** Notices printed before the build (what is accepted but has no effect here). */
  notices: string[];
}

/** `key=value,key2="v,2"` as buildx reads its CSV-shaped flag values. */
export function csvFields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current = '';
  let quoted = false;
  const fields: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    if (key === '') continue;
    out[key] = eq < 0 ? '' : field.slice(eq + 1);
  }
  return out;
}

function keyValues(values: string[], env: NodeJS.ProcessEnv, fromEnv: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq < 0) {
      // `--build-arg NAME` takes NAME's value from the environment, and is dropped when unset.
      if (fromEnv && env[value] !== undefined) out[value] = env[value] ?? '';
      else if (!fromEnv) out[value] = '';
      continue;
    }
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/** Sizes as docker's units package reads them (`64m`, `2g`, bytes). */
export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(value.trim());
  if (!match) throw new UsageError(`invalid size: '${value}'`);
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.round(Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1));
}

function parseUlimit(value: string): { Name: string; Soft: number; Hard: number } {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!match) throw new UsageError(`invalid ulimit argument: ${value}`);
  const soft = Number(match[2]);
  return { Name: match[1] ?? '', Soft: soft, Hard: match[3] === undefined ? soft : Number(match[3]) };
}

/** True when an attestation value asks for nothing (`false`, `disabled=true`). */
function attestationDisabled(value: string): boolean {
  if (/^(false|0)$/i.test(value.trim())) return true;
  return /^true$/i.test(csvFields(value).disabled ?? '');
}

function parseOutput(value: string): Export {
  const fields = csvFields(value);
  // `-o dir` is `type=local,dest=dir`; `-o -` is a tar on stdout.
  if (!value.includes('=')) return value === '-' ? { type: 'tar', dest: '-' } : { type: 'local', dest: value };
  const type = fields.type ?? '';
  if (type === 'docker') return { type: 'docker', ...(fields.dest ? { dest: fields.dest } : {}) };
  if (type === 'image' || type === 'registry') {
    const names = (fields.name ?? '').split(',').filter(Boolean);
    return { type: 'image', push: type === 'registry' || /^true$/i.test(fields.push ?? ''), names };
  }
  if (type === 'local' || type === 'tar') {
    if (!fields.dest) throw new UsageError(`dest is required for ${type} exporter`);
    return { type, dest: fields.dest };
  }
  if (type === 'oci')
    throw new UsageError(
      "the oci exporter is not supported by dockyard's builder (it builds with the engine's classic builder, without BuildKit): use type=docker, type=image, type=registry, type=local or type=tar",
    );
  if (type === 'cacheonly') return { type: 'image', push: false, names: [] };
  throw new UsageError(`invalid output type ${JSON.stringify(type)}`);
}

/** Reads `buildx build` arguments (after `build`). */
export function parseBuildArgs(args: string[], env: NodeJS.ProcessEnv = process.env): BuildRequest {
  const flags = parseFlags(args, BUILD_FLAGS);
  if (flags.positional.length !== 1) throw new UsageError(`"docker buildx build" requires exactly 1 argument.`);
  const context = flags.positional[0] ?? '.';
  if (/^(https?:\/\/|git@|github\.com\/)/.test(context) || context.endsWith('.git')) {
    throw new UsageError(
      `remote build contexts (${context}) are not supported by dockyard's builder: check the repository out and build its directory`,
    );
  }
  const notices: string[] = [];
  const refuse = (flag: string, why: string) => {
    if (flags.seen.has(flag)) throw new UsageError(`--${flag} is not supported by dockyard's builder: ${why}`);
  };
  refuse('ssh', 'there is no BuildKit session to forward SSH agents through');
  refuse('secret', 'there is no BuildKit session to pass build secrets through (RUN --mount=type=secret)');
  refuse('build-context', "the engine's classic builder takes one context");
  if (boolFlag(flags, 'check') || (flags.seen.has('call') && stringFlag(flags, 'call') !== 'build')) {
    throw new UsageError(
      "build checks and subrequests (--call, --check) need BuildKit, which dockyard's builder does not have",
    );
  }
  const attests = [...arrayFlag(flags, 'attest')];
  if (flags.seen.has('provenance')) attests.push(`type=provenance,${stringFlag(flags, 'provenance')}`);
  if (flags.seen.has('sbom')) attests.push(`type=sbom,${stringFlag(flags, 'sbom')}`);
  const wanted = attests.filter((a) => !attestationDisabled(a.replace(/^type=[a-z]+,?/, '')));
  if (wanted.length > 0) throw new AttestationError(wanted);
  if (arrayFlag(flags, 'annotation').length > 0)
    notices.push(
      "annotations are not applied: the engine's classic builder writes Docker image manifests, which carry none",
    );
  if (arrayFlag(flags, 'no-cache-filter').length > 0)
    notices.push("--no-cache-filter is ignored: the engine's classic builder caches all stages or none (--no-cache)");
  const cacheFrom = arrayFlag(flags, 'cache-from');
  const cacheTo = arrayFlag(flags, 'cache-to');
  if (cacheFrom.length > 0 || cacheTo.length > 0)
    notices.push(
      "cache import and export (--cache-from, --cache-to) are not available: the engine's own layer cache is used",
    );

  const outputs = arrayFlag(flags, 'output').map(parseOutput);
  if (boolFlag(flags, 'push')) {
    const image = outputs.find((e): e is Extract<Export, { type: 'image' }> => e.type === 'image');
    if (image) image.push = true;
    else outputs.push({ type: 'image', push: true, names: [] });
  }
  if (boolFlag(flags, 'load') && !outputs.some((e) => e.type === 'docker')) outputs.push({ type: 'docker' });

  const resources: Record<string, string> = {};
  for (const [flag, key] of [
    ['memory', 'memory'],
    ['memory-swap', 'memswap'],
    ['cpu-shares', 'cpushares'],
    ['cpu-period', 'cpuperiod'],
    ['cpu-quota', 'cpuquota'],
    ['cpuset-cpus', 'cpusetcpus'],
    ['cpuset-mems', 'cpusetmems'],
  ] as const) {
    const value = flags.strings.get(flag);
    if (value !== undefined)
      resources[key] =
        flag === 'memory' || flag === 'memory-swap' ? String(value === '-1' ? -1 : parseSize(value)) : value;
  }
  const shm = flags.strings.get('shm-size');
  const network = stringFlag(flags, 'network', 'default');
  return {
    context,
    file: stringFlag(flags, 'file'),
    tags: arrayFlag(flags, 'tag'),
    buildArgs: keyValues(arrayFlag(flags, 'build-arg'), env, true),
    labels: keyValues(arrayFlag(flags, 'label'), env, false),
    target: stringFlag(flags, 'target'),
    platforms: parsePlatformList(
      arrayFlag(flags, 'platform').length > 0
        ? arrayFlag(flags, 'platform')
        : env.DOCKER_DEFAULT_PLATFORM
          ? [env.DOCKER_DEFAULT_PLATFORM]
          : [],
    ),
    exports: outputs,
    noCache: boolFlag(flags, 'no-cache'),
    pull: boolFlag(flags, 'pull'),
    network: network === 'default' ? '' : network,
    addHosts: arrayFlag(flags, 'add-host'),
    ...(shm === undefined ? {} : { shmSize: parseSize(shm) }),
    ulimits: arrayFlag(flags, 'ulimit').map(parseUlimit),
    cgroupParent: stringFlag(flags, 'cgroup-parent'),
    resources,
    iidFile: stringFlag(flags, 'iidfile'),
    metadataFile: stringFlag(flags, 'metadata-file'),
    quiet: boolFlag(flags, 'quiet') || stringFlag(flags, 'progress') === 'quiet',
    ...(flags.seen.has('builder') ? { builder: stringFlag(flags, 'builder') } : {}),
    notices,
  };
}

/** Attestations were asked for: the message depends on the builder's driver. */
export class AttestationError extends Error {
  override readonly name = 'AttestationError';
  constructor(readonly attests: string[]) {
    super(
      `attestations (${attests.join('; ')}) are not supported by dockyard's builder: it builds with the engine's classic builder, without BuildKit, and cannot produce provenance or SBOMs. Set provenance and sbom to false`,
    );
  }
}
