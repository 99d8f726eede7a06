/**
 * Which Docker Engine API operation a request is: the method and path (after the optional
 * `/vX.Y` prefix clients send) matched against the endpoints a workflow job may use, named with
 * the operation IDs of Docker's API reference (ContainerCreate, ImagePush, …). Anything else is
 * refused here, naming the endpoint: swarm, services, nodes, secrets, configs, plugins, BuildKit
 * sessions and Podman's own `/libpod` API.
 */
import { forbidden, badRequest } from './refusal.js';

/** Operations on the system as a whole. */
type SystemOperation =
  'SystemPing' | 'SystemVersion' | 'SystemInfo' | 'SystemEvents' | 'SystemDataUsage' | 'SystemAuth';
/** Operations naming a container by ID or name in the path. */
export type ContainerOperation =
  | 'ContainerInspect'
  | 'ContainerTop'
  | 'ContainerLogs'
  | 'ContainerChanges'
  | 'ContainerExport'
  | 'ContainerStats'
  | 'ContainerResize'
  | 'ContainerStart'
  | 'ContainerStop'
  | 'ContainerRestart'
  | 'ContainerKill'
  | 'ContainerUpdate'
  | 'ContainerRename'
  | 'ContainerPause'
  | 'ContainerUnpause'
  | 'ContainerAttach'
  | 'ContainerAttachWebsocket'
  | 'ContainerWait'
  | 'ContainerDelete'
  | 'ContainerArchiveInfo'
  | 'ContainerArchive'
  | 'PutContainerArchive'
  | 'ContainerExec';
type ExecOperation = 'ExecStart' | 'ExecResize' | 'ExecInspect';
type ImageOperation =
  | 'ImageList'
  | 'ImageBuild'
  | 'ImageCreate'
  | 'ImageInspect'
  | 'ImageHistory'
  | 'ImagePush'
  | 'ImageTag'
  | 'ImageDelete'
  | 'ImageSearch'
  | 'ImageCommit'
  | 'ImageGet'
  | 'ImageGetAll'
  | 'ImageLoad'
  | 'DistributionInspect';
type NetworkOperation =
  | 'NetworkList'
  | 'NetworkInspect'
  | 'NetworkDelete'
  | 'NetworkCreate'
  | 'NetworkConnect'
  | 'NetworkDisconnect'
  | 'NetworkPrune';
type VolumeOperation = 'VolumeList' | 'VolumeCreate' | 'VolumeInspect' | 'VolumeDelete' | 'VolumePrune';

/** Every operation the guard lets through (after its policy step). */
export type GuardOperation =
  | SystemOperation
  | ContainerOperation
  | 'ContainerList'
  | 'ContainerCreate'
  | 'ContainerPrune'
  | ExecOperation
  | ImageOperation
  | NetworkOperation
  | VolumeOperation;

