/**
 * What a workflow job's containers may ask of the engine: the checks on a container create (and
 * on exec create and update), pure apart from resolving bind sources on the host. A create is
 * reviewed into its rewritten body (the job's labels added, the image name and bind sources
 * mapped) and the objects it refers to, which the caller checks belong to the job.
 *
 * Refused: privileged mode, the host's (or a path's) namespaces, devices, added capabilities,
 * any security option but no-new-privileges, unmasked system paths, non-namespaced sysctls, a
 * cgroup parent, another runtime, volume drivers and their options, log options naming files,
 * annotations, labels in dockyard's namespace, and bind mounts outside the job's directories.
 */
import type { BindRoots } from './bind-paths.js';
import { mapImageName, type RegistryMap } from './image-names.js';
import {
  arrayAt,
  canonicalKeys,
  objectAt,
  objectsAt,
  stringAt,
  stringMapAt,
  stringsAt,
  type JsonObject,
} from './json-input.js';
import { badRequest, forbidden } from './refusal.js';

/** Labels in this namespace are dockyard's own (the cloud adopts containers by them). */
export const RESERVED_LABEL_PREFIX = 'dockyard.';

/** An object a request refers to, which must be the job's; `use` says how, for the refusal. */
export interface Reference {
  ref: string;
  use: string;
}

/** A reviewed container create. */
export interface CreateReview {
  /** The body to send: labels added, image and bind sources mapped. */
  body: JsonObject;
  containers: Reference[];
  networks: Reference[];
  /** Named volumes: each must be the job's, or is created (labelled) before the container. */
  volumes: Reference[];
  /** The host paths bind-mounted, checked again at start. */
  hostBinds: string[];
}

/** What a review needs from the guard. */
export interface ReviewContext {
  roots: BindRoots;
  labels: Record<string, string>;
  registries: RegistryMap | undefined;
}

const SUFFIX = 'is not allowed in workflow jobs';

/** Networks every engine has; a job's containers may use them. */
export const PREDEFINED_NETWORKS = new Set(['', 'default', 'bridge', 'none', 'podman']);

/** Namespace modes: which values are fine, and how a `container:` one is handled. */
function namespaceMode(value: string, field: string, flag: string, allowed: string[], review: CreateReview): void {
  if (allowed.includes(value)) return;
  if (value.startsWith('container:') && allowed.includes('container:')) {
    review.containers.push({ ref: value.slice('container:'.length), use: `${flag}=${value}` });
    return;
  }
  if (value === 'host') throw forbidden(`sharing the host's ${field} namespace (${flag}=host) ${SUFFIX}`);
  throw forbidden(
    `${flag}=${value} ${SUFFIX}: only a private ${field} namespace${allowed.includes('container:') ? " or one of the job's containers'" : ''} can be used`,
  );
}

/** Security options that only add restrictions. */
function isHarmlessSecurityOpt(option: string): boolean {
  return /^no-new-privileges([:=](true|1))?$/.test(option);
}

/** Sysctls that are per network or IPC namespace (Docker's own list of namespaced ones). */
function isNamespacedSysctl(key: string): boolean {
  return /^net\./.test(key) || /^kernel\.(shm|msg)/.test(key) || key === 'kernel.sem' || /^fs\.mqueue\./.test(key);
}

/** The fields read below, for {@link canonicalKeys}. */
const CREATE_FIELDS = ['Image', 'Labels', 'HostConfig', 'NetworkingConfig'] as const;
const RESOURCE_FIELDS = ['Devices', 'DeviceRequests', 'DeviceCgroupRules', 'CgroupParent'] as const;
const HOST_FIELDS = [
  ...RESOURCE_FIELDS,
  'Privileged',
  'PidMode',
  'IpcMode',
  'UTSMode',
  'UsernsMode',
  'CgroupnsMode',
  'Cgroup',
  'NetworkMode',
  'CapAdd',
  'Capabilities',
  'SecurityOpt',
  'MaskedPaths',
  'ReadonlyPaths',
  'Sysctls',
  'Runtime',
  'VolumeDriver',
  'Annotations',
  'LogConfig',
  'Binds',
  'Mounts',
  'VolumesFrom',
  'Links',
] as const;
const MOUNT_FIELDS = ['Type', 'Source', 'VolumeOptions'] as const;

const LOG_DRIVERS = new Set(['', 'json-file', 'k8s-file', 'journald', 'none']);
const LOG_OPTIONS = new Set(['max-size', 'max-file', 'tag', 'mode', 'max-buffer-size', 'labels', 'env']);

