/**
 * Evaluates TemplateTokens (the unevaluated workflow fields) into JSON in a Scope: the template
 * evaluator @actions/workflow-parser does not ship.
 *
 * String interpolation comes from the parser: a string that is exactly one `${{ expr }}` is an
 * expression token and keeps its value's type; a string mixing text and expressions was rewritten to
 * `format('text {0} text', expr)`, whose coercion is GitHub's (null → '', true → 'true', 1.50 → '1.5',
 * object → 'Object', array → 'Array'). Mappings may contain `${{ insert }}` keys, whose mapping value
 * is merged in place.
 */
import { data } from '@actions/expressions';
import type { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token';
import { InsertExpressionToken } from '@actions/workflow-parser/templates/tokens/insert-expression-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from '@actions/workflow-parser/templates/tokens/type-guards';
import type { Json, Scope } from './contract.js';
import { evaluateExpression } from './expressions.js';

/** Thrown when an evaluated value has the wrong shape for where it is used (a mapping where a string belongs, …). */
export class TemplateValueError extends Error {
  constructor(
    message: string,
    readonly token?: TemplateToken,
  ) {
    super(token?.line !== undefined ? `(Line: ${token.line}, Col: ${token.col ?? 0}): ${message}` : message);
    this.name = 'TemplateValueError';
  }
}

/** Evaluates a token: expressions inside strings, mappings (incl. `${{ insert }}`) and sequences. */
export function evaluateToken(token: TemplateToken, scope: Scope): Json {
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isBasicExpression(token)) return evaluateExpression(token.expression, scope);
  if (isSequence(token)) {
    const items: Json[] = [];
    for (const item of token) items.push(evaluateToken(item, scope));
    return items;
  }
  if (isMapping(token)) {
    const object: { [key: string]: Json } = {};
    for (const pair of token) {
      if (pair.key instanceof InsertExpressionToken) {
        const inserted = evaluateToken(pair.value, scope);
        if (inserted === null) continue;
        if (typeof inserted !== 'object' || Array.isArray(inserted)) {
          throw new TemplateValueError('The value of an insert directive must evaluate to a mapping', pair.value);
        }
        Object.assign(object, inserted);
        continue;
      }
      object[keyString(pair.key, scope)] = evaluateToken(pair.value, scope);
    }
    return object;
  }
  // NullToken; also any future token type, which has no value we know how to read.
  return null;
}

function keyString(key: TemplateToken, scope: Scope): string {
  if (isString(key)) return key.value;
  return jsonToString(evaluateToken(key, scope), key);
}

/**
 * Evaluates a token to a string, as the runner does for scalar fields (`run`, `shell`,
 * `working-directory`, names): absent → `fallback`; null → ''; booleans and numbers as GitHub prints
 * them. A mapping or sequence is an error, as on GitHub.
 */
export function evaluateString(token: TemplateToken | undefined, scope: Scope, fallback = ''): string {
  if (token === undefined) return fallback;
  return jsonToString(evaluateToken(token, scope), token);
}

/**
 * Evaluates a mapping of strings (`env`, `with`, job `outputs`): every value coerced as in
 * evaluateString. Absent or null → {}.
 */
export function evaluateStringMap(token: TemplateToken | undefined, scope: Scope): Record<string, string> {
  if (token === undefined) return {};
  const value = evaluateToken(token, scope);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new TemplateValueError('A mapping was expected', token);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) result[key] = jsonToString(item, token);
  return result;
}

/** GitHub's string coercion of a scalar; a mapping or sequence is refused. */
export function jsonToString(value: Json, token?: TemplateToken): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return new data.NumberData(value).coerceString();
  throw new TemplateValueError(
    Array.isArray(value) ? 'A sequence was not expected' : 'A mapping was not expected',
    token,
  );
}

/** The text a token was written as: `${{ expr }}` for a lone expression, the raw string for interpolations. */
export function sourceText(token: TemplateToken): string {
  if (isBasicExpression(token)) {
    const expression: BasicExpressionToken = token;
    // Interpolated strings keep their original text as `source`; a lone expression's source carries YAML quotes.
    if (expression.originalExpressions !== undefined && expression.source !== undefined) return expression.source;
    return `\${{ ${expression.expression} }}`;
  }
  if (isString(token)) return token.value;
  return token.isLiteral ? token.toString() : '';
}
