/**
 * Boolean inputs as the official actions read them: `(getInput(name) || fallback).toLowerCase() === 'true'`.
 * Client quirk kept on purpose: core.getBooleanInput would reject `yes`/`1`; these actions treat
 * anything but `true` (any case) as false instead of failing. Newer majors (configure-aws-credentials
 * v5 on) read them strictly, as YAML 1.2's core schema: `strictFlag`.
 */
import * as core from '@actions/core';

/** True when the input (or, if empty, `fallback`) is `true` in any letter case. */
export function inputFlag(name: string, fallback: 'true' | 'false' = 'false'): boolean {
  return (core.getInput(name) || fallback).toLowerCase() === 'true';
}

/** The input as a string, or undefined when it is empty. */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

/**
 * A boolean input read as configure-aws-credentials v5 and later read them: true, True or TRUE;
 * false, False or FALSE; empty is `fallback`; anything else fails the step with their message.
 */
export function strictFlag(name: string, fallback = false): boolean {
  const value = core.getInput(name);
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  if (value === '') return fallback;
  throw new TypeError(
    `Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``,
  );
}
