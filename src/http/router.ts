/**
 * The cloud's one route table: every mount on its port, in the order requests are matched,
 * and the handler each goes to. Streamed mounts get Node's raw request before any body is read
 * (layers, git packs and the control API's streams never sit in memory); the others get a
 * buffered ApiRequest (bodies up to server.ts's limit). cloud.ts passes the handlers in; no
 * other file decides where a request goes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_PREFIX } from '../console/contract.js';
import { CONTROL_PREFIX } from '../control/contract.js';
import { PUSH_HOOK_PATH } from '../git/index.js';
import { DISCOVERY_PATH, ID_TOKEN_PATH, JWKS_PATH } from '../identity/index.js';
import { AwsApi } from '../protocols/aws-api.js';
import { BLOB_PREFIX, TWIRP_PREFIX } from '../results/index.js';
import type { ApiRequest, ApiResponse } from '../protocols/http-types.js';

export type StreamHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
export type RequestHandler = (request: ApiRequest) => Promise<ApiResponse>;

/** The handlers behind the mounts, by mount name. */
export interface Mounts {
  registry: StreamHandler;
  git: StreamHandler;
  gitAtOrigin: StreamHandler;
  pushHook: StreamHandler;
  controlApi: StreamHandler;
  resultsBlobs: StreamHandler;
  console: StreamHandler;
  oidcDiscovery: RequestHandler;
  jwks: RequestHandler;
  health: RequestHandler;
  idToken: RequestHandler;
  results: RequestHandler;
  aws: RequestHandler;
}

type StreamMount = { [K in keyof Mounts]: Mounts[K] extends StreamHandler ? K : never }[keyof Mounts];
type RequestMount = Exclude<keyof Mounts, StreamMount>;

/** git's smart-HTTP requests at the origin, GitHub's URL shape: /OWNER/NAME(.git)/info/refs?… and the two services. */
const GIT_AT_ORIGIN = /^\/[^/?]+\/[^/?]+\/(info\/refs\?|git-upload-pack$|git-receive-pack$)/;
const under = (url: string, prefix: string): boolean =>
  url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
/** The cloud's health (`dockyard doctor`, `dockyard up` and tests ask). */
export const HEALTH_PATH = '/_dockyard/health';

const read = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Streamed mounts, matched on the request's raw URL (path and query). */
export const STREAM_ROUTES: readonly { mount: StreamMount; serves: string; matches(url: string): boolean }[] = [
  {
    mount: 'registry',
    serves: 'the OCI distribution API, ECR’s data plane (docker/podman/skopeo push and pull)',
    matches: (url) => under(url, '/v2'),
  },
  {
    mount: 'git',
    serves: 'git hosting over smart HTTP at /git/OWNER/NAME(.git)',
    matches: (url) => under(url, '/git'),
  },
  {
    mount: 'gitAtOrigin',
    serves: 'the same git hosting at GitHub’s URL shape, /OWNER/NAME (what actions/checkout fetches)',
    matches: (url) => GIT_AT_ORIGIN.test(url),
  },
  {
    mount: 'pushHook',
    serves: 'the post-receive hook’s report of a push, which starts its runs',
    matches: (url) => url.startsWith(`${PUSH_HOOK_PATH}/`),
  },
  {
    mount: 'controlApi',
    serves: 'the control API the dockyard CLI uses (runs, secrets, variables, repositories)',
    matches: (url) => under(url, CONTROL_PREFIX),
  },
  {
    mount: 'resultsBlobs',
    serves: 'the artifacts’ and caches’ bytes on signed URLs (the Azure Blob subset the toolkit uses)',
    matches: (url) => url.startsWith(`${BLOB_PREFIX}/`),
  },
  {
    mount: 'console',
    serves: 'the web console: services, pipelines, trust and images, live (admin key; loopback only)',
    matches: (url) => under(url, CONSOLE_PREFIX),
  },
];

/** Buffered mounts, matched on the decoded request. */
export const REQUEST_ROUTES: readonly { mount: RequestMount; serves: string; matches(request: ApiRequest): boolean }[] =
  [
    {
      mount: 'oidcDiscovery',
      serves: 'the CI OIDC issuer’s discovery document',
      matches: (r) => read(r.method) && r.path === DISCOVERY_PATH,
    },
    {
      mount: 'jwks',
      serves: 'the CI OIDC issuer’s signing keys (JWKS)',
      matches: (r) => read(r.method) && r.path === JWKS_PATH,
    },
    {
      mount: 'health',
      serves: 'liveness, the ECS runtime’s state and (?engine=1) the engine’s reachability',
      matches: (r) => read(r.method) && r.path === HEALTH_PATH,
    },
    {
      mount: 'idToken',
      serves: 'the Actions ID-token endpoint a job with id-token: write asks for OIDC tokens',
      matches: (r) => r.path === ID_TOKEN_PATH,
    },
    {
      mount: 'results',
      serves: 'the results service’s Twirp API (artifacts and caches: ACTIONS_RESULTS_URL)',
      matches: (r) => r.path.startsWith(TWIRP_PREFIX),
    },
    {
      mount: 'aws',
      serves: 'the AWS APIs (awsJson1_1 by X-Amz-Target, awsQuery and ec2Query by Action)',
      matches: (r) => AwsApi.accepts(r),
    },
  ];

export interface Router {
  /** Takes the raw request when a streamed mount serves it; undefined leaves it to `handle`. */
  stream(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined;
  handle: RequestHandler;
}

export function createRouter(mounts: Mounts): Router {
  return {
    stream(req, res) {
      const url = req.url ?? '/';
      const route = STREAM_ROUTES.find((r) => r.matches(url));
      return route === undefined ? undefined : mounts[route.mount](req, res);
    },
    async handle(request) {
      const route = REQUEST_ROUTES.find((r) => r.matches(request));
      if (route !== undefined) return mounts[route.mount](request);
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: `dockyard serves no ${request.method} ${request.path.slice(0, 200)}` }),
      };
    },
  };
}
