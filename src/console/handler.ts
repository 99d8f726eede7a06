/**
 * The console at /_dockyard/console: the cloud and its pipelines in a browser, live. Each
 * request goes through these steps, in order:
 *   1. loopback: the peer is a loopback address and the Host header names a loopback host (a
 *      page of another site whose name was rebound to 127.0.0.1 gets 403);
 *   2. assets: the built browser files, without a session (they hold no data; the login page
 *      needs the stylesheet);
 *   3. signing in: the login form (the admin key), a one-time link `dockyard console` printed,
 *      or, for that command, a new link asked for with the admin key (HTTP Basic);
 *   4. the session: its cookie (HttpOnly, SameSite=Strict, the console's path only); without
 *      one every route, streams included, answers 401 (pages with the login form);
 *   5. CSRF: a request that changes anything must come from the console's own origin (Origin)
 *      and carry the session's CSRF token (x-dockyard-csrf, or a form's `csrf` field);
 *   6. the route.
 *
 * Routes (under the prefix):
 *   GET  /assets/NAME                       console.js, console.css, icon.svg
 *   POST /login                             accessKeyId, secretAccessKey[, next] → session, 303 to next
 *   GET  /link?token=T                      a one-time link → session, 303 to the console
 *   POST /links                             (admin key, HTTP Basic) → { url } of a new one-time link
 *   POST /logout                            ends the session
 *   GET  /api/views/NAME?PARAMS             a view's JSON (live-views.ts)
 *   GET  /events?view=NAME&PARAMS           the view's stream (stream.ts)
 *   GET  /api/runs/ID/jobs/JOB/steps/N/log  a step's log as stored
 *   POST /api/runs/ID/rerun                 a new attempt of a completed run
 *   POST /api/runs/ID/cancel                cancels a run in progress
 *   POST /api/trust/check                   would STS admit this job's token? (views/trust.ts)
 *   GET  any other path                     the app, whose script draws the page the path names
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAdmin, parseBasic } from '../control/admin-auth.js';
import { errorMessage } from '../core/errors.js';
import { WorkflowRerunError } from '../runner/runner.js';
import { ConsoleAssets } from './assets.js';
import { ChangeHub } from './changes.js';
import { CONSOLE_PREFIX } from './contract.js';
import type { ConsoleDeps } from './deps.js';
import {
  ConsoleHttpError,
  cookie,
  isLoopbackAddress,
  isLoopbackHost,
  isSameOrigin,
  readBody,
  redirect,
  send,
  sendHtml,
  sendJson,
} from './http.js';
import { liveView } from './live-views.js';
import { appShell, isConsolePath, loginPage } from './pages.js';
import { csrfMatches, ConsoleSessions, SESSION_TTL_MS } from './sessions.js';
import { serveStream } from './stream.js';
import { stepLog } from './views/pipelines.js';
import { readTrustCheckInput, trustCheck } from './views/trust.js';

/** Page streams open at once, across every session (each holds a subscription and a socket). */
const MAX_STREAMS = 64;

export interface Console {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends the console's subscriptions (its streams end with their connections). */
  stop(): void;
}

