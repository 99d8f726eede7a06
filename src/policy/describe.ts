/**
 * The sentences of explanations: turns an element that did not match into the one line a
 * user reads in `dockyard trust check` or a denial message. Formatting only; whether an
 * element matched is decided in evaluate.ts and conditions.ts, which call these builders
 * only when an explanation is being recorded.
 */
import type { ConditionMiss } from './conditions.js';
import type { ContextValues } from './context.js';
import type { ExplanationFailure, PolicyVersion, PrincipalBlock, PrincipalRef } from './document.js';
import type { ConditionOperator } from './operators.js';
import { describePrincipalBlock, principalValues } from './principal.js';
import { resolveValue, unresolvedVariables } from './variables.js';
import { globLiteral } from './wildcard.js';

const q = (value: string): string => JSON.stringify(value);

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function alternatives(values: readonly string[]): string {
  const quoted = values.map(q);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Policy values as they read after substitution, noting variables this request cannot fill. */
function policyText(raw: readonly string[], version: PolicyVersion | undefined, values: ContextValues): string {
  const resolved: string[] = [];
  const missing = new Set<string>();
  for (const value of raw) {
    const glob = resolveValue(value, version, values);
    if (glob === undefined) {
      resolved.push(value);
      for (const key of unresolvedVariables(value, version, values)) missing.add(key);
    } else {
      resolved.push(globLiteral(glob));
    }
  }
  const text = alternatives(resolved);
  if (missing.size === 0) return text;
  const keys = [...missing].join(', ');
  return `${text} (policy variable ${keys} has no value in the request)`;
}

/** Action, NotAction, Resource or NotResource. */
export function listFailure(
  element: 'Action' | 'NotAction' | 'Resource' | 'NotResource',
  requestValue: string,
  policyValues: readonly string[],
  version: PolicyVersion | undefined,
  values: ContextValues,
): ExplanationFailure {
  const noun = element.endsWith('Action') ? 'action' : 'resource';
  const patterns = element.endsWith('Action') ? alternatives(policyValues) : policyText(policyValues, version, values);
  const detail = element.startsWith('Not')
    ? `${noun} ${requestValue} matches ${element} ${patterns}`
    : `${noun} ${requestValue} does not match ${element} ${patterns}`;
  return { element, requestValue, policyValues: [...policyValues], detail };
}

/** A statement without Action or NotAction (only possible for documents built by hand). */
export function noActionFailure(action: string): ExplanationFailure {
  return { element: 'Action', requestValue: action, policyValues: [], detail: 'statement has no Action or NotAction' };
}

/** Principal or NotPrincipal. */
export function principalFailure(
  element: 'Principal' | 'NotPrincipal',
  block: PrincipalBlock,
  who: PrincipalRef,
): ExplanationFailure {
  const caller = `principal ${who.arn} (${who.type})`;
  const detail =
    element === 'Principal'
      ? `${caller} is not a Principal of this statement: ${describePrincipalBlock(block)}`
      : `${caller} is excluded by NotPrincipal ${describePrincipalBlock(block)}`;
  return { element, requestValue: who.arn, policyValues: principalValues(block), detail };
}

/** One condition key that failed. */
export function conditionFailure(
  operator: ConditionOperator,
  key: string,
  policyValues: readonly string[],
  miss: ConditionMiss,
  version: PolicyVersion | undefined,
  values: ContextValues,
): ExplanationFailure {
  const request = values.get(key);
  const requestValues = request === undefined ? undefined : [...request];
  const base = {
    element: 'Condition' as const,
    operator: operator.name,
    key,
    policyValues: [...policyValues],
    requestValues,
  };
  switch (miss.reason) {
    case 'absent':
      return {
        ...base,
        detail: miss.empty
          ? `key ${key} has no values in the request, and ${operator.name} needs at least one`
          : `key ${key} is absent from the request`,
      };
    case 'null':
      return {
        ...base,
        detail: miss.present
          ? `key ${key} is present in the request, but Null ${alternatives(policyValues)} requires it to be absent`
          : `key ${key} is absent from the request, but Null ${alternatives(policyValues)} requires it to be present`,
      };
    case 'mismatch':
      return {
        ...base,
        detail: mismatchDetail(operator, key, policyValues, miss.offending, request ?? [], version, values),
      };
  }
}

function mismatchDetail(
  operator: ConditionOperator,
  key: string,
  policyValues: readonly string[],
  offending: readonly string[],
  request: readonly string[],
  version: PolicyVersion | undefined,
  values: ContextValues,
): string {
  const expected = `${operator.name} ${policyText(policyValues, version, values)}`;
  const subject =
    request.length === 1 ? `${key} is ${q(request[0] ?? '')}` : `${key} is [${request.map(q).join(', ')}]`;
  if (operator.negated) {
    const which = offending.length === 1 ? q(offending[0] ?? '') : offending.map(q).join(', ');
    return request.length === 1
      ? `${subject}, which ${expected} excludes`
      : `${subject}; ${which} ${offending.length === 1 ? 'is' : 'are'} excluded by ${expected}`;
  }
  if (operator.qualifier === 'ForAllValues') {
    return `${subject}; ${offending.map(q).join(', ')} ${offending.length === 1 ? 'does' : 'do'} not match ${expected}`;
  }
  return request.length === 1
    ? `${subject}, which does not match ${expected}`
    : `${subject}, none of which matches ${expected}`;
}
