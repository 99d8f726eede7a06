/**
 * The registry's entry point: a raw node:http handler for everything under `/v2`, streaming
 * (the server routes `/v2` here before any body buffering). Each request runs these steps:
 * parse the route → authenticate (Basic, ECR's token) → check the repository name → run the
 * route, which authorizes its ECR action on the repository ARN and then works. Every error
 * becomes an OCI JSON error; an internal failure is logged and answered 500 UNKNOWN, or, once
 * bytes are on the wire, ends the connection. Nothing a client sends escapes this function.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, requestContext } from './authorize.js';
import { scopeOf } from './scope.js';
import { blobRoute } from './blob-routes.js';
import { RegistryError, registryErrors } from './errors.js';
import type { Exchange, RegistryDeps } from './exchange.js';
import { manifestRoute, referrersRoute, tagsRoute } from './manifest-routes.js';
import { isValidName, parseRoute, type RegistryRoute } from './paths.js';
import { uploadRoute } from './upload-routes.js';
import { UploadClosedError, UploadSessions } from './uploads.js';
import { send, sendError } from './wire.js';

export type { RegistryDeps } from './exchange.js';

/** A raw request handler serving the OCI distribution API under `/v2`. */
export type RegistryHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  /** The upload sessions (for diagnostics and tests). */
  readonly uploads: UploadSessions;
};

/** Builds the `/v2` handler over its dependencies. */
export function createRegistryHandler(deps: RegistryDeps): RegistryHandler {
  const uploads = new UploadSessions(deps.blobs, deps.clock);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A client that goes away mid-request must not become an uncaught 'error' event.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    try {
      await dispatch(req, res, deps, uploads);
    } catch (error) {
      if (error instanceof RegistryError) return sendError(req, res, error);
      if (error instanceof UploadClosedError) return sendError(req, res, registryErrors.blobUploadUnknown(error.id));
      deps.logger.error('registry request failed', {
        method: req.method,
        url: req.url?.slice(0, 300),
        error: error instanceof Error ? error.stack : String(error),
      });
      if (res.headersSent) res.destroy();
      else sendError(req, res, registryErrors.internal());
    }
  };
  return Object.assign(handle, { uploads });
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RegistryDeps,
  uploads: UploadSessions,
): Promise<void> {
  // Not `new URL`: a target such as `//host/v2/` would be read as an authority.
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  const route = parseRoute(path);
  const caller = authenticate(req, deps);
  const query = new URLSearchParams(q >= 0 ? target.slice(q + 1) : '');
  if (route.kind === 'base') {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw registryErrors.unsupported(`${req.method} is not supported on /v2/`);
    return send(req, res, 200, { 'content-type': 'application/json; charset=utf-8' }, '{}');
  }
  if (route.kind === 'unknown')
    throw registryErrors.unsupported(`the registry serves no ${req.method} ${path.slice(0, 200)}`, 404);
  const { scope, name } = scopeOf(deps, route.name, req.headers.host);
  if (!isValidName(name)) throw registryErrors.nameInvalid(route.name.slice(0, 300));
  const ctx = requestContext(req, caller, deps.clock, scope);
  const x: Exchange = { req, res, path, query, ctx, scope, deps, uploads };
  return run(x, { ...route, name });
}

function run(x: Exchange, route: Exclude<RegistryRoute, { kind: 'base' | 'unknown' }>): Promise<void> | void {
  switch (route.kind) {
    case 'blob':
      return blobRoute(x, route.name, route.digest);
    case 'upload':
      return uploadRoute(x, route.name, route.id);
    case 'manifest':
      return manifestRoute(x, route.name, route.reference);
    case 'tags':
      return tagsRoute(x, route.name);
    case 'referrers':
      return referrersRoute(x, route.name, route.digest);
  }
}
