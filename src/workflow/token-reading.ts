/**
 * Small readers over the parsed TemplateToken tree, for the fields @actions/workflow-parser's converted
 * model leaves out (step `with`, `shell`, job `permissions`, `defaults`, …). The tree is already
 * schema-validated, so these only pick values out; they never report errors.
 */
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isLiteral, isMapping, isSequence, isString } from '@actions/workflow-parser/templates/tokens/type-guards';

/** The value under `key` in a mapping token (keys compared exactly, as YAML keys are), else undefined. */
export function mappingValue(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (token === undefined || !isMapping(token)) return undefined;
  for (const pair of token) {
    if (isString(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}

/** A mapping's string-keyed entries in document order (expression keys are skipped). */
export function mappingEntries(token: TemplateToken | undefined): [string, TemplateToken][] {
  if (token === undefined || !isMapping(token)) return [];
  const entries: [string, TemplateToken][] = [];
  for (const pair of token) {
    if (isString(pair.key)) entries.push([pair.key.value, pair.value]);
  }
  return entries;
}

/** A literal scalar as a string (numbers and booleans as YAML wrote them), else undefined. */
export function literalText(token: TemplateToken | undefined): string | undefined {
  if (token === undefined || !isLiteral(token)) return undefined;
  return token.toString();
}

/** A literal string, or each literal string of a sequence; anything else is ignored. */
export function literalStrings(token: TemplateToken | undefined): string[] {
  if (token === undefined) return [];
  if (isString(token)) return [token.value];
  if (!isSequence(token)) return [];
  const values: string[] = [];
  for (const item of token) {
    const text = literalText(item);
    if (text !== undefined) values.push(text);
  }
  return values;
}
