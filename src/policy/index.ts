/**
 * The IAM policy language: parse and validate documents (parse.ts), evaluate them against a
 * request (evaluate.ts) and explain the outcome statement by statement (explain.ts). One
 * engine serves trust policies (sts:AssumeRole*) and the authorization of every API call.
 *
 * Fidelity:
 * - Gaps: policy size limits; principal existence checks; the action/service catalogue;
 *   combining policy types (identity ∩ session ∩ boundary, cross-account resource policies) is
 *   left to callers, which evaluate each type and combine decisions.
 * - By design: condition operator names are accepted in any letter case and normalised; a
 *   multi-valued request key under a bare operator means "any value matches" (negated: "none
 *   matches"), where AWS only says to use a set qualifier; NotPrincipal matches the caller the
 *   same way Principal does (AWS hints it may check account, role and session separately).
 * - Reproduced: negated operators succeed on absent keys; ForAllValues succeeds and
 *   ForAnyValue fails on absent keys; variables only under Version 2012-10-17; "Sid": "" may
 *   repeat; identity and trust validators word errors differently (messages.ts).
 */
export type {
  ConditionContext,
  EvaluationRequest,
  ExplanationFailure,
  PolicyDocument,
  PolicyKind,
  PrincipalRef,
  StatementExplanation,
} from './document.js';
export { PolicyValidationError } from './messages.js';
export { parsePolicy } from './parse.js';
export { evaluatePolicies } from './evaluate.js';
export { explainPolicies } from './explain.js';
