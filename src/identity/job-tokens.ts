/**
 * The Actions ID-token request endpoint (what `@actions/core`'s `getIDToken()` calls), minus the
 * HTTP plumbing: the runner registers each job and hands the job its request token
 * (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`); the job GETs the endpoint with
 * `Authorization: Bearer <request token>` and an optional `audience` query parameter and gets
 * `200 {"value": "<jwt>"}`. Errors are JSON `{"message": …}`, which @actions/core quotes in its
 * "Failed to get ID Token" error.
 *
 * Client quirk: @actions/core appends `&audience=…` without adding `?`, so the URL the runner
 * hands out must already carry a query string (GitHub's ends in `?api-version=2.0`); that is the
 * mounting site's concern, this module only reads the parsed query.
 *
 * By design: request tokens live in memory only. They are valid for one job, and jobs do not
 * survive a restart either. They are kept by SHA-256 digest, so a lookup compares digests rather
 * than the secret itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { validateJobClaimsInput, type JobClaimsInput } from './claims.js';
import type { OidcIssuer } from './issuer.js';

/** How long a request token is honoured by default: GitHub's longest job (6 hours). */
/** Where the cloud serves the broker (a job's ACTIONS_ID_TOKEN_REQUEST_URL, plus a query). */
export const ID_TOKEN_PATH = '/_actions/idtoken';

export const DEFAULT_REQUEST_TOKEN_TTL_MS = 6 * 60 * 60 * 1000;

/** A registered job's credential for the endpoint. */
export interface JobTokenRegistration {
  /** The bearer token to pass to the job as ACTIONS_ID_TOKEN_REQUEST_TOKEN. Unguessable (256 bits). */
  readonly requestToken: string;
  /** Invalidates the request token at once (call when the job ends). Idempotent. */
  revoke(): void;
}

/** The parts of an HTTP request the endpoint looks at. */
export interface JobTokenRequest {
  method: string;
  /** The request's query; `audience` is read from it. */
  query: URLSearchParams;
  /** The raw Authorization header, if any. */
  authorization?: string;
}

/** The endpoint's answer; the mounting site writes `body` as JSON and adds `headers`. */
export type JobTokenResponse =
  | { status: 200; body: { value: string }; headers: Record<string, string> }
  | { status: 401 | 405; body: { message: string }; headers: Record<string, string> };

interface Registration {
  claims: JobClaimsInput;
  expiresAt: number;
}

/** Hands out job tokens to registered jobs. */
export class JobTokenBroker {
  private readonly registrations = new Map<string, Registration>();

  constructor(
    private readonly issuer: OidcIssuer,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers a job and returns its request token. The claims are checked now (JobClaimsError),
   * so a bad job fails at setup rather than at its first token request.
   */
  register(claims: JobClaimsInput, options: { ttlMs?: number } = {}): JobTokenRegistration {
    validateJobClaimsInput(claims);
    const ttlMs = options.ttlMs ?? DEFAULT_REQUEST_TOKEN_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
    this.sweep();
    const requestToken = randomBytes(32).toString('base64url');
    const digest = digestOf(requestToken);
    this.registrations.set(digest, { claims: { ...claims }, expiresAt: this.clock.now().getTime() + ttlMs });
    return {
      requestToken,
      revoke: () => {
        this.registrations.delete(digest);
      },
    };
  }

  /** Answers one ID-token request. Signing failures are bugs and propagate. */
  async handle(request: JobTokenRequest): Promise<JobTokenResponse> {
    if (request.method.toUpperCase() !== 'GET') {
      return {
        status: 405,
        body: { message: `Method ${request.method} is not allowed; use GET` },
        headers: { allow: 'GET' },
      };
    }
    const token = bearerToken(request.authorization);
    if (token === undefined) {
      return unauthorized('An Authorization header with a Bearer request token is required');
    }
    const registration = this.lookup(token);
    if (registration === undefined) {
      return unauthorized('The request token is unknown, revoked or expired');
    }
    // Query wins; then an audience fixed at registration; then GitHub's default, https://github.com/<owner>.
    // An empty `audience=` counts as absent (@actions/core never sends one).
    const audience = request.query.get('audience') || undefined;
    const claims = audience === undefined ? registration.claims : { ...registration.claims, audience };
    return { status: 200, body: { value: await this.issuer.issue(claims) }, headers: {} };
  }

  private lookup(token: string): Registration | undefined {
    const digest = digestOf(token);
    const registration = this.registrations.get(digest);
    if (registration === undefined) return undefined;
    if (this.clock.now().getTime() >= registration.expiresAt) {
      this.registrations.delete(digest);
      return undefined;
    }
    return registration;
  }

  /** Drops expired registrations so an unrevoked job does not stay in memory forever. */
  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [digest, registration] of this.registrations) {
      if (now >= registration.expiresAt) this.registrations.delete(digest);
    }
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match?.[1];
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function unauthorized(message: string): JobTokenResponse {
  return { status: 401, body: { message }, headers: { 'www-authenticate': 'Bearer' } };
}
