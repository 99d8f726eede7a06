/**
 * The buffered endpoints that are not AWS APIs: the CI OIDC issuer's discovery document and
 * JWKS, the Actions ID-token endpoint, and the cloud's health. router.ts mounts them.
 */
import type { JobTokenBroker, OidcIssuer } from '../identity/index.js';
import { header, type ApiResponse } from '../protocols/http-types.js';
import type { RequestHandler } from './router.js';

export function oidcDiscoveryEndpoint(issuer: OidcIssuer): RequestHandler {
  return async () => json(200, issuer.discovery());
}

/** `issuerReady` settles once the issuer's keys are loaded (generated on a first start). */
export function jwksEndpoint(issuer: OidcIssuer, issuerReady: Promise<void>): RequestHandler {
  return async () => {
    await issuerReady;
    await issuer.sync();
    return json(200, issuer.jwks());
  };
}

/** @actions/core appends `&audience=` to the URL a job is given, so it carries a query. */
export function idTokenEndpoint(broker: JobTokenBroker, issuerReady: Promise<void>): RequestHandler {
  return async (request) => {
    await issuerReady;
    const result = await broker.handle({
      method: request.method,
      query: new URLSearchParams(request.query),
      authorization: header(request, 'authorization'),
    });
    return json(result.status, result.body);
  };
}

/**
 * `{"status":"ok"}` plus what `details` adds: the ECS runtime's state, and with `?engine=1`
 * whether the cloud reaches its container engine (`dockyard doctor` asks).
 */
export function healthEndpoint(
  details: (options: { engine: boolean }) => Promise<Record<string, unknown>>,
): RequestHandler {
  return async (request) => {
    const engine = new URLSearchParams(request.query).get('engine') === '1';
    return json(200, { status: 'ok', ...(await details({ engine })) });
  };
}

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
