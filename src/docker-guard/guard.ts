/**
 * The Docker API guard: a per-job Docker Engine API endpoint on a unix socket (mounted in the
 * job's container as /var/run/docker.sock) that forwards each request to the engine after a
 * policy check, so `docker build/push/pull/login/run/exec/…` work in a job while the job can
 * touch only its own containers, networks, volumes and images, and nothing of the host.
 *
 * A request's path: detect the operation (routes.ts, refusing what is not on the list) → its
 * handler checks and rewrites it (container-, image-, network-volume-, system-operations.ts:
 * ownership through the job's label, policy, image names through the registry hook, the job's
 * labels added) → forward.ts streams it to the engine and back (hijack.ts joins the two
 * connections of an attach or exec once the engine upgraded it). A refusal is a 403
 * `{"message": "dockyard: …"}` saying what and why.
 *
 * Fidelity —
 * By design: the container list, events and prunes show only the job's objects; the engine's
 * predefined networks are visible with only the job's containers in them; images are shared
 * with the host engine (a job sees every image), and removing one is allowed only for images
 * the job built, pulled or tagged; bind sources are mapped from the job's paths to the host's.
 * Gaps: a job can re-point a shared image name (tag, build -t, pull, load over it), as on a
 * shared Docker host; BuildKit (`/session`, `/grpc`) is not available (the engine builds classically);
 * a `docker load` gives the job no right to remove the images it loaded; Dockerfile `FROM`
 * lines are not rewritten through the registry hook; responses are not mapped back.
 * Client and engine quirks: the API version prefix (`/v1.41/…`, any) is kept on forwarded
 * paths; field names in bodies are read case-insensitively, as the engine's Go decoder reads
 * them; `docker inspect NAME` gets the engine's 404 for an image name asked as a container;
 * Podman's ping gains Docker's OSType header (the CLI needs it for --device); Podman's lost exit
 * code of `wait?condition=removed` is taken from its event log (exit-codes.ts).
 */
import { chmodSync, lstatSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { discoverEndpoint, parseEndpoint, type EngineEndpoint } from '../engine/endpoint.js';
import { EngineHttpClient } from '../engine/http-client.js';
import { BindRoots, type JobMount } from './bind-paths.js';
import type { Call, GuardContext, GuardLogger, Handler, LoginHandler } from './call.js';
import { removeLabelled, type RemovalCounts } from './cleanup.js';
import { CONTAINER_HANDLERS } from './container-operations.js';
import { forwardHttp, type OpenConnections } from './forward.js';
import { forwardUpgrade } from './hijack.js';
import { IMAGE_HANDLERS } from './image-operations.js';
import { imagePathSegment, mapImageName, RegistryLogins, type RegistryMap } from './image-names.js';
import { JobObjects } from './job-objects.js';
import { NETWORK_VOLUME_HANDLERS } from './network-volume-operations.js';
import { badRequest, errorAnswer, writeJson, writeRawJson } from './refusal.js';
import { detectRoute, type GuardOperation } from './routes.js';
import { SYSTEM_HANDLERS } from './system-operations.js';
import { errorMessage } from '../core/errors.js';

export type { JobMount } from './bind-paths.js';
export type { GuardLogger, LoginHandler } from './call.js';
export type { RegistryMap } from './image-names.js';
export { sweepOrphanedJobObjects, type RemovalCounts } from './cleanup.js';

/** Every operation's handler; the compiler notices a missing one. */
const HANDLERS: Record<GuardOperation, Handler> = {
  ...SYSTEM_HANDLERS,
  ...CONTAINER_HANDLERS,
  ...IMAGE_HANDLERS,
  ...NETWORK_VOLUME_HANDLERS,
};

/** Operations that hijack the connection (`Connection: Upgrade`). */
const HIJACKING = new Set<GuardOperation>(['ContainerAttach', 'ContainerAttachWebsocket', 'ExecStart']);

/** Options of {@link startDockerGuard}. */
export interface DockerGuardOptions {
  /** The socket to create; its directory should be private to the job (it is mounted into the job's container). */
  socketPath: string;
  /** The socket file's mode (default 0o660). */
  socketMode?: number;
  /** The engine endpoint (`unix:///run/podman/podman.sock`); discovered as the engine driver does when absent. */
  engine?: string;
  /** The label that makes an object the job's: key (e.g. `dockyard.job`) and the job's ID. */
  job: { labelKey: string; id: string };
  /** More labels every object the job creates carries (e.g. the cloud's `dockyard.cloud`). */
  labels?: Record<string, string>;
  /** The directories the job may bind-mount from, and where the job sees them. */
  mounts: JobMount[];
  /** Maps registry hosts as jobs name them to those the engine reaches. */
  registries?: RegistryMap;
  /** Answers `docker login` itself for some registries. */
  login?: LoginHandler;
  /** Also remove, at close, the names the job gave images and the images it built or pulled (default false). */
  removeImages?: boolean;
  logger?: GuardLogger;
}

/** A running guard. */
export interface DockerGuard {
  socketPath: string;
  /** Stops serving, ends open connections, removes the job's containers, networks and volumes, then the socket. */
  close(): Promise<RemovalCounts>;
}

const quietLogger: GuardLogger = { info() {}, warn() {}, error() {} };

/** Starts a guard on `options.socketPath`. */
export async function startDockerGuard(options: DockerGuardOptions): Promise<DockerGuard> {
  const endpoint: EngineEndpoint = options.engine ? parseEndpoint(options.engine) : discoverEndpoint();
  const logger = options.logger ?? quietLogger;
  const engine = new EngineHttpClient(endpoint);
  const label = { key: options.job.labelKey, value: options.job.id };
  const engineSockets = endpoint.kind === 'unix' ? [endpoint.socketPath, ...realIfExists(endpoint.socketPath)] : [];
  const ctx: GuardContext = {
    objects: new JobObjects(engine, label),
    engine,
    roots: new BindRoots(
      options.mounts,
      [...new Set([...engineSockets, '/run/podman/podman.sock', '/var/run/docker.sock'])],
      options.socketPath,
    ),
    labels: { ...options.labels, [label.key]: label.value },
    registries: options.registries,
    registryLogins: new RegistryLogins(),
    login: options.login,
    logger,
  };
  const open: OpenConnections = new Set();
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  // No request timeout: a build context or an image load may take minutes to upload.
  const server = createServer({ requestTimeout: 0 });
  const clients = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => track(serve(req, res, ctx, endpoint, open)));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
    track(serveUpgrade(req, socket, head, ctx, endpoint, open)),
  );
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  removeStaleSocket(options.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(options.socketPath, options.socketMode ?? 0o660);
  logger.info('docker guard listening', { socket: options.socketPath, job: options.job.id });

  let closing: Promise<RemovalCounts> | undefined;
  return {
    socketPath: options.socketPath,
    close() {
      closing ??= (async () => {
        // Streams (logs -f, events, attached containers) would hold the server open: they end now.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of clients) socket.destroy();
        for (const connection of open) connection.destroy();
        await stopped;
        await Promise.allSettled([...inFlight]);
        try {
          const counts = await removeLabelled(engine, [`${label.key}=${label.value}`], logger);
          if (options.removeImages) await removeJobImages(ctx, logger);
          return counts;
        } finally {
          engine.close();
          rmSync(options.socketPath, { force: true });
        }
      })();
      return closing;
    },
  };
}

