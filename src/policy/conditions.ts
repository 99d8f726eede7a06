/**
 * One condition test: an operator, a key and the policy's values for it, against the request.
 * Within a test the policy values are OR'd (a negated operator wants none of them to match);
 * across keys and operators everything is AND'd (evaluate.ts).
 *
 * The rules for keys missing from the request, as AWS documents them:
 * - a positive operator fails; a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, …)
 *   succeeds ("If the policy condition requires that the key is not matched … and the right key
 *   is not present, the condition is true");
 * - `…IfExists` succeeds whatever the operator;
 * - `ForAllValues:` succeeds (the empty set is a subset of anything), `ForAnyValue:` fails;
 * - `Null` tests presence itself: "true" wants the key absent, "false" present.
 * A key passed as `[]` counts as missing.
 *
 * Multi-valued request keys without a set qualifier: AWS says to always use ForAnyValue or
 * ForAllValues with them and documents nothing else. We read a bare operator on several values
 * as "some value matches" and a bare negated operator as "no value matches", i.e. the
 * negation of the positive test, so StringEquals and StringNotEquals on the same key and
 * values always disagree.
 */
import type { ContextValues } from './context.js';
import type { PolicyVersion } from './document.js';
import type { ConditionOperator } from './operators.js';
import { resolveValue } from './variables.js';

/** Why a condition test failed; undefined from `testCondition` means it passed. */
export type ConditionMiss =
  /** The key is not in the request (or is `[]`) and the operator needs it. */
  | { reason: 'absent'; empty: boolean }
  /** The request values that failed the test (for ForAnyValue and bare positive operators: all of them). */
  | { reason: 'mismatch'; offending: readonly string[] }
  /** Null: the key's presence is not what the policy asks for. */
  | { reason: 'null'; present: boolean };

/** Tests one key of one operator block. */
export function testCondition(
  operator: ConditionOperator,
  key: string,
  policyValues: readonly string[],
  version: PolicyVersion | undefined,
  values: ContextValues,
): ConditionMiss | undefined {
  const request = values.get(key);
  const present = request !== undefined && request.length > 0;

  if (operator.base === 'Null') {
    // Qualifiers mean nothing to a presence test; any policy value may be satisfied.
    for (const value of policyValues) {
      if ((value.toLowerCase() === 'true') === !present) return undefined;
    }
    return { reason: 'null', present };
  }

  if (!present) {
    if (operator.ifExists || operator.qualifier === 'ForAllValues') return undefined;
    if (operator.qualifier === undefined && operator.negated) return undefined;
    return { reason: 'absent', empty: request !== undefined };
  }

  const patterns = policyValues.map((value) => resolveValue(value, version, values));
  const passes = (requestValue: string): boolean => {
    let matched = false;
    for (const pattern of patterns) {
      if (pattern !== undefined && operator.compare(pattern, requestValue)) {
        matched = true;
        break;
      }
    }
    return operator.negated ? !matched : matched;
  };

  const every = operator.qualifier === 'ForAllValues' || (operator.qualifier === undefined && operator.negated);
  if (every) {
    const offending = request.filter((value) => !passes(value));
    return offending.length === 0 ? undefined : { reason: 'mismatch', offending };
  }
  return request.some(passes) ? undefined : { reason: 'mismatch', offending: request };
}