/** Refuses labels in dockyard's namespace, then returns the labels with the job's added. */
export function labelled(
  labels: Record<string, string>,
  jobLabels: Record<string, string>,
  what: string,
): Record<string, string> {
  for (const key of Object.keys(labels)) {
    if (key.startsWith(RESERVED_LABEL_PREFIX))
      throw forbidden(`${what} label ${key}: labels starting with ${RESERVED_LABEL_PREFIX} are dockyard's own`);
  }
  return { ...labels, ...jobLabels };
}

/** The checks shared by create (HostConfig) and update (its resources). */
export function checkResources(resources: JsonObject, where: string): void {
  canonicalKeys(resources, RESOURCE_FIELDS, where);
  for (const key of ['Devices', 'DeviceRequests', 'DeviceCgroupRules']) {
    const list = arrayAt(resources, key, where);
    if (list.length > 0) throw forbidden(`access to host devices (${where}.${key}, --device or --gpus) ${SUFFIX}`);
  }
  if (stringAt(resources, 'CgroupParent', where) !== '') throw forbidden(`a cgroup parent (--cgroup-parent) ${SUFFIX}`);
}

/** Reviews a container create body. */
export function reviewContainerCreate(body: JsonObject, ctx: ReviewContext): CreateReview {
  const review: CreateReview = { body, containers: [], networks: [], volumes: [], hostBinds: [] };
  canonicalKeys(body, CREATE_FIELDS, 'Config');
  const image = stringAt(body, 'Image', 'Config');
  if (image !== '') body.Image = mapImageName(image, ctx.registries);
  body.Labels = labelled(stringMapAt(body, 'Labels', 'Config'), ctx.labels, 'container');

  const where = 'HostConfig';
  const host = canonicalKeys(objectAt(body, 'HostConfig', 'body') ?? {}, HOST_FIELDS, where);
  body.HostConfig = host;
  if (host.Privileged === true)
    throw forbidden(`privileged containers (--privileged) are not allowed in workflow jobs`);
  namespaceMode(stringAt(host, 'PidMode', where), 'process', '--pid', ['', 'container:'], review);
  namespaceMode(
    stringAt(host, 'IpcMode', where),
    'IPC',
    '--ipc',
    ['', 'none', 'private', 'shareable', 'container:'],
    review,
  );
  namespaceMode(stringAt(host, 'UTSMode', where), 'UTS', '--uts', [''], review);
  namespaceMode(stringAt(host, 'UsernsMode', where), 'user', '--userns', [''], review);
  namespaceMode(stringAt(host, 'CgroupnsMode', where), 'cgroup', '--cgroupns', ['', 'private'], review);
  if (stringAt(host, 'Cgroup', where) !== '') throw forbidden(`HostConfig.Cgroup ${SUFFIX}`);
  reviewNetworkMode(stringAt(host, 'NetworkMode', where), review);
  checkResources(host, where);
  const capAdd = stringsAt(host, 'CapAdd', where);
  if (capAdd.length > 0) throw forbidden(`adding capabilities (--cap-add ${capAdd.join(', ')}) ${SUFFIX}`);
  if (arrayAt(host, 'Capabilities', where).length > 0)
    throw forbidden(`replacing the capability set (HostConfig.Capabilities) ${SUFFIX}`);
  for (const option of stringsAt(host, 'SecurityOpt', where)) {
    if (!isHarmlessSecurityOpt(option))
      throw forbidden(
        `--security-opt ${option} ${SUFFIX}: containers keep the engine's confinement (only no-new-privileges can be added)`,
      );
  }
  for (const key of ['MaskedPaths', 'ReadonlyPaths']) {
    if (host[key] !== undefined && host[key] !== null)
      throw forbidden(
        `changing masked system paths (--security-opt systempaths=unconfined, HostConfig.${key}) ${SUFFIX}`,
      );
  }
  for (const key of Object.keys(stringMapAt(host, 'Sysctls', where))) {
    if (!isNamespacedSysctl(key))
      throw forbidden(
        `--sysctl ${key} ${SUFFIX}: only namespaced sysctls (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) can be set`,
      );
  }
  const runtime = stringAt(host, 'Runtime', where);
  if (runtime !== '')
    throw forbidden(`--runtime ${runtime} ${SUFFIX}: containers run with the engine's default runtime`);
  const volumeDriver = stringAt(host, 'VolumeDriver', where);
  if (volumeDriver !== '') throw forbidden(`--volume-driver ${volumeDriver} ${SUFFIX}`);
  if (Object.keys(objectAt(host, 'Annotations', where) ?? {}).length > 0)
    throw forbidden(`annotations (--annotation) ${SUFFIX}`);
  reviewLogConfig(objectAt(host, 'LogConfig', where));

  host.Binds = stringsAt(host, 'Binds', where).map((bind) => reviewBind(bind, ctx, review));
  for (const mount of objectsAt(host, 'Mounts', where)) reviewMount(mount, ctx, review);
  for (const from of stringsAt(host, 'VolumesFrom', where))
    review.containers.push({ ref: from.replace(/:(ro|rw)$/, ''), use: `--volumes-from ${from}` });
  for (const link of stringsAt(host, 'Links', where))
    review.containers.push({ ref: (link.split(':')[0] ?? '').replace(/^\//, ''), use: `--link ${link}` });

  const networking = canonicalKeys(
    objectAt(body, 'NetworkingConfig', 'body') ?? {},
    ['EndpointsConfig'],
    'NetworkingConfig',
  );
  for (const network of Object.keys(objectAt(networking, 'EndpointsConfig', 'NetworkingConfig') ?? {})) {
    if (!PREDEFINED_NETWORKS.has(network)) review.networks.push({ ref: network, use: `--network ${network}` });
  }
  return review;
}

function reviewNetworkMode(mode: string, review: CreateReview): void {
  if (PREDEFINED_NETWORKS.has(mode)) return;
  if (mode === 'host') throw forbidden(`the host's network (--network=host) ${SUFFIX}`);
  if (mode.startsWith('container:')) {
    review.containers.push({ ref: mode.slice('container:'.length), use: `--network=${mode}` });
    return;
  }
  // Podman also takes `ns:/path`, `slirp4netns`, `pasta`, `private`: none of them is a job's network.
  if (mode.includes(':') || mode.includes('/') || ['slirp4netns', 'pasta', 'private'].includes(mode)) {
    throw forbidden(`--network=${mode} ${SUFFIX}: use bridge, none, or a network the job created`);
  }
  review.networks.push({ ref: mode, use: `--network=${mode}` });
}

function reviewLogConfig(log: JsonObject | undefined): void {
  if (!log) return;
  canonicalKeys(log, ['Type', 'Config'], 'HostConfig.LogConfig');
  const type = stringAt(log, 'Type', 'HostConfig.LogConfig');
  if (!LOG_DRIVERS.has(type)) throw forbidden(`--log-driver ${type} ${SUFFIX}`);
  for (const key of Object.keys(stringMapAt(log, 'Config', 'HostConfig.LogConfig'))) {
    if (!LOG_OPTIONS.has(key)) throw forbidden(`--log-opt ${key} ${SUFFIX}`);
  }
}

/** `src:dst[:options]`: a host path (mapped) or a named volume. */
function reviewBind(bind: string, ctx: ReviewContext, review: CreateReview): string {
  const [source = '', ...rest] = bind.split(':');
  if (rest.length === 0) throw badRequest(`invalid bind ${bind}: expected source:destination[:options]`);
  if (source.startsWith('/')) {
    const hostPath = ctx.roots.resolve(source);
    review.hostBinds.push(hostPath);
    return [hostPath, ...rest].join(':');
  }
  review.volumes.push({ ref: source, use: `-v ${bind}` });
  return bind;
}

function reviewMount(mount: JsonObject, ctx: ReviewContext, review: CreateReview): void {
  const where = 'HostConfig.Mounts[]';
  canonicalKeys(mount, MOUNT_FIELDS, where);
  const type = stringAt(mount, 'Type', where);
  const source = stringAt(mount, 'Source', where);
  switch (type) {
    case 'bind': {
      const hostPath = ctx.roots.resolve(source);
      mount.Source = hostPath;
      review.hostBinds.push(hostPath);
      return;
    }
    case 'volume': {
      const options = canonicalKeys(
        objectAt(mount, 'VolumeOptions', where) ?? {},
        ['DriverConfig'],
        `${where}.VolumeOptions`,
      );
      const driver = objectAt(options, 'DriverConfig', `${where}.VolumeOptions`);
      if (driver) canonicalKeys(driver, ['Name', 'Options'], `${where}.VolumeOptions.DriverConfig`);
      if (
        driver &&
        (stringAt(driver, 'Name', where) !== '' || Object.keys(objectAt(driver, 'Options', where) ?? {}).length > 0)
      ) {
        throw forbidden(
          `volume driver options (--mount volume-driver/volume-opt) ${SUFFIX}: they can mount host paths`,
        );
      }
      if (source !== '') review.volumes.push({ ref: source, use: `--mount type=volume,source=${source}` });
      return;
    }
    case 'tmpfs':
      return;
    default:
      throw forbidden(`--mount type=${type} ${SUFFIX}: use bind (inside the job's directories), volume or tmpfs`);
  }
}

/** Checks an exec create body. */
export function checkExecCreate(body: JsonObject): void {
  canonicalKeys(body, ['Privileged'], 'exec');
  if (body.Privileged === true)
    throw forbidden(`privileged exec sessions (docker exec --privileged) are not allowed in workflow jobs`);
}
