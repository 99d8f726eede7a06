/**
 * Input rules shared by Logs' operations: name patterns and lengths (API reference), the
 * group reference (logGroupName or logGroupIdentifier, a name or an ARN), and the valid
 * retention periods.
 */
import type { InputReader } from '../../core/input-reader.js';
import { logsErrors } from './errors.js';

export const GROUP_NAME = { min: 1, max: 512, pattern: /[.\-_/#A-Za-z0-9]+/, patternText: '[\\.\\-_/#A-Za-z0-9]+' };
export const STREAM_NAME = { min: 1, max: 512, pattern: /[^:*]*/, patternText: '[^:*]*' };

/** PutRetentionPolicy's allowed values, in days. */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** A group named by logGroupName or logGroupIdentifier (resolved in `groupOf`). */
export interface GroupRef {
  logGroupName?: string;
  logGroupIdentifier?: string;
}

export function readGroupName(r: InputReader): string {
  return r.string('logGroupName', { ...GROUP_NAME, required: true });
}

/** Reads a group reference for operations that accept either member. */
export function readGroupRef(r: InputReader): GroupRef {
  return {
    logGroupName: r.string('logGroupName', GROUP_NAME),
    logGroupIdentifier: r.string('logGroupIdentifier', { min: 1, max: 2048 }),
  };
}

/** The group name a reference names: an identifier may be a name or the group's ARN (with or without :*). */
export function groupOf(ref: GroupRef): string {
  if (ref.logGroupName !== undefined && ref.logGroupIdentifier !== undefined) throw logsErrors.bothGroupRefs();
  const value = ref.logGroupName ?? ref.logGroupIdentifier;
  if (value === undefined) throw logsErrors.noGroupRef();
  const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(value);
  return arn ? (arn[1] as string) : value;
}

/** Reads `limit` with Logs' bounds; the default applies when absent. */
export function readLimit(r: InputReader, max: number): number | undefined {
  return r.integer('limit', { min: 1, max });
}
