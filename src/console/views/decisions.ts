/** STS's AssumeRoleWithWebIdentity decisions as the console shows them (trust and run pages). */
import type { WebIdentityDecision } from '../../services/sts/decisions.js';
import type { DecisionView } from '../contract.js';

export function decisionView(decision: WebIdentityDecision): DecisionView {
  const { reason, at, ...kept } = decision;
  const verdict = reason.kind === 'trust' || reason.kind === 'request' ? reason.verdict : undefined;
  const summary =
    reason.kind === 'trust'
      ? reason.verdict.summary
      : reason.kind === 'request'
        ? `${reason.verdict.summary}, but the request was refused: ${reason.problem}`
        : `refused: ${reason.problem}`;
  return { ...kept, at: at.toISOString(), summary, ...(verdict ? { verdict } : {}) };
}
