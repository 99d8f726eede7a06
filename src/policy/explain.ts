/**
 * Explanations: for every statement of every policy, whether it applies to a request and why
 * not. This is evaluation with recording switched on (evaluate.ts's `statementApplies`), so an
 * explanation can never disagree with the decision. No side effects.
 */
import type { EvaluationRequest, PolicyDocument, StatementExplanation } from './document.js';
import { prepareRequest, statementApplies } from './evaluate.js';

/** Per-statement explanation, for `dockyard trust check` and denial messages. */
export function explainPolicies(
  policies: readonly PolicyDocument[],
  request: EvaluationRequest,
): StatementExplanation[] {
  const prepared = prepareRequest(request);
  const explanations: StatementExplanation[] = [];
  policies.forEach((policy, policyIndex) => {
    policy.Statement.forEach((statement, statementIndex) => {
      const failures: StatementExplanation['failures'] = [];
      const applies = statementApplies(statement, policy.Version, prepared, failures);
      const explanation: StatementExplanation = {
        policyIndex,
        statementIndex,
        effect: statement.Effect,
        applies,
        failures,
      };
      if (statement.Sid !== undefined) explanation.sid = statement.Sid;
      explanations.push(explanation);
    });
  });
  return explanations;
}
