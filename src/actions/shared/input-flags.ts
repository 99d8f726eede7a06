/**
 * Boolean inputs as the official actions read them: `(getInput(name) || fallback).toLowerCase() === 'true'`.
 * Client quirk kept on purpose: core.getBooleanInput would reject `yes`/`1`; these actions treat
 * anything but `true` (any case) as false instead of failing.
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
