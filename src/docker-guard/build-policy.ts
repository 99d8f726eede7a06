/**
 * What a job's `docker build` may ask: the parameters of Docker's build endpoint (Podman's
 * compatible endpoint takes many more — added capabilities, devices, seccomp profiles, host
 * secrets, namespace options, a resource-usage log file — none of which Docker's API has; they
 * are refused by name), the host network refused, image names mapped, and a Dockerfile path
 * that stays inside the context.
 */
import { posix } from 'node:path';
import { mapImageName, type RegistryMap } from './image-names.js';
import { queryJson } from './json-input.js';
import { badRequest, forbidden } from './refusal.js';

/** Parameters of Docker's POST /build, and what values each may take (undefined: any). */
const ALLOWED: Record<string, ((value: string) => string | undefined) | undefined> = {
  dockerfile: undefined, // checked by dockerfilePath
  t: undefined,
  extrahosts: undefined,
  q: undefined,
  nocache: undefined,
  cachefrom: undefined,
  pull: undefined,
  rm: undefined,
  forcerm: undefined,
  memory: undefined,
  memswap: undefined,
  cpushares: undefined,
  cpusetcpus: undefined,
  cpusetmems: undefined,
  cpuperiod: undefined,
  cpuquota: undefined,
  buildargs: undefined,
  shmsize: undefined,
  squash: undefined,
  labels: undefined,
  platform: undefined,
  target: undefined,
  ulimits: undefined,
  layers: undefined,
  remote: (v) =>
    v === '' ? undefined : 'build contexts from a URL (remote) are not supported: send the context from the client',
  networkmode: (v) =>
    ['', 'default', 'bridge', 'none'].includes(v)
      ? undefined
      : v === 'host'
        ? "building on the host's network (--network=host) is not allowed in workflow jobs"
        : `building on network ${v} is not allowed in workflow jobs`,
  cgroupparent: (v) => (v === '' ? undefined : 'a cgroup parent (--cgroup-parent) is not allowed in workflow jobs'),
  isolation: (v) => (v === '' || v === 'default' ? undefined : `build isolation ${v} is not allowed in workflow jobs`),
  outputs: (v) =>
    v === '' || v === '[]' || v === 'null'
      ? undefined
      : 'build outputs (--output) need BuildKit, which is not available',
  version: (v) =>
    v === '' || v === '1'
      ? undefined
      : 'BuildKit (DOCKER_BUILDKIT=1) is not available: the engine builds with its classic builder',
  session: (v) =>
    v === '' ? undefined : 'BuildKit sessions are not available: the engine builds with its classic builder',
};

/** A reviewed build: the parameters to send, and the context paths the engine opens itself. */
export interface BuildReview {
  search: URLSearchParams;
  /** Image names the build tags (as the job wrote them). */
  tags: string[];
  /** Context-relative paths that must not lead out of the context (Dockerfile, ignore files). */
  hostReadPaths: string[];
}

/** The Dockerfile's context-relative path, refused when absolute, a list, or climbing out. */
function dockerfilePath(value: string | null): string {
  const raw = value === null || value === '' ? 'Dockerfile' : value;
  if (raw.startsWith('['))
    throw forbidden('a list of Dockerfiles is not supported: name one Dockerfile inside the context');
  const clean = posix.normalize(raw);
  if (clean.startsWith('/') || clean === '..' || clean.startsWith('../'))
    throw forbidden(`Dockerfile ${raw}: it must be inside the build context`);
  return clean;
}

/** Reviews a build's query string. */
export function reviewBuild(search: URLSearchParams, registries: RegistryMap | undefined): BuildReview {
  for (const [key, value] of search) {
    if (!(key in ALLOWED))
      throw forbidden(`build parameter ${key} is not allowed in workflow jobs (it is not part of Docker's build API)`);
    const why = ALLOWED[key]?.(value);
    if (why) throw forbidden(why);
  }
  const out = new URLSearchParams();
  for (const [key, value] of search) {
    if (key === 't') out.append(key, mapImageName(value, registries));
    else if (key === 'cachefrom') out.append(key, mapCacheFrom(search, registries));
    else out.append(key, value);
  }
  const dockerfile = dockerfilePath(search.get('dockerfile'));
  const hostReadPaths = [
    dockerfile,
    '.dockerignore',
    '.containerignore',
    `${dockerfile}.dockerignore`,
    `${dockerfile}.containerignore`,
  ];
  return { search: out, tags: search.getAll('t'), hostReadPaths };
}

function mapCacheFrom(search: URLSearchParams, registries: RegistryMap | undefined): string {
  const value = queryJson(search, 'cachefrom');
  if (value === undefined) return search.get('cachefrom') ?? '';
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw badRequest('the cachefrom parameter must be a JSON list of image names');
  return JSON.stringify(value.map((v: string) => mapImageName(v, registries)));
}
