/** STS's AssumeRoleWithWebIdentity decisions as the console shows them (trust and run pages). */
import type { WebIdentityDecision } from '../../services/sts/decisions.js';
import type { DecisionView } from '../contract.js';

export function decisionView(decision: WebIdentityDecision): DecisionView {
  const reason = decision.reason;
  const verdict = reason.kind === 'trust' || reason.kind === 'request' ? reason.verdict : undefined;
  const summary =
    reason.kind === 'trust'
      ? reason.verdict.summary
      : reason.kind === 'request'
        ? `${reason.verdict.summary}, but the request was refused: ${reason.problem}`
        : `refused: ${reason.problem}`;
  return {
    id: decision.id,
    at: decision.at.toISOString(),
    roleArn: decision.roleArn,
    roleSessionName: decision.roleSessionName,
    admitted: decision.admitted,
    ...(decision.error ? { error: decision.error } : {}),
    verified: decision.verified,
    claims: decision.claims,
    summary,
    ...(verdict ? { verdict } : {}),
  };
}
