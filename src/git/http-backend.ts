/**
 * Git's smart HTTP protocol for the hosted repositories, served by git's own `git http-backend`
 * run as a CGI program per request. Steps: route the URL (repository, service, access) →
 * authenticate (every request; repositories are private) → look the repository up → run
 * http-backend with the request streamed in and its response streamed out.
 *
 * Request bodies are streamed, never buffered here: a push larger than git's http.postBuffer
 * arrives chunked, and then CONTENT_LENGTH is left unset so http-backend reads to end of input.
 * Gzip bodies (git compresses small fetch requests) are passed through with
 * HTTP_CONTENT_ENCODING for http-backend to inflate.
 *
 * Pushes carry the push-hook endpoint, its secret, the pusher and a fresh push id in the
 * environment, which http-backend hands on to receive-pack and so to the hooks (see
 * hook-script.ts), and the handler's process label, by which a restarted cloud finds the
 * pushes a killed one left running.
 *
 * Gaps: a client that disconnects mid-push stops http-backend; if its refs were already updated
 * and the hook had not yet sent them, the push's runs start only when the cloud next starts
 * (from the push journal, push-journal.ts).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { BASIC_CHALLENGE, authorizeGitRequest, printable, type GitAuthenticator } from './auth.js';
import { relayCgiResponse } from './cgi-response.js';
import { gitEnvironment, gitProgram } from './git-cli.js';
import { HOOK_ENV } from './hook-script.js';
import { newPushId } from './push-lines.js';
import type { GitRepositories } from './repositories.js';
import { DEFAULT_GIT_PREFIX, routeGitRequest, type GitRoute } from './routes.js';
import { errorMessage } from '../core/errors.js';

export interface GitHttpHandlerOptions {
  repositories: GitRepositories;
  authenticate: GitAuthenticator;
  logger: Logger;
  /** The URL path the hosting is mounted at; default `/git`. */
  prefix?: string;
  /** The secret the post-receive hook presents to the push-hook endpoint. */
  hookSecret?: string;
  /** The push-hook endpoint's base URL; default `repositories.hookUrl`. Without one, pushes are not reported. */
  hookUrl?: string;
  /** Set as PUSH_PROCESS_MARKER in every push's processes (receive-pack, its hooks) when given. */
  processLabel?: string;
}

/**
 * The variable every push's processes carry, valued with the handler's process label: after
 * kill -9 of the cloud its successor finds and kills the pushes left running before it
 * replays the push journal (a push still running could move a ref after the replay).
 */
export const PUSH_PROCESS_MARKER = 'DOCKYARD_GIT_PUSH';

export type GitHttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** How much of http-backend's stderr is kept for the log. */
const MAX_STDERR_CHARS = 4096;
/** http-backend buffers fetch requests (not pushes) in memory up to this; git's default is 10 MB. */
const MAX_REQUEST_BUFFER = '100M';

