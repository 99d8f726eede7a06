/**
 * The trust views: IAM's OIDC providers and roles, a role's trust policy, STS's recent
 * AssumeRoleWithWebIdentity decisions with their claims, and the trust check: would STS admit
 * the token a job of repository R on ref F would get (or the token of an actual run), and
 * which statement and condition decide. The check issues that token with the cloud's own
 * issuer and runs STS's verification and evaluation on it without issuing credentials: the
 * same code and the same lines as `dockyard trust check`.
 */
import type { JobClaimsInput } from '../../identity/claims.js';
import { runTokenClaims } from '../../runner/run-claims.js';
import { explainTrustLines, explainWebIdentityTrust } from '../../trust/explain.js';
import type { RoleRow, RoleView, TrustCheckResult, TrustView } from '../contract.js';
import type { ConsoleDeps } from '../deps.js';
import { ConsoleHttpError } from '../http.js';
import { decisionView } from './decisions.js';
import { runRow } from './pipelines.js';

type Deps = Pick<ConsoleDeps, 'iam' | 'decisions' | 'runner' | 'issuer' | 'clock'>;

/** Decisions on the trust page (the newest); a role's page shows its own. */
const MAX_DECISIONS_SHOWN = 50;
/** Runs offered for "check with this run's token". */
const MAX_RUNS = 20;

export function trustView(deps: Deps): TrustView {
  return {
    providers: deps.iam.oidcProviders.list().map((p) => ({
      arn: p.arn,
      url: p.url,
      clientIds: p.clientIds,
      createdAt: p.createDate.toISOString(),
    })),
    roles: deps.iam.roles.list().map(roleRow),
    decisions: deps.decisions.list({ limit: MAX_DECISIONS_SHOWN }).map(decisionView),
    runs: deps.runner.listRuns({ limit: MAX_RUNS }).map(runRow),
  };
}

export function roleView(deps: Deps, name: string): RoleView | undefined {
  const role = deps.iam.getRole(name);
  if (!role) return undefined;
  return {
    ...roleRow(role),
    trustPolicy: prettyJson(role.assumeRolePolicyDocument),
    decisions: deps.decisions.list({ roleArn: role.arn, limit: MAX_DECISIONS_SHOWN }).map(decisionView),
  };
}

/** What the page asks: a role, and a repository and ref (with event, environment, audience) or a run. */
export interface TrustCheckInput {
  roleArn: string;
  repository?: string;
  ref?: string;
  event?: string;
  environment?: string;
  audience?: string;
  runId?: number;
}

/** Reads the check's input from a JSON body, bounded; throws 400 on anything else. */
export function readTrustCheckInput(body: unknown): TrustCheckInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ConsoleHttpError(400, 'Expected a JSON object');
  const fields = body as Record<string, unknown>;
  // Printable characters only: no controls (they would reach the token's claims).
  const printable = /^[^\p{Cc}]*$/u;
  const text = (name: string, pattern: RegExp, required = false): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === '') {
      if (required) throw new ConsoleHttpError(400, `${name} is required`);
      return undefined;
    }
    if (typeof value !== 'string' || value.length > 2048 || !printable.test(value) || !pattern.test(value))
      throw new ConsoleHttpError(400, `${name} is not valid`);
    return value;
  };
  const runId = fields.runId;
  if (runId !== undefined && (typeof runId !== 'number' || !Number.isSafeInteger(runId) || runId < 1))
    throw new ConsoleHttpError(400, 'runId is not a run id');
  const input: TrustCheckInput = {
    roleArn: text('roleArn', /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, true) ?? '',
    repository: text('repository', /^[\w.-]{1,100}\/[\w.-]{1,100}$/),
    ref: text('ref', /^\S{1,255}$/),
    event: text('event', /^[a-z_]{1,64}$/),
    environment: text('environment', /^.{1,255}$/),
    audience: text('audience', /^\S{1,255}$/),
    ...(typeof runId === 'number' ? { runId } : {}),
  };
  if (input.runId === undefined && (input.repository === undefined || input.ref === undefined))
    throw new ConsoleHttpError(400, 'Give a repository and a ref, or a run');
  return input;
}

/** Would STS admit that token? The same answer, and lines, as `dockyard trust check`. */
export async function trustCheck(deps: Deps, input: TrustCheckInput): Promise<TrustCheckResult> {
  const claims = claimsFor(deps, input);
  await deps.issuer.ready;
  const token = await deps.issuer.issue(claims);
  const result = await explainWebIdentityTrust(token, input.roleArn, deps.clock.now(), {
    iam: deps.iam,
    keysFor: (issuer) => (issuer === deps.issuer.url ? deps.issuer.getKey : undefined),
  });
  return {
    roleArn: input.roleArn,
    admitted: result.admitted,
    ...(result.error ? { error: result.error } : {}),
    ...(result.tokenProblem ? { tokenProblem: result.tokenProblem } : {}),
    ...(result.subject ? { subject: result.subject } : {}),
    ...(result.audience ? { audience: result.audience } : {}),
    ...(result.verdict ? { verdict: result.verdict } : {}),
    ...(result.claims ? { claims: result.claims } : {}),
    lines: explainTrustLines(input.roleArn, result),
  };
}

/** The claims the job would present: a run's own (its repository, ref, commit, event, ids), or the form's. */
function claimsFor(deps: Deps, input: TrustCheckInput): JobClaimsInput {
  const audience = input.audience ?? 'sts.amazonaws.com';
  if (input.runId !== undefined) {
    const run = deps.runner.getRun(input.runId);
    if (!run) throw new ConsoleHttpError(404, `No run ${input.runId}`);
    return { ...runTokenClaims(run, input.environment), audience };
  }
  return {
    repository: input.repository ?? '',
    ref: input.ref ?? '',
    eventName: input.event ?? 'push',
    audience,
    ...(input.environment ? { environment: input.environment } : {}),
  };
}

function roleRow(role: {
  roleName: string;
  arn: string;
  assumeRolePolicyDocument: string;
  createDate: Date;
  description?: string;
}): RoleRow {
  return {
    name: role.roleName,
    arn: role.arn,
    federated: federatedPrincipals(role.assumeRolePolicyDocument),
    createdAt: role.createDate.toISOString(),
    ...(role.description ? { description: role.description } : {}),
  };
}

/** The identity providers a trust policy's statements name as Federated principals. */
function federatedPrincipals(document: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return [];
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  const found = new Set<string>();
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const federated = (statement as { Principal?: { Federated?: unknown } } | undefined)?.Principal?.Federated;
    for (const value of Array.isArray(federated) ? federated : [federated])
      if (typeof value === 'string') found.add(value);
  }
  return [...found];
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
