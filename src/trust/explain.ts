/**
 * Explaining, without side effects, whether AssumeRoleWithWebIdentity would admit a token:
 * the same verification and trust evaluation STS runs, reporting each step and, per trust
 * policy statement, which element or condition failed with the token's value and the
 * policy's pattern. Used by `dockyard trust check` before anyone pushes, and by the console's
 * trust view, which shows the same lines (explainTrustLines).
 */
import { AwsError } from '../core/errors.js';
import { explainPolicies, parsePolicy, type StatementExplanation } from '../policy/index.js';
import type { JWTVerifyGetKey } from 'jose';
import type { StsRoleSource } from './role-source.js';
import { trustVerdict, type TrustVerdict } from './verdict.js';
import { verifyWebIdentityToken, webIdentityTrustRequest } from './web-identity.js';

export interface TrustExplanation {
  admitted: boolean;
  /** What STS would answer: undefined when admitted. */
  error?: { code: string; message: string };
  /** Set when the token itself was refused before the trust policy (provider, audience, signature, time). */
  tokenProblem?: string;
  subject?: string;
  audience?: string;
  statements: StatementExplanation[];
  /** Which statement and conditions decided, when the trust policy was evaluated. */
  verdict?: TrustVerdict;
  /** The token's verified claims, when it verified. */
  claims?: Record<string, unknown>;
}

export async function explainWebIdentityTrust(
  token: string,
  roleArn: string,
  now: Date,
  deps: { iam: StsRoleSource; keysFor(issuer: string): JWTVerifyGetKey | undefined },
): Promise<TrustExplanation> {
  let identity;
  try {
    identity = await verifyWebIdentityToken(token, now, {
      findProvider: (url) => deps.iam.getOpenIdConnectProviderByUrl(url),
      keysFor: deps.keysFor,
    });
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return {
      admitted: false,
      error: { code: error.code, message: error.message },
      tokenProblem: error.message,
      statements: [],
    };
  }
  const denied = { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' };
  const role = deps.iam.getRoleByArn(roleArn);
  if (!role) {
    return {
      admitted: false,
      error: denied,
      tokenProblem: `no role ${roleArn} exists in this cloud`,
      subject: identity.subject,
      audience: identity.audience,
      statements: [],
    };
  }
  const trust = parsePolicy(role.assumeRolePolicyDocument, 'trust');
  const request = webIdentityTrustRequest(identity, role.arn, {
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  });
  const statements = explainPolicies([trust], request);
  const verdict = trustVerdict(trust, request.context, statements);
  const admitted = verdict.admitted;
  return {
    admitted,
    ...(admitted ? {} : { error: denied }),
    subject: identity.subject,
    audience: identity.audience,
    statements,
    verdict,
    claims: identity.claims,
  };
}

/** The explanation as `dockyard trust check` prints it (and the console shows it): one line each. */
export function explainTrustLines(roleArn: string, result: TrustExplanation): string[] {
  const lines: string[] = [];
  const who = result.subject ? `sub ${result.subject}, aud ${result.audience}` : 'the job';
  if (result.admitted) {
    lines.push(`✓ ${roleArn} admits ${who}`);
    for (const s of result.statements.filter((s) => s.applies))
      lines.push(`  statement ${label(s.statementIndex, s.sid)} (${s.effect}) matches`);
    return lines;
  }
  lines.push(`✗ ${roleArn} would refuse ${who}`);
  if (result.error) lines.push(`  STS would answer ${result.error.code}: ${result.error.message}`);
  if (result.tokenProblem && result.tokenProblem !== result.error?.message && result.statements.length === 0)
    lines.push(`  because ${result.tokenProblem}`);
  for (const s of result.statements) {
    if (s.applies) {
      lines.push(
        `  statement ${label(s.statementIndex, s.sid)} (${s.effect}) applies${s.effect === 'Deny' ? ' and denies' : ''}`,
      );
      continue;
    }
    lines.push(`  statement ${label(s.statementIndex, s.sid)} (${s.effect}) does not apply:`);
    for (const f of s.failures) lines.push(`    - ${f.detail}`);
  }
  if (result.statements.length > 0 && !result.statements.some((s) => s.effect === 'Allow'))
    lines.push('  no statement allows sts:AssumeRoleWithWebIdentity');
  return lines;
}

function label(index: number, sid: string | undefined): string {
  return sid ? `${index + 1} "${sid}"` : String(index + 1);
}
