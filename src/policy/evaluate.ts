/**
 * Policy evaluation, AWS's documented logic within one set of policies: a statement applies
 * when its Principal/NotPrincipal, Action/NotAction, Resource/NotResource and every condition
 * match; any applicable Deny is an explicit deny; otherwise any applicable Allow allows;
 * otherwise the request is implicitly denied.
 *
 * `statementApplies` is the one implementation of matching. Given a `failures` array it is
 * also the explanation (explain.ts): it then checks every element instead of stopping at the
 * first miss, and records why each one missed. Without it, it stops early and builds nothing.
 *
 * Combining policy types (identity ∩ session ∩ permissions boundary, resource policies across
 * accounts) is the caller's job: call evaluatePolicies once per type and combine the decisions.
 */
import { testCondition } from './conditions.js';
import { ContextValues } from './context.js';
import { conditionFailure, listFailure, noActionFailure, principalFailure } from './describe.js';
import type {
  EvaluationRequest,
  EvaluationResult,
  ExplanationFailure,
  MatchedStatement,
  PolicyDocument,
  PolicyStatement,
  PolicyVersion,
} from './document.js';
import { parseOperator } from './operators.js';
import { principalMatches } from './principal.js';
import { resolveValue } from './variables.js';
import { globMatch, toGlob } from './wildcard.js';

/** A request prepared once for all the statements it is checked against. */
export interface PreparedRequest {
  request: EvaluationRequest;
  values: ContextValues;
}

export function prepareRequest(request: EvaluationRequest): PreparedRequest {
  return { request, values: new ContextValues(request.context) };
}

/**
 * Whether the statement applies to the request. With `failures`, checks every element and
 * appends one entry per element (or condition key) that did not match.
 */
export function statementApplies(
  statement: PolicyStatement,
  version: PolicyVersion | undefined,
  prepared: PreparedRequest,
  failures?: ExplanationFailure[],
): boolean {
  const { request, values } = prepared;
  let applies = true;
  // Notes a miss; answers true when checking should stop (no explanation is being recorded).
  const miss = (failure: () => ExplanationFailure): boolean => {
    applies = false;
    if (failures === undefined) return true;
    failures.push(failure());
    return false;
  };

  // Principal is only checked when both sides have one: identity policies have none, and an
  // identity-policy evaluation passes no principal.
  const who = request.principal;
  if (who !== undefined) {
    if (statement.Principal !== undefined && !principalMatches(statement.Principal, who)) {
      const block = statement.Principal;
      if (miss(() => principalFailure('Principal', block, who))) return false;
    }
    if (statement.NotPrincipal !== undefined && principalMatches(statement.NotPrincipal, who)) {
      const block = statement.NotPrincipal;
      if (miss(() => principalFailure('NotPrincipal', block, who))) return false;
    }
  }

  if (statement.Action !== undefined) {
    const patterns = statement.Action;
    if (!anyActionMatches(patterns, request.action)) {
      if (miss(() => listFailure('Action', request.action, patterns, version, values))) return false;
    }
  } else if (statement.NotAction !== undefined) {
    const patterns = statement.NotAction;
    if (anyActionMatches(patterns, request.action)) {
      if (miss(() => listFailure('NotAction', request.action, patterns, version, values))) return false;
    }
  } else if (miss(() => noActionFailure(request.action))) {
    return false;
  }

  // A statement without Resource/NotResource (trust policies, ECR repository policies) is
  // about the resource the policy is attached to, so it matches.
  if (statement.Resource !== undefined) {
    const patterns = statement.Resource;
    if (!anyResourceMatches(patterns, request.resource, version, values)) {
      if (miss(() => listFailure('Resource', request.resource, patterns, version, values))) return false;
    }
  } else if (statement.NotResource !== undefined) {
    const patterns = statement.NotResource;
    if (anyResourceMatches(patterns, request.resource, version, values)) {
      if (miss(() => listFailure('NotResource', request.resource, patterns, version, values))) return false;
    }
  }

  if (statement.Condition !== undefined) {
    for (const [name, keys] of Object.entries(statement.Condition)) {
      const operator = parseOperator(name);
      for (const [key, policyValues] of Object.entries(keys)) {
        // An operator we cannot read (a hand-built document) fails closed, like a mismatch.
        const outcome =
          operator === undefined
            ? ({ reason: 'mismatch', offending: [] } as const)
            : testCondition(operator, key, policyValues, version, values);
        if (outcome === undefined) continue;
        const stop = miss(() =>
          operator === undefined
            ? {
                element: 'Condition',
                operator: name,
                key,
                policyValues: [...policyValues],
                requestValues: values.get(key)?.slice(),
                detail: `${name} is not a condition operator`,
              }
            : conditionFailure(operator, key, policyValues, outcome, version, values),
        );
        if (stop) return false;
      }
    }
  }
  return applies;
}

function anyActionMatches(patterns: readonly string[], action: string): boolean {
  for (const pattern of patterns) {
    // Actions are case-insensitive and take no policy variables.
    if (globMatch(toGlob(pattern), action, true)) return true;
  }
  return false;
}

function anyResourceMatches(
  patterns: readonly string[],
  resource: string,
  version: PolicyVersion | undefined,
  values: ContextValues,
): boolean {
  for (const pattern of patterns) {
    // A resource whose variable has no value matches nothing; the other entries still count.
    const glob = resolveValue(pattern, version, values);
    if (glob !== undefined && globMatch(glob, resource, false)) return true;
  }
  return false;
}

/** Evaluates a set of policies of one type against one request. */
export function evaluatePolicies(policies: readonly PolicyDocument[], request: EvaluationRequest): EvaluationResult {
  const prepared = prepareRequest(request);
  const denies: MatchedStatement[] = [];
  const allows: MatchedStatement[] = [];
  policies.forEach((policy, policyIndex) => {
    policy.Statement.forEach((statement, statementIndex) => {
      // Once something denies, further Allows cannot change the decision: skip their work.
      if (statement.Effect === 'Allow' && denies.length > 0) return;
      if (!statementApplies(statement, policy.Version, prepared)) return;
      const match: MatchedStatement = { policyIndex, statementIndex, effect: statement.Effect };
      if (statement.Sid !== undefined) match.sid = statement.Sid;
      (statement.Effect === 'Deny' ? denies : allows).push(match);
    });
  });
  if (denies.length > 0) return { decision: 'ExplicitDeny', matched: denies };
  if (allows.length > 0) return { decision: 'Allow', matched: allows };
  return { decision: 'ImplicitDeny', matched: [] };
}
