/**
 * Shared builders for the policy tests: one-statement policies and a condition probe that
 * goes through the public API (parse, then evaluate), so every test exercises the real path.
 */
import { evaluatePolicies, parsePolicy } from '../../src/policy/index.js';
import type { ConditionContext, EvaluationRequest, PolicyDocument, PolicyKind } from '../../src/policy/index.js';

/** Parses a document given as a plain object. */
export function policy(document: object, kind: PolicyKind = 'identity'): PolicyDocument {
  return parsePolicy(JSON.stringify(document), kind);
}

/** An identity policy allowing everything on everything under one Condition element. */
export function conditioned(condition: object, version = '2012-10-17'): PolicyDocument {
  return policy({
    Version: version,
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition }],
  });
}

/** Whether `operator` on `key` with `values` lets the request with `context` through. */
export function passes(operator: string, key: string, values: unknown, context: ConditionContext): boolean {
  const document = conditioned({ [operator]: { [key]: values } });
  return evaluatePolicies([document], request({ context })).decision === 'Allow';
}

/** A request with defaults for whatever the test does not care about. */
export function request(overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return {
    action: 'ecr:PutImage',
    resource: 'arn:aws:ecr:us-east-1:123456789012:repository/app',
    context: {},
    ...overrides,
  };
}
