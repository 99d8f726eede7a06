/**
 * ACTIONS_RUNTIME_TOKEN: the bearer token a job hands the results service (artifacts and cache).
 * It is a JWT because the clients read it: @actions/artifact decodes `scp` and takes the run's
 * and the job's backend ids from its `Actions.Results:<run>:<job>` scope, and sends them back
 * with every call. `ac` lists the cache scopes as GitHub's token does (a JSON string of
 * `{Scope, Permission}`, 1 = read, 3 = read and write): the job's ref may write, the default
 * branch is read only.
 *
 * By design: HS256 with a key that lives in the process, and a token counts only while its job
 * is registered (results-service.ts revokes it when the job ends); jobs do not survive a restart.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a job's token grants. */
export interface RuntimeGrant {
  repository: string;
  runId: number;
  /** `workflow_run_backend_id`: one per run, shared by its jobs. */
  runBackendId: string;
  /** `workflow_job_run_backend_id`: one per job. */
  jobBackendId: string;
  /** The ref whose caches the job writes (and reads first). */
  cacheWriteScope: string;
  /** Every ref whose caches the job reads, in the order they are searched. */
  cacheReadScopes: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

const READ = 1;
const READ_WRITE = 3;

/** Signs and checks runtime tokens with one process-local key. */
export class RuntimeTokens {
  private readonly key = randomBytes(32);

  sign(grant: RuntimeGrant, issuedAt: number): string {
    const header = { typ: 'JWT', alg: 'HS256' };
    const scopes = grant.cacheReadScopes.map((scope) => ({
      Scope: scope,
      Permission: scope === grant.cacheWriteScope ? READ_WRITE : READ,
    }));
    const claims = {
      nameid: 'dockyard',
      scp: `Actions.GenericRead:${grant.runBackendId} Actions.Results:${grant.runBackendId}:${grant.jobBackendId}`,
      ac: JSON.stringify(scopes),
      repository: grant.repository,
      run_id: String(grant.runId),
      iss: 'dockyard',
      aud: 'dockyard-results',
      nbf: issuedAt,
      iat: issuedAt,
      exp: grant.expiresAt,
    };
    const body = `${part(header)}.${part(claims)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The token's job backend id when its signature holds (expiry and revocation are the caller's). */
  verify(token: string): string | undefined {
    const pieces = token.split('.');
    if (pieces.length !== 3 || token.length > 8192) return undefined;
    const [header, claims, signature] = pieces as [string, string, string];
    const expected = Buffer.from(this.mac(`${header}.${claims}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { scp?: unknown };
      const scope =
        typeof parsed.scp === 'string'
          ? parsed.scp.split(' ').find((s) => s.startsWith('Actions.Results:'))
          : undefined;
      return scope?.split(':')[2];
    } catch {
      return undefined;
    }
  }

  private mac(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}

function part(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
