/**
 * The top router: one port serves the AWS APIs, the OIDC issuer's discovery documents and
 * the Actions ID-token endpoint (later also /v2 for the registry and /git for hosting).
 */
import type { ApiRequest, ApiResponse } from '../protocols/http-types.js';
import { header } from '../protocols/http-types.js';
import { AwsApi } from '../protocols/aws-api.js';
import type { JobTokenBroker, OidcIssuer } from '../identity/index.js';

export interface RouterDeps {
  aws: AwsApi;
  issuer: OidcIssuer;
  /** Settles once the issuer's keys are loaded (generated on a first start). */
  issuerReady: Promise<void>;
  broker: JobTokenBroker;
  /**
   * What `/_dockyard/health` adds to `{"status":"ok"}`: the ECS runtime's state, and with
   * `?engine=1` whether the cloud reaches its container engine (`dockyard doctor` asks).
   */
  health?: (options: { engine: boolean }) => Promise<Record<string, unknown>>;
}

/** Where the Actions ID-token endpoint lives. @actions/core appends `&audience=`, so its URL carries a query. */
export const ID_TOKEN_PATH = '/_actions/idtoken';

export function createRouter(deps: RouterDeps): (request: ApiRequest) => Promise<ApiResponse> {
  return async (request) => {
    const path = request.path;
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (path === '/.well-known/openid-configuration') return json(200, deps.issuer.discovery());
      if (path === '/.well-known/jwks') {
        await deps.issuerReady;
        await deps.issuer.sync();
        return json(200, deps.issuer.jwks());
      }
      if (path === '/_dockyard/health') {
        const engine = new URLSearchParams(request.query).get('engine') === '1';
        return json(200, { status: 'ok', ...(await deps.health?.({ engine })) });
      }
    }
    if (path === ID_TOKEN_PATH) {
      await deps.issuerReady;
      const result = await deps.broker.handle({
        method: request.method,
        query: new URLSearchParams(request.query),
        authorization: header(request, 'authorization'),
      });
      return json(result.status, result.body);
    }
    if (AwsApi.accepts(request)) return deps.aws.handle(request);
    return json(404, { message: `dockyard serves no ${request.method} ${path.slice(0, 200)}` });
  };
}

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