/** A detected request: the operation, the object the path names (decoded) and the engine-side version prefix. */
export interface Route {
  operation: GuardOperation;
  /** The container, exec, image, network or volume the path names, when it names one. */
  target?: string;
  /** The path with `{}` where the target was (`/containers/{}/json`), to name the object by ID instead. */
  template?: string;
  /** `/v1.41` or '' — kept on the forwarded path so the engine answers in the client's version. */
  version: string;
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One endpoint: method, path pattern (one capture at most: the target), operation. */
type Endpoint = [Method, RegExp, GuardOperation];

const ID = '([^/]+)';
// Image names carry slashes (`localhost:5000/team/app:tag`): the capture is greedy up to the suffix.
const NAME = '(.+)';

const ENDPOINTS: Endpoint[] = [
  ['GET', /^\/_ping$/, 'SystemPing'],
  ['HEAD', /^\/_ping$/, 'SystemPing'],
  ['GET', /^\/version$/, 'SystemVersion'],
  ['GET', /^\/info$/, 'SystemInfo'],
  ['GET', /^\/events$/, 'SystemEvents'],
  ['GET', /^\/system\/df$/, 'SystemDataUsage'],
  ['POST', /^\/auth$/, 'SystemAuth'],

  ['GET', /^\/containers\/json$/, 'ContainerList'],
  ['POST', /^\/containers\/create$/, 'ContainerCreate'],
  ['POST', /^\/containers\/prune$/, 'ContainerPrune'],
  // `docker inspect NAME` asks for a container first, then an image: an image name (slashes and
  // all) must get the engine's 404 for a container, not a refusal, or the CLI stops there.
  ['GET', new RegExp(`^/containers/${NAME}/json$`), 'ContainerInspect'],
  ['GET', new RegExp(`^/containers/${ID}/top$`), 'ContainerTop'],
  ['GET', new RegExp(`^/containers/${ID}/logs$`), 'ContainerLogs'],
  ['GET', new RegExp(`^/containers/${ID}/changes$`), 'ContainerChanges'],
  ['GET', new RegExp(`^/containers/${ID}/export$`), 'ContainerExport'],
  ['GET', new RegExp(`^/containers/${ID}/stats$`), 'ContainerStats'],
  ['POST', new RegExp(`^/containers/${ID}/resize$`), 'ContainerResize'],
  ['POST', new RegExp(`^/containers/${ID}/start$`), 'ContainerStart'],
  ['POST', new RegExp(`^/containers/${ID}/stop$`), 'ContainerStop'],
  ['POST', new RegExp(`^/containers/${ID}/restart$`), 'ContainerRestart'],
  ['POST', new RegExp(`^/containers/${ID}/kill$`), 'ContainerKill'],
  ['POST', new RegExp(`^/containers/${ID}/update$`), 'ContainerUpdate'],
  ['POST', new RegExp(`^/containers/${ID}/rename$`), 'ContainerRename'],
  ['POST', new RegExp(`^/containers/${ID}/pause$`), 'ContainerPause'],
  ['POST', new RegExp(`^/containers/${ID}/unpause$`), 'ContainerUnpause'],
  ['POST', new RegExp(`^/containers/${ID}/attach$`), 'ContainerAttach'],
  ['GET', new RegExp(`^/containers/${ID}/attach/ws$`), 'ContainerAttachWebsocket'],
  ['POST', new RegExp(`^/containers/${ID}/wait$`), 'ContainerWait'],
  ['DELETE', new RegExp(`^/containers/${ID}$`), 'ContainerDelete'],
  ['HEAD', new RegExp(`^/containers/${ID}/archive$`), 'ContainerArchiveInfo'],
  ['GET', new RegExp(`^/containers/${ID}/archive$`), 'ContainerArchive'],
  ['PUT', new RegExp(`^/containers/${ID}/archive$`), 'PutContainerArchive'],
  ['POST', new RegExp(`^/containers/${ID}/exec$`), 'ContainerExec'],

  ['POST', new RegExp(`^/exec/${ID}/start$`), 'ExecStart'],
  ['POST', new RegExp(`^/exec/${ID}/resize$`), 'ExecResize'],
  ['GET', new RegExp(`^/exec/${ID}/json$`), 'ExecInspect'],

  ['GET', /^\/images\/json$/, 'ImageList'],
  ['POST', /^\/build$/, 'ImageBuild'],
  ['POST', /^\/images\/create$/, 'ImageCreate'],
  ['GET', /^\/images\/search$/, 'ImageSearch'],
  ['GET', /^\/images\/get$/, 'ImageGetAll'],
  ['POST', /^\/images\/load$/, 'ImageLoad'],
  ['POST', /^\/commit$/, 'ImageCommit'],
  ['GET', new RegExp(`^/images/${NAME}/json$`), 'ImageInspect'],
  ['GET', new RegExp(`^/images/${NAME}/history$`), 'ImageHistory'],
  ['GET', new RegExp(`^/images/${NAME}/get$`), 'ImageGet'],
  ['POST', new RegExp(`^/images/${NAME}/push$`), 'ImagePush'],
  ['POST', new RegExp(`^/images/${NAME}/tag$`), 'ImageTag'],
  ['DELETE', new RegExp(`^/images/${NAME}$`), 'ImageDelete'],
  ['GET', new RegExp(`^/distribution/${NAME}/json$`), 'DistributionInspect'],

  ['GET', /^\/networks$/, 'NetworkList'],
  ['POST', /^\/networks\/create$/, 'NetworkCreate'],
  ['POST', /^\/networks\/prune$/, 'NetworkPrune'],
  ['GET', new RegExp(`^/networks/${ID}$`), 'NetworkInspect'],
  ['DELETE', new RegExp(`^/networks/${ID}$`), 'NetworkDelete'],
  ['POST', new RegExp(`^/networks/${ID}/connect$`), 'NetworkConnect'],
  ['POST', new RegExp(`^/networks/${ID}/disconnect$`), 'NetworkDisconnect'],

  ['GET', /^\/volumes$/, 'VolumeList'],
  ['POST', /^\/volumes\/create$/, 'VolumeCreate'],
  ['POST', /^\/volumes\/prune$/, 'VolumePrune'],
  ['GET', new RegExp(`^/volumes/${ID}$`), 'VolumeInspect'],
  ['DELETE', new RegExp(`^/volumes/${ID}$`), 'VolumeDelete'],
];

/** Endpoint families refused as a whole, with the reason a user reads. */
const REFUSED_FAMILIES: Array<[RegExp, string]> = [
  [/^\/libpod(\/|$)/, "Podman's own API (/libpod) is not available in workflow jobs; use the Docker API"],
  [/^\/(swarm|nodes|services|tasks|secrets|configs)(\/|$)/, 'swarm mode is not available in workflow jobs'],
  [/^\/plugins(\/|$)/, 'engine plugins cannot be managed from workflow jobs'],
  [/^\/(session|grpc)$/, 'BuildKit sessions are not available (the engine builds with its classic builder)'],
  [
    /^\/(images\/prune|build\/prune)$/,
    "pruning images would remove other jobs' images; remove your own with docker rmi",
  ],
];

/** The path as the engine's router would see it: without the version prefix. */
function splitVersion(path: string): { version: string; rest: string } {
  const match = /^\/v(\d+\.\d+(?:\.\d+)?)(\/.*)$/.exec(path);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { version: `/v${match[1]}`, rest: match[2] }
    : { version: '', rest: path };
}

/** Detects the operation of a request, or throws a refusal naming the endpoint. */
export function detectRoute(method: string, rawPath: string): Route {
  const { version, rest } = splitVersion(rawPath);
  const endpoint = `${method} ${rest}`;
  for (const [pattern, why] of REFUSED_FAMILIES) {
    if (pattern.test(rest)) throw forbidden(`${endpoint} is not allowed: ${why}`);
  }
  for (const [m, pattern, operation] of ENDPOINTS) {
    if (m !== method) continue;
    const match = pattern.exec(rest);
    if (!match) continue;
    const raw = match[1];
    if (raw === undefined) return { operation, version };
    let target: string;
    try {
      target = decodeURIComponent(raw);
    } catch {
      throw badRequest(`${endpoint}: the path is not valid percent-encoding`);
    }
    if (target === '' || target.includes('\0')) throw badRequest(`${endpoint}: empty or invalid object name`);
    // Every target is the path's second segment (and, for image names, what follows up to the suffix).
    const at = rest.indexOf('/', 1) + 1;
    return { operation, target, template: `${rest.slice(0, at)}{}${rest.slice(at + raw.length)}`, version };
  }
  throw forbidden(`${endpoint} is not allowed: the Docker API guard of workflow jobs does not allow this endpoint`);
}
