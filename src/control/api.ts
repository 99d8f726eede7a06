/**
 * The control API at /_dockyard/api: what the CLI asks the running cloud for (hosted
 * repositories, runs and their progress, secrets and variables). Admin key only (HTTP Basic).
 *
 * Routes:
 *   GET    /repos                            list hosted repositories
 *   POST   /repos {name}                     create (idempotent)
 *   DELETE /repos/O/N                        delete
 *   GET    /runs?repository=&limit=          runs, newest first
 *   POST   /runs {repository, workflow, ref?, inputs?}   workflow_dispatch
 *   GET    /runs/ID                          a run with its jobs and steps
 *   GET    /runs/ID/log?job=                 its log, masked
 *   GET    /runs/ID/events                   NDJSON progress until the run completes
 *   POST   /runs/ID/cancel
 *   POST   /runs/ID/rerun                    a new attempt of a completed run (same id and event)
 *   GET    /repos/O/N/secrets|variables      list (secret values never leave the cloud)
 *   PUT    /repos/O/N/secrets|variables/X {value}
 *   DELETE /repos/O/N/secrets|variables/X
 *   GET|PUT|DELETE /repos/O/N/environments/E/secrets|variables[/X]   the same for a deployment environment
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { isAdmin, parseBasic, type AdminCredential } from './admin-auth.js';
import { CONTROL_PREFIX, type ProgressEvent } from './contract.js';
import { toProgressEvent, toRunSummary, toRunView, type RunnerView } from './run-views.js';
import { errorMessage } from '../core/errors.js';

/** What the API needs from the runner, the settings and the git hosting. */
export interface ControlDeps {
  admin: AdminCredential;
  logger: Logger;
  runner: RunnerView;
  settings: {
    setSecret(repository: string, name: string, value: string): void;
    deleteSecret(repository: string, name: string): boolean;
    listSecrets(repository: string): { name: string; updatedAt: string }[];
    setVariable(repository: string, name: string, value: string): void;
    deleteVariable(repository: string, name: string): boolean;
    listVariables(repository: string): { name: string; value: string; updatedAt: string }[];
    setEnvironmentSecret(repository: string, environment: string, name: string, value: string): void;
    deleteEnvironmentSecret(repository: string, environment: string, name: string): boolean;
    listEnvironmentSecrets(repository: string, environment: string): { name: string; updatedAt: string }[];
    setEnvironmentVariable(repository: string, environment: string, name: string, value: string): void;
    deleteEnvironmentVariable(repository: string, environment: string, name: string): boolean;
    listEnvironmentVariables(
      repository: string,
      environment: string,
    ): { name: string; value: string; updatedAt: string }[];
  };
  repos: {
    create(fullName: string): Promise<{ created: boolean; repository: { fullName: string } }>;
    list(): { fullName: string }[];
    delete(fullName: string): Promise<boolean | void> | boolean | void;
    cloneUrl(fullName: string): string;
    get(fullName: string): { fullName: string } | undefined;
  };
}

const MAX_BODY = 256 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createControlApi(deps: ControlDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const credential = parseBasic(req.headers.authorization);
      if (!credential || !isAdmin(credential.user, credential.password, deps.admin)) {
        throw new HttpError(
          401,
          'The control API needs the admin key (HTTP Basic: access key id and secret from admin.json)',
        );
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
      const method = req.method ?? 'GET';
      if (method === 'GET' && /^\/runs\/\d+\/events$/.test(path))
        return await streamEvents(deps, Number(path.split('/')[2]), req, res);
      const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
      const result = await route(deps, method, path, url.searchParams, body);
      send(res, result.status ?? 200, result.body);
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, { message: error.message });
      const message = errorMessage(error);
      // Validation errors from the settings and git modules are the user's to fix.
      if (error instanceof Error && /Error$/.test(error.name) && error.name !== 'Error' && error.name !== 'TypeError')
        return send(res, 400, { message });
      deps.logger.error('control API request failed', { error: error instanceof Error ? error.stack : message });
      send(res, 500, { message: `internal error: ${message}` });
    }
  };
}

