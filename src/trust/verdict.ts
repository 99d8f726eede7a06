/**
 * A trust decision as a person reads it: admitted or refused, by which statement, and on which
 * conditions, with the request's value beside each. Built from the statement explanations
 * (policy/explain.ts, evaluation with recording on), so it never disagrees with STS. Shown by
 * the console's trust view and kept with each AssumeRoleWithWebIdentity decision STS records.
 */
import type { ConditionContext, PolicyDocument, StatementExplanation } from '../policy/document.js';

export interface VerdictCondition {
  operator: string;
  key: string;
  /** As the policy writes them. */
  policyValues: string[];
  /** The request's values; undefined when the key is absent. */
  requestValues?: string[];
  holds: boolean;
  /** Why it does not hold, in one line (policy/describe.ts's wording). */
  detail?: string;
}

/** One statement that decided: the one that applied, or (refused) an Allow that did not. */
export interface VerdictStatement {
  /** 1-based, with the Sid when it has one: `1 "GitHubMain"`. */
  label: string;
  effect: 'Allow' | 'Deny';
  applies: boolean;
  conditions: VerdictCondition[];
  /** Elements other than conditions that did not match (Principal, Action), one line each. */
  otherFailures: string[];
}

export interface TrustVerdict {
  admitted: boolean;
  /** One line: what decided. */
  summary: string;
  statements: VerdictStatement[];
}

/**
 * The verdict of `document` (a role's trust policy) on a request with `context`: admitted when
 * an Allow applies and no Deny does. The deciding statements are the Deny that applied, else
 * the Allow that applied, else every Allow (each with what it missed).
 */
export function trustVerdict(
  document: PolicyDocument,
  context: ConditionContext,
  explanations: readonly StatementExplanation[],
): TrustVerdict {
  const deny = explanations.find((s) => s.applies && s.effect === 'Deny');
  const allow = explanations.find((s) => s.applies && s.effect === 'Allow');
  const admitted = deny === undefined && allow !== undefined;
  const decidedBy = deny ?? allow;
  const chosen = decidedBy ? [decidedBy] : explanations.filter((s) => s.effect === 'Allow');
  const statements = chosen.map((s) => verdictStatement(document, context, s));
  return { admitted, summary: summary(admitted, decidedBy, statements), statements };
}

function verdictStatement(
  document: PolicyDocument,
  context: ConditionContext,
  explanation: StatementExplanation,
): VerdictStatement {
  const statement = document.Statement[explanation.statementIndex];
  const conditions: VerdictCondition[] = [];
  for (const [operator, keys] of Object.entries(statement?.Condition ?? {})) {
    for (const [key, policyValues] of Object.entries(keys)) {
      const failure = explanation.failures.find(
        (f) => f.element === 'Condition' && f.operator === operator && f.key === key,
      );
      const requestValues = lookup(context, key);
      conditions.push({
        operator,
        key,
        policyValues: [...policyValues],
        ...(requestValues ? { requestValues } : {}),
        holds: failure === undefined,
        ...(failure ? { detail: failure.detail } : {}),
      });
    }
  }
  return {
    label: explanation.sid
      ? `${explanation.statementIndex + 1} "${explanation.sid}"`
      : String(explanation.statementIndex + 1),
    effect: explanation.effect,
    applies: explanation.applies,
    conditions,
    otherFailures: explanation.failures.filter((f) => f.element !== 'Condition').map((f) => f.detail),
  };
}

function summary(
  admitted: boolean,
  decidedBy: StatementExplanation | undefined,
  statements: readonly VerdictStatement[],
): string {
  const [first] = statements;
  if (decidedBy && first) {
    const on = first.conditions.map((c) => `${c.operator} ${c.key}`).join(', ');
    const verb = admitted ? 'admitted by' : 'refused by';
    return `${verb} statement ${first.label} (${first.effect})${on ? ` on ${on}` : ''}`;
  }
  if (!first) return 'refused: the trust policy has no Allow statement';
  const missed = first.conditions.find((c) => !c.holds)?.detail ?? first.otherFailures[0];
  return `refused: no statement applies; statement ${first.label} does not${missed ? `: ${missed}` : ''}`;
}

/** A condition key's values in the request (keys are case-insensitive). */
function lookup(context: ConditionContext, key: string): string[] | undefined {
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() !== lower || value === undefined) continue;
    return typeof value === 'string' ? [value] : [...value];
  }
  return undefined;
}
