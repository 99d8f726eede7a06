/**
 * What an operation's handler gets (the detected route, the query, the raw request, the job's
 * context) and what it returns (a plan: forward, rewritten, or answer itself), plus the small
 * helpers every handler file shares.
 */
import type { IncomingMessage } from 'node:http';
import type { EngineHttpClient } from '../engine/http-client.js';
import type { BindRoots } from './bind-paths.js';
import type { ForwardPlan, Plan } from './forward.js';
import type { RegistryLogins, RegistryMap } from './image-names.js';
import type { JobObjects } from './job-objects.js';
import { parseObject, queryJson, readBody, type JsonObject } from './json-input.js';
import { badRequest } from './refusal.js';
import type { Route } from './routes.js';

/** A structured logger (the cloud's Logger fits). */
export interface GuardLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A `docker login` as the engine's /auth receives it. */
export interface RegistryLogin {
  username: string;
  password: string;
  serverAddress: string;
}

/** What a login hook answers: accepted (optionally with an identity token) or refused with a message. */
export type LoginAnswer = { ok: true; identityToken?: string } | { ok: false; message: string };

/**
 * Answers `docker login` for some registries itself (e.g. ECR hostnames, whose passwords only
 * the cloud can check); undefined lets the engine answer.
 */
export type LoginHandler = (login: RegistryLogin) => Promise<LoginAnswer | undefined>;

/** The job's side of every request. */
export interface GuardContext {
  objects: JobObjects;
  engine: EngineHttpClient;
  roots: BindRoots;
  /** Labels every object the job creates carries (its own and the cloud's). */
  labels: Record<string, string>;
  registries: RegistryMap | undefined;
  /** The job's accepted `docker login`s, lent to requests that name the same registry otherwise. */
  registryLogins: RegistryLogins;
  login: LoginHandler | undefined;
  logger: GuardLogger;
}

/** One request, detected. */
export interface Call {
  route: Route;
  search: URLSearchParams;
  req: IncomingMessage;
  ctx: GuardContext;
}

/** Decides what happens to a request, or throws a refusal. */
export type Handler = (call: Call) => Promise<Plan>;

/** The engine path for `path` in the client's API version, with a query string. */
export function enginePath(call: Call, path: string, search: URLSearchParams = call.search): string {
  const qs = search.toString();
  return `${call.route.version}${path}${qs ? `?${qs}` : ''}`;
}

/** Forwards to `path` (the client's query unless another is given). */
export function forwardTo(
  call: Call,
  path: string,
  extra: Omit<ForwardPlan, 'kind' | 'path'> = {},
  search?: URLSearchParams,
): ForwardPlan {
  return { kind: 'forward', path: enginePath(call, path, search), ...extra };
}

/** The target the route names (every handler using it is on a route with one). */
export function target(call: Call): string {
  const value = call.route.target;
  if (value === undefined) throw badRequest('the path names no object');
  return value;
}

/** Reads and parses the request's JSON body (bounded). */
export async function jsonBody(call: Call, what: string): Promise<JsonObject> {
  return parseObject(await readBody(call.req), what);
}

/** A JSON body to send in place of the client's. */
export function encode(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body));
}

/** The job's label as a Docker filter value. */
export function jobLabelFilter(ctx: GuardContext): string {
  return `${ctx.objects.label.key}=${ctx.objects.label.value}`;
}

/**
 * The query with the job's label added to its `filters` (Docker's `{"label": [...]}`, or the
 * older `{"label": {"k=v": true}}` form), so the engine lists only the job's objects.
 */
export function withJobFilter(call: Call, search: URLSearchParams = call.search): URLSearchParams {
  const parsed = queryJson(search, 'filters') ?? {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('the filters parameter must be a JSON object');
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) filters[key] = value.map(String);
    else if (typeof value === 'object' && value !== null)
      filters[key] = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k]);
    else throw badRequest(`the filters parameter's ${key} must be a list`);
  }
  filters.label = [...(filters.label ?? []), jobLabelFilter(call.ctx)];
  const out = new URLSearchParams(search);
  out.set('filters', JSON.stringify(filters));
  return out;
}