/** A deployment environment's secrets or variables: list, set, delete (`name` absent: list). */
function environmentSetting(
  settings: ControlDeps['settings'],
  method: string,
  place: { repository: string; environment: string },
  kind: 'secrets' | 'variables',
  name: string | undefined,
  body: unknown,
): { body: unknown } {
  const { repository, environment } = place;
  if (name === undefined && method === 'GET')
    return {
      body:
        kind === 'secrets'
          ? settings.listEnvironmentSecrets(repository, environment)
          : settings.listEnvironmentVariables(repository, environment),
    };
  if (name !== undefined && method === 'PUT') {
    const value = field(body, 'value', true);
    if (kind === 'secrets') settings.setEnvironmentSecret(repository, environment, name, value);
    else settings.setEnvironmentVariable(repository, environment, name, value);
    return { body: { name } };
  }
  if (name !== undefined && method === 'DELETE') {
    const deleted =
      kind === 'secrets'
        ? settings.deleteEnvironmentSecret(repository, environment, name)
        : settings.deleteEnvironmentVariable(repository, environment, name);
    if (!deleted)
      throw new HttpError(
        404,
        `${kind === 'secrets' ? 'Secret' : 'Variable'} ${name} not found in environment ${environment} of ${repository}`,
      );
    return { body: { deleted: name } };
  }
  throw new HttpError(404, `No route for ${method} on environment ${kind}`);
}

async function route(
  deps: ControlDeps,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<{ status?: number; body: unknown }> {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, a, b, c, d] = parts;
  if (head === 'repos') {
    if (parts.length === 1 && method === 'GET') {
      return {
        body: deps.repos.list().map(({ fullName }) => ({ name: fullName, cloneUrl: deps.repos.cloneUrl(fullName) })),
      };
    }
    if (parts.length === 1 && method === 'POST') {
      const name = field(body, 'name');
      const { created, repository } = await deps.repos.create(name);
      return {
        status: created ? 201 : 200,
        body: { name: repository.fullName, cloneUrl: deps.repos.cloneUrl(repository.fullName), created },
      };
    }
    // Settings are kept under the repository's own spelling (names are case-insensitive).
    const repository = spelled(deps, `${a ?? ''}/${b ?? ''}`);
    if (parts.length === 3 && method === 'DELETE') {
      if (!deps.repos.get(repository)) throw new HttpError(404, `Repository ${repository} not found`);
      await deps.repos.delete(repository);
      return { body: { deleted: repository } };
    }
    const kind = parts[5];
    if (c === 'environments' && d !== undefined && (kind === 'secrets' || kind === 'variables'))
      return environmentSetting(deps.settings, method, { repository, environment: d }, kind, parts[6], body);
    if ((c === 'secrets' || c === 'variables') && parts.length === 4 && method === 'GET') {
      return {
        body: c === 'secrets' ? deps.settings.listSecrets(repository) : deps.settings.listVariables(repository),
      };
    }
    if ((c === 'secrets' || c === 'variables') && parts.length === 5 && d) {
      if (method === 'PUT') {
        const value = field(body, 'value', true);
        if (c === 'secrets') deps.settings.setSecret(repository, d, value);
        else deps.settings.setVariable(repository, d, value);
        return { body: { name: d } };
      }
      if (method === 'DELETE') {
        const deleted =
          c === 'secrets' ? deps.settings.deleteSecret(repository, d) : deps.settings.deleteVariable(repository, d);
        if (!deleted)
          throw new HttpError(404, `${c === 'secrets' ? 'Secret' : 'Variable'} ${d} not found in ${repository}`);
        return { body: { deleted: d } };
      }
    }
  }
  if (head === 'runs') {
    if (parts.length === 1 && method === 'GET') {
      const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? '20') || 20));
      const wanted = query.get('repository');
      const repository = wanted ? spelled(deps, wanted) : undefined;
      return { body: deps.runner.listRuns({ ...(repository ? { repository } : {}), limit }).map(toRunSummary) };
    }
    if (parts.length === 1 && method === 'POST') {
      const inputs = (body as { inputs?: Record<string, string> }).inputs ?? {};
      const ref = (body as { ref?: string }).ref;
      const run = await deps.runner.dispatch({
        repository: spelled(deps, field(body, 'repository')),
        workflow: field(body, 'workflow'),
        ...(ref ? { ref } : {}),
        inputs,
      });
      return { status: 201, body: toRunSummary(run) };
    }
    const id = Number(a);
    if (!Number.isInteger(id) || id <= 0) throw new HttpError(404, `No run ${a}`);
    const run = deps.runner.getRun(id);
    if (!run) throw new HttpError(404, `Run ${id} not found`);
    if (parts.length === 2 && method === 'GET') return { body: toRunView(run) };
    if (b === 'log' && method === 'GET') {
      const job = query.get('job') ?? undefined;
      return { body: { log: deps.runner.readLog(id, job ? { job } : {}) } };
    }
    if (b === 'cancel' && method === 'POST') {
      deps.runner.cancel(id);
      return { status: 202, body: { cancelling: id } };
    }
    if (b === 'rerun' && method === 'POST') return { status: 201, body: toRunSummary(await deps.runner.rerun(id)) };
  }
  throw new HttpError(404, `dockyard's control API has no ${method} ${path || '/'}`);
}