function realIfExists(path: string): string[] {
  try {
    return [realpathSync(path)];
  } catch {
    return [];
  }
}

/** A socket left by a guard that did not close (a crash) is replaced; any other file is not touched. */
function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`docker guard: ${path} exists and is not a socket`);
  rmSync(path);
}

async function handle(req: IncomingMessage, ctx: GuardContext, upgrade: boolean) {
  const url = new URL(req.url ?? '/', 'http://docker');
  const route = detectRoute(req.method ?? 'GET', url.pathname);
  // Attach and exec start also come without an upgrade (`docker exec -d`): then they are plain requests.
  if (upgrade && !HIJACKING.has(route.operation))
    throw badRequest(`${req.method} ${url.pathname}: this endpoint does not upgrade the connection`);
  const call: Call = { route, search: url.searchParams, req, ctx };
  return HANDLERS[route.operation](call);
}

function logFailure(ctx: GuardContext, req: IncomingMessage, error: unknown): void {
  const answer = errorAnswer(error);
  if (answer.status >= 500)
    ctx.logger.error('docker guard: request failed', {
      method: req.method,
      url: req.url,
      error: error instanceof Error ? error.stack : String(error),
    });
  else
    ctx.logger.info('docker guard: refused', {
      method: req.method,
      url: req.url,
      status: answer.status,
      message: answer.body.message,
    });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: GuardContext,
  endpoint: EngineEndpoint,
  open: OpenConnections,
): Promise<void> {
  try {
    const plan = await handle(req, ctx, false);
    if (plan.kind === 'answer') {
      req.resume();
      writeJson(res, plan.status, plan.body);
      return;
    }
    await forwardHttp(req, res, plan, endpoint, open, (error) =>
      ctx.logger.warn('docker guard: recording what a request did failed', {
        url: req.url,
        error: errorMessage(error),
      }),
    );
  } catch (error) {
    logFailure(ctx, req, error);
    req.resume();
    const answer = errorAnswer(error);
    writeJson(res, answer.status, answer.body);
  }
}

async function serveUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  ctx: GuardContext,
  endpoint: EngineEndpoint,
  open: OpenConnections,
): Promise<void> {
  socket.on('error', () => socket.destroy());
  try {
    const plan = await handle(req, ctx, true);
    if (plan.kind === 'answer') {
      writeRawJson(socket, plan.status, plan.body);
      return;
    }
    await forwardUpgrade(req, socket, head, plan.path, endpoint, open);
  } catch (error) {
    logFailure(ctx, req, error);
    const answer = errorAnswer(error);
    writeRawJson(socket, answer.status, answer.body);
  }
}

/** At close, with `removeImages`: the names the job gave, then the images it brought in (never forced). */
async function removeJobImages(ctx: GuardContext, logger: GuardLogger): Promise<void> {
  const { names, ids } = ctx.objects.imagesToRemove();
  for (const ref of [...names.map((n) => mapImageName(n, ctx.registries)), ...ids]) {
    try {
      await ctx.engine.text({ operation: 'remove image', method: 'DELETE', path: `/images/${imagePathSegment(ref)}` });
    } catch (error) {
      logger.info('docker guard: image kept', { image: ref, reason: errorMessage(error) });
    }
  }
}
