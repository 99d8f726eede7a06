/**
 * Explaining, without side effects, whether AssumeRoleWithWebIdentity would admit a token:
 * the same verification and trust evaluation STS runs, reporting each step and, per trust
 * policy statement, which element or condition failed with the token's value and the
 * policy's pattern. Used by `dockyard trust check` before anyone pushes.
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
