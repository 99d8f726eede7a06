/**
 * AllowedPattern: a regular expression the whole value must match, written by the user. A
 * pattern can backtrack for ever on a crafted value, and the cloud serves every request on one
 * thread, so it runs in a V8 context with a time limit (which interrupts even a running match).
 * Patterns are JavaScript's dialect, close to the Java one AWS uses for the usual cases.
 */
import { createContext, Script, type Context } from 'node:vm';
import { ssmErrors } from './errors.js';

const TIME_LIMIT_MS = 100;

interface Sandbox extends Context {
  pattern: string;
  value: string;
}

/** The scripts and the one context they run in (its globals are two strings, set before each run); made on first use. */
let engine: { match: Script; compile: Script; sandbox: Sandbox } | undefined;

function run(script: 'match' | 'compile', pattern: string, value = ''): unknown {
  engine ??= {
    match: new Script('new RegExp(pattern).test(value)'),
    compile: new Script('new RegExp(pattern), true'),
    sandbox: createContext({ pattern: '', value: '' }) as Sandbox,
  };
  engine.sandbox.pattern = pattern;
  engine.sandbox.value = value;
  return engine[script].runInContext(engine.sandbox, { timeout: TIME_LIMIT_MS });
}

/** Throws InvalidAllowedPatternException when `pattern` does not compile. */
export function checkAllowedPattern(pattern: string): void {
  try {
    run('compile', pattern);
  } catch (error) {
    throw ssmErrors.invalidPattern(reason(error));
  }
}

/** Throws ParameterPatternMismatchException unless the whole of `value` matches `pattern`. */
export function checkValueAgainst(pattern: string, value: string): void {
  let matched: unknown;
  try {
    // Anchored as Java's Pattern.matches is: the whole value, not a part of it.
    matched = run('match', `^(?:${pattern})$`, value);
  } catch (error) {
    throw ssmErrors.invalidPattern(reason(error));
  }
  if (matched !== true) throw ssmErrors.patternMismatch(pattern);
}

/** An error's message; errors from inside the context are not this realm's Error instances. */
function reason(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
    return `matching took longer than ${TIME_LIMIT_MS} ms`;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