export function createConsole(deps: ConsoleDeps, options: { assets?: ConsoleAssets } = {}): Console {
  const assets = options.assets ?? new ConsoleAssets();
  const sessions = new ConsoleSessions(deps.clock);
  const hub = new ChangeHub(deps);
  // Cookies are not scoped by port: two clouds on one host keep apart by name.
  const cookieName = `dockyard_console_${deps.port}`;
  let streams = 0;

  const sessionCookie = (token: string) =>
    `${cookieName}=${token}; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;
  const clearCookie = `${cookieName}=; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict; Max-Age=0`;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // 1. loopback
    if (!isLoopbackAddress(req.socket.remoteAddress) || !isLoopbackHost(req.headers.host))
      throw new ConsoleHttpError(403, 'The console answers only on a loopback address (127.0.0.1 or localhost)');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.slice(CONSOLE_PREFIX.length) || '/';
    const method = req.method ?? 'GET';
    const reading = method === 'GET' || method === 'HEAD';

    // 2. assets
    if (reading && path.startsWith('/assets/')) {
      const asset = assets.get(path.slice('/assets/'.length));
      if (!asset) throw new ConsoleHttpError(404, 'No such file');
      const fresh = req.headers['if-none-match'] === `"${asset.hash}"`;
      if (fresh) {
        res.writeHead(304, { etag: `"${asset.hash}"` });
        return void res.end();
      }
      return send(res, 200, asset.type, asset.body, {
        etag: `"${asset.hash}"`,
        // Pages link each file by its hash: a new build is a new URL.
        'cache-control': url.searchParams.get('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }

    // 3. signing in
    if (method === 'POST' && path === '/login') return login(req, res);
    if (reading && path === '/link') return redeemLink(url, res);
    if (method === 'POST' && path === '/links') return newLink(req, res);

    // 4. the session
    const token = cookie(req, cookieName);
    const session = sessions.get(token);
    if (!session) {
      if (path.startsWith('/api/') || path === '/events')
        throw new ConsoleHttpError(
          401,
          'Log in to the console first (the admin key, or a link from `dockyard console`)',
        );
      return sendHtml(res, 401, loginPage(assets, { next: `${CONSOLE_PREFIX}${path}${url.search}` }));
    }

    // 5. CSRF
    if (!reading) {
      const given = typeof req.headers['x-dockyard-csrf'] === 'string' ? req.headers['x-dockyard-csrf'] : undefined;
      if (!isSameOrigin(req) || !csrfMatches(session, given))
        throw new ConsoleHttpError(403, 'Refused: the request did not come from a console page (Origin or CSRF token)');
    }

    // 6. the route
    if (method === 'POST' && path === '/logout') {
      sessions.end(token);
      return redirect(res, `${CONSOLE_PREFIX}/`, [clearCookie]);
    }
    if (reading && path.startsWith('/api/views/')) {
      const view = liveView(deps, path.slice('/api/views/'.length), url.searchParams).snapshot();
      if (view === undefined) throw new ConsoleHttpError(404, 'Nothing by that name');
      return sendJson(res, 200, view);
    }
    if (method === 'GET' && path === '/events') {
      const view = liveView(deps, url.searchParams.get('view') ?? '', url.searchParams);
      if (streams >= MAX_STREAMS)
        throw new ConsoleHttpError(503, `The console serves ${MAX_STREAMS} live pages at most; close some`);
      streams++;
      try {
        return await serveStream(req, res, view, hub, deps.clock);
      } finally {
        streams--;
      }
    }
    const stepLogPath = /^\/api\/runs\/(\d{1,15})\/jobs\/(\d{1,15})\/steps\/(\d{1,5})\/log$/.exec(path);
    if (reading && stepLogPath) {
      const log = stepLog(deps, Number(stepLogPath[1]), Number(stepLogPath[2]), Number(stepLogPath[3]));
      if (!log) throw new ConsoleHttpError(404, 'No such step, or it has not started');
      return sendJson(res, 200, log);
    }
    const runAction = /^\/api\/runs\/(\d{1,15})\/(rerun|cancel)$/.exec(path);
    if (method === 'POST' && runAction) return act(res, Number(runAction[1]), runAction[2] as 'rerun' | 'cancel');
    if (method === 'POST' && path === '/api/trust/check') {
      const input = readTrustCheckInput(await readJsonBody(req));
      return sendJson(res, 200, await trustCheck(deps, input));
    }
    if (!reading || path.startsWith('/api/')) throw new ConsoleHttpError(404, `No ${method} ${path.slice(0, 100)}`);
    return sendHtml(res, 200, appShell(assets, session.csrf));
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isSameOrigin(req)) throw new ConsoleHttpError(403, 'Refused: the login did not come from the login page');
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const next = form.get('next') ?? `${CONSOLE_PREFIX}/`;
    if (!isAdmin(form.get('accessKeyId') ?? '', form.get('secretAccessKey') ?? '', deps.admin)) {
      return sendHtml(
        res,
        401,
        loginPage(assets, { next, error: 'That is not the admin key (dockyard env prints it).' }),
      );
    }
    const { token } = sessions.create();
    return redirect(res, isConsolePath(next) ? next : `${CONSOLE_PREFIX}/`, [sessionCookie(token)]);
  }

  function redeemLink(url: URL, res: ServerResponse): void {
    if (!sessions.redeem(url.searchParams.get('token') ?? '')) {
      return sendHtml(
        res,
        401,
        loginPage(assets, { error: 'That link has expired or was used already: run dockyard console for a new one.' }),
      );
    }
    const { token } = sessions.create();
    // The link's URL holds its (spent) token: keep it out of any Referer.
    res.setHeader('referrer-policy', 'no-referrer');
    return redirect(res, `${CONSOLE_PREFIX}/`, [sessionCookie(token)]);
  }

  /** `dockyard console`: the admin key asks for a one-time link. A browser's page never may. */
  function newLink(req: IncomingMessage, res: ServerResponse): void {
    const credential = parseBasic(req.headers.authorization);
    if (!credential || !isAdmin(credential.user, credential.password, deps.admin))
      throw new ConsoleHttpError(401, 'A login link needs the admin key (HTTP Basic)');
    if (req.headers.origin !== undefined)
      throw new ConsoleHttpError(403, 'Refused: login links are for the dockyard CLI, not for pages');
    const token = sessions.link();
    return sendJson(res, 201, { url: `${deps.url}${CONSOLE_PREFIX}/link?token=${token}` });
  }

  async function act(res: ServerResponse, runId: number, action: 'rerun' | 'cancel'): Promise<void> {
    const run = deps.runner.getRun(runId);
    if (!run) throw new ConsoleHttpError(404, `No run ${runId}`);
    if (action === 'cancel') {
      if (run.status === 'completed') throw new ConsoleHttpError(409, `Run ${runId} has already completed`);
      deps.runner.cancel(runId);
      return sendJson(res, 202, { id: runId });
    }
    try {
      const attempt = await deps.runner.rerun(runId);
      return sendJson(res, 201, { id: attempt.id, runAttempt: attempt.runAttempt });
    } catch (error) {
      if (error instanceof WorkflowRerunError) throw new ConsoleHttpError(409, error.message);
      throw error;
    }
  }

  return {
    async handle(req, res) {
      try {
        await route(req, res);
      } catch (error) {
        if (error instanceof ConsoleHttpError) {
          return sendJson(res, error.status, { message: error.message });
        }
        deps.logger.error('console: a request failed', { error: errorMessage(error) });
        sendJson(res, 500, { message: 'The console failed; the cloud’s log says why' });
      }
    },
    stop() {
      hub.close();
    },
  };
}

/** A JSON body (application/json only: a page of another site cannot send one without asking first). */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new ConsoleHttpError(415, 'Send JSON (content-type: application/json)');
  const body = (await readBody(req)).toString('utf8');
  try {
    return JSON.parse(body);
  } catch {
    throw new ConsoleHttpError(400, 'The body is not valid JSON');
  }
}
