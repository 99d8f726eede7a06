/**
 * GitHub Actions expressions: evaluate one expression against a Scope, and `if:` conditions.
 *
 * @actions/expressions does the lexing, parsing and evaluation (operators, case-insensitive context
 * and property access, contains/startsWith/endsWith/format/join/toJSON/fromJSON/case). What it leaves
 * to its host is supplied here: the status functions success()/failure()/cancelled()/always() and
 * hashFiles(), all synchronous as the library requires, plus conversion between plain JSON and its
 * data classes; format() and join() are the library's behind a bound on their result
 * (expression-memory.ts).
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { Binary, FunctionCall, Grouping, IndexAccess, Logical, Unary } from '@actions/expressions/ast';
import type { Expr } from '@actions/expressions/ast';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { TokenType } from '@actions/expressions/lexer';
import type { Token } from '@actions/expressions/lexer';
import { errorMessage } from '../core/errors.js';
import type { Contexts, Json, Scope } from './contract.js';
import { BOUNDED_STRING_FUNCTIONS } from './expression-memory.js';
import { hashFiles } from './hash-files.js';

/** Thrown when an expression does not parse or fails to evaluate; the message is fit for a job log. */
export class ExpressionFailure extends Error {
  constructor(
    readonly expression: string,
    cause: unknown,
  ) {
    super(`The expression is not valid: ${expression}: ${errorMessage(cause)}`, { cause });
    this.name = 'ExpressionFailure';
  }
}

/** Every context name an expression may use; absent ones evaluate to null rather than failing. */
const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'steps',
  'job',
  'jobs',
  'runner',
  'needs',
  'matrix',
  'strategy',
  'inputs',
] as const satisfies readonly (keyof Contexts)[];

const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'] as const;

const EXTENSION_FUNCTIONS: FunctionInfo[] = [
  ...STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

/** Parses expression text (without `${{ }}`); throws ExpressionFailure on a syntax error or unknown name. */
export function parseExpression(expression: string): Expr {
  try {
    const tokens = new Lexer(expression).lex().tokens.map(unescapeStringLiteral);
    return new Parser(tokens, [...CONTEXT_NAMES], EXTENSION_FUNCTIONS).parse();
  } catch (error) {
    throw new ExpressionFailure(expression, error);
  }
}

/** Evaluates expression text (without `${{ }}`) in a scope, returning plain JSON. */
export function evaluateExpression(expression: string, scope: Scope): Json {
  return toJson(evaluateToData(expression, scope));
}

/** Evaluates to the library's data value (keeps Object/Array identity for string coercion). */
export function evaluateToData(expression: string, scope: Scope): data.ExpressionData {
  const tree = parseExpression(expression);
  try {
    return new Evaluator(tree, contextDictionary(scope), scopeFunctions(scope)).evaluate();
  } catch (error) {
    throw new ExpressionFailure(expression, error);
  }
}

/**
 * Evaluates an `if:` condition as GitHub does: an optional surrounding `${{ }}` is removed; an empty
 * condition means `success()`; a condition that calls none of success()/failure()/cancelled()/always()
 * is evaluated as `success() && (condition)`; the result is then taken for its truthiness.
 */
export function evaluateCondition(condition: string, scope: Scope): boolean {
  const expression = conditionExpression(condition);
  return truthy(evaluateToData(expression, scope));
}

/** The expression GitHub actually evaluates for an `if:` text (see evaluateCondition). */
export function conditionExpression(condition: string): string {
  const text = stripExpressionMarkers(condition.trim());
  if (text === '') return 'success()';
  return callsStatusFunction(parseExpression(text)) ? text : `success() && (${text})`;
}

/** `${{ x }}` → `x` when the whole text is one expression; anything else is returned unchanged. */
export function stripExpressionMarkers(text: string): string {
  if (text.startsWith('${{') && text.endsWith('}}') && text.indexOf('${{', 3) < 0) {
    return text.slice(3, -2).trim();
  }
  return text;
}

/**
 * Works around @actions/expressions 0.3.61, whose lexer turns only the first `''` of a string literal
 * into `'`: `'it''s ''x'''` would keep a doubled quote. GitHub unescapes every one; and since the
 * workflow parser turns `echo 'a' ${{ x }}` into `format('echo ''a'' {0}', x)`, this matters for
 * every interpolated script with two or more single quotes.
 */
function unescapeStringLiteral(token: Token): Token {
  if (token.type !== TokenType.STRING) return token;
  return { ...token, value: token.lexeme.slice(1, -1).replaceAll("''", "'") };
}

function callsStatusFunction(tree: Expr): boolean {
  if (tree instanceof FunctionCall) {
    const name = tree.functionName.lexeme.toLowerCase();
    return STATUS_FUNCTIONS.some((status) => status === name) || tree.args.some(callsStatusFunction);
  }
  if (tree instanceof Binary) return callsStatusFunction(tree.left) || callsStatusFunction(tree.right);
  if (tree instanceof Unary) return callsStatusFunction(tree.expr);
  if (tree instanceof Logical) return tree.args.some(callsStatusFunction);
  if (tree instanceof Grouping) return callsStatusFunction(tree.group);
  if (tree instanceof IndexAccess) return callsStatusFunction(tree.expr) || callsStatusFunction(tree.index);
  return false;
}

/** GitHub's truthiness: null, false, 0, NaN and '' are false; everything else (objects, arrays) true. */
export function truthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number: {
      const number = (value as data.NumberData).value;
      return number !== 0 && !Number.isNaN(number);
    }
    case data.Kind.String:
      return (value as data.StringData).value.length > 0;
    default:
      return true;
  }
}

function contextDictionary(scope: Scope): data.Dictionary {
  const dictionary = new data.Dictionary();
  for (const name of CONTEXT_NAMES) dictionary.add(name, toData(scope.contexts[name] ?? null));
  return dictionary;
}

function scopeFunctions(scope: Scope): Map<string, FunctionDefinition> {
  const status = scope.state.status;
  const constant = (name: string, value: boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
  ];
  // The Evaluator looks functions up by lower-cased name, these before its own.
  return new Map<string, FunctionDefinition>([
    ...BOUNDED_STRING_FUNCTIONS,
    constant('success', status === 'success'),
    constant('failure', status === 'failure'),
    constant('cancelled', status === 'cancelled'),
    constant('always', true),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: (...patterns) =>
          new data.StringData(
            hashFiles(
              scope.workspace,
              patterns.map((pattern) => pattern.coerceString()),
            ),
          ),
      },
    ],
  ]);
}

/** Plain JSON → the library's data classes. */
export function toData(value: Json): data.ExpressionData {
  if (value === null) return new data.Null();
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'string') return new data.StringData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  const dictionary = new data.Dictionary();
  for (const [key, item] of Object.entries(value)) dictionary.add(key, toData(item));
  return dictionary;
}

/** The library's data classes → plain JSON (a non-finite number becomes null, as in JSON). */
export function toJson(value: data.ExpressionData): Json {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number: {
      const number = (value as data.NumberData).value;
      return Number.isFinite(number) ? number : null;
    }
    case data.Kind.String:
      return (value as data.StringData).value;
    case data.Kind.Array:
      return (value as data.Array).values().map(toJson);
    default: {
      const object: { [key: string]: Json } = {};
      for (const { key, value: item } of (value as data.Dictionary).pairs()) object[key] = toJson(item);
      return object;
    }
  }
}