export function createGitHttpHandler(options: GitHttpHandlerOptions): GitHttpHandler {
  const { repositories, authenticate, logger } = options;
  const prefix = options.prefix ?? DEFAULT_GIT_PREFIX;
  const hookUrl = options.hookUrl ?? repositories.hookUrl;
  if (
    hookUrl !== undefined &&
    (options.hookSecret === undefined || !/^[\x21-\x7e]+$/.test(options.hookSecret) || /["\\]/.test(options.hookSecret))
  ) {
    // The secret is written into a curl config string by the hook; quotes or backslashes would break it.
    throw new TypeError(
      'hookSecret is required with a hook URL and must be printable ASCII without quotes or backslashes',
    );
  }

  return async (req, res) => {
    const method = req.method ?? 'GET';
    const routed = routeGitRequest(method, req.url ?? '/', prefix);
    // GitHub's names are case-insensitive: serve (and authorize) the repository as it is spelled.
    const canonical = routed.kind === 'git' ? repositories.resolve(routed.repository) : undefined;
    const route =
      routed.kind === 'git' && canonical !== undefined && canonical !== routed.repository
        ? {
            ...routed,
            repository: canonical,
            pathInfo: `/${canonical}.git${routed.pathInfo.slice(routed.repository.length + '/.git'.length)}`,
          }
        : routed;
    if (route.kind === 'refused') {
      answer(res, route.status, route.message, route.headers);
      logger.warn('git request refused', { method, path: pathOf(req), status: route.status });
      return;
    }
    try {
      const authorization = await authorizeGitRequest(
        req.headers,
        { repository: route.repository, access: route.access },
        authenticate,
      );
      if (!authorization.ok) {
        answer(
          res,
          authorization.status,
          authorization.message,
          authorization.status === 401 ? { 'www-authenticate': BASIC_CHALLENGE } : {},
        );
        // git's first request carries no credentials by design; only a rejection is worth a line.
        if (req.headers.authorization !== undefined) {
          logger.warn('git request denied', {
            method,
            path: pathOf(req),
            status: authorization.status,
            repository: route.repository,
          });
        }
        return;
      }
      if (canonical === undefined) {
        answer(res, 404, 'Repository not found.');
        logger.warn('git request for unknown repository', { method, path: pathOf(req), status: 404 });
        return;
      }
      await runHttpBackend(req, res, route, authorization.user);
    } catch (error) {
      logger.error('git request failed', { method, path: pathOf(req), error: errorMessage(error) });
      if (!res.headersSent) answer(res, 500, 'Internal error while serving the repository.');
      else res.destroy();
    }
  };

  async function runHttpBackend(
    req: IncomingMessage,
    res: ServerResponse,
    route: GitRoute,
    user: string,
  ): Promise<void> {
    const env = cgiEnvironment(req, route, user);
    const program = await gitProgram('git-http-backend');
    if (res.destroyed) return;
    const child = spawn(program, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
    });
    // http-backend may answer (and exit) without reading the body, e.g. on a protocol error; and
    // a client that hangs up errors both its streams. Either way res's 'close' below cleans up.
    child.stdin.on('error', () => {});
    req.on('error', () => {});
    res.on('error', () => {});
    req.pipe(child.stdin);
    // SIGTERM, not SIGKILL: http-backend then stops its upload-pack or receive-pack, whose own
    // handlers remove lock files, so an abandoned push cannot leave a ref locked.
    const onClientGone = () => {
      if (!res.writableFinished && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    res.on('close', onClientGone);

    const exited = new Promise<number | Error>((resolve) => {
      child.once('error', resolve);
      child.once('close', (code, signal) => resolve(code ?? (signal === null ? -1 : 128)));
    });
    const headed = await relayCgiResponse(child.stdout, res);
    const outcome = await exited;
    if (outcome instanceof Error || outcome !== 0) {
      const reason = outcome instanceof Error ? outcome.message : `exit ${outcome}`;
      if (!res.destroyed)
        logger.warn('git http-backend failed', { path: route.pathInfo, reason, stderr: stderr.trim() });
    }
    if (!headed) {
      if (!res.headersSent) answer(res, 500, 'git http-backend failed.');
      return;
    }
    if (!res.writableFinished && !res.destroyed) await new Promise((resolve) => res.once('close', resolve));
  }

  function cgiEnvironment(req: IncomingMessage, route: GitRoute, user: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      GIT_PROJECT_ROOT: repositories.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_HTTP_MAX_REQUEST_BUFFER: MAX_REQUEST_BUFFER,
      GATEWAY_INTERFACE: 'CGI/1.1',
      PATH_INFO: route.pathInfo,
      REQUEST_METHOD: (req.method ?? 'GET').toUpperCase(),
      QUERY_STRING: route.query,
      REMOTE_USER: printable(user),
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    const contentType = req.headers['content-type'];
    if (contentType !== undefined) env.CONTENT_TYPE = contentType;
    // A chunked body has no length; with none set, http-backend reads until end of input.
    const contentLength = req.headers['content-length'];
    if (contentLength !== undefined && req.headers['transfer-encoding'] === undefined)
      env.CONTENT_LENGTH = contentLength;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined) env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string' && /^[A-Za-z0-9=:.,_-]{1,256}$/.test(protocol)) {
      // http-backend reads HTTP_GIT_PROTOCOL; GIT_PROTOCOL too, for the commands it runs.
      env.HTTP_GIT_PROTOCOL = protocol;
      env.GIT_PROTOCOL = protocol;
    }
    if (route.service === 'git-receive-pack' && hookUrl !== undefined && options.hookSecret !== undefined) {
      env[HOOK_ENV.url] = hookUrl;
      env[HOOK_ENV.secret] = options.hookSecret;
      env[HOOK_ENV.pusher] = encodeURIComponent(printable(user));
      env[HOOK_ENV.pushId] = newPushId();
    }
    if (route.service === 'git-receive-pack' && options.processLabel !== undefined)
      env[PUSH_PROCESS_MARKER] = options.processLabel;
    return gitEnvironment(env);
  }
}

function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  // git prints a text/plain error body to the user as "remote: …".
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  res.end(`${message}\n`);
}

/** The path without its query (which is never secret here, but is noise in a log line). */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return (query < 0 ? url : url.slice(0, query)).slice(0, 300);
}