/** Streams a run's progress as NDJSON: its current state first, then live events until it completes. */
async function streamEvents(
  deps: ControlDeps,
  runId: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const run = deps.runner.getRun(runId);
  if (!run) throw new HttpError(404, `Run ${runId} not found`);
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  await followRun(
    deps.runner,
    runId,
    (event) => {
      res.write(`${JSON.stringify(event)}\n`);
    },
    () => req.destroyed || res.destroyed,
  );
  res.end();
}

/**
 * Calls `emit` with a run's progress until it completes (or `abandoned()` turns true): the run's
 * state, each job and step as they change, log lines. Shared by the events route and the
 * post-receive hook, so `git push` and `dockyard runs watch` print the same thing.
 */
export async function followRun(
  runner: RunnerView,
  runId: number,
  emit: (event: ProgressEvent) => void,
  abandoned: () => boolean = () => false,
): Promise<void> {
  const initial = runner.getRun(runId);
  if (!initial) return;
  emit({ type: 'run', run: toRunSummary(initial) });
  if (initial.status === 'completed') return;
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      unsubscribe();
      resolve();
    };
    const unsubscribe = runner.watch(runId, (event) => {
      if (finished) return;
      if (event.type === 'run') {
        const latest = runner.getRun(runId);
        if (latest) emit({ type: 'run', run: toRunSummary(latest) });
        if (event.status === 'completed') finish();
        return;
      }
      const progress = toProgressEvent(event);
      if (progress) emit(progress);
    });
    // A run that completed between getRun and watch, or a client gone away.
    const poll = setInterval(() => {
      const latest = runner.getRun(runId);
      if (abandoned() || latest?.status === 'completed') {
        if (latest && !abandoned()) emit({ type: 'run', run: toRunSummary(latest) });
        finish();
      }
    }, 500);
  });
}

function field(body: unknown, name: string, allowEmpty = false): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string' || (!allowEmpty && value === ''))
    throw new HttpError(400, `"${name}" is required (a string)`);
  return value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `The request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw new HttpError(400, 'The request body must be a JSON object');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(status === 401 ? { 'www-authenticate': 'Basic realm="dockyard"' } : {}),
  });
  res.end(text);
}

/** A repository name as the hosting spells it; as given when there is no such repository. */
function spelled(deps: ControlDeps, repository: string): string {
  return deps.repos.get(repository)?.fullName ?? repository;
}
