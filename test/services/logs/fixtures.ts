/**
 * CloudWatch Logs under test (test/support/service-harness.ts: the real pipeline in process,
 * over a real SQLite file, as the account's root user, on a manual clock) and its fixtures.
 */
import assert from 'node:assert/strict';
import { createLogsService, LogsStore, type LogsOperationName } from '../../../src/services/logs/index.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');
export const MINUTE = 60 * 1000;
export const DAY = 24 * 60 * MINUTE;

export type Wire = Record<string, unknown>;

export type LogsHarness = ServiceHarness<LogsOperationName, { store: LogsStore; service: ServiceDefinition }>;

export function createHarness(): LogsHarness {
  return createServiceHarness({
    name: 'dockyard-logs-',
    accountId: ACCOUNT,
    region: REGION,
    start: new Date(START),
    open: (db) => {
      const store = new LogsStore(db, { accountId: ACCOUNT, region: REGION });
      return { store, service: createLogsService(store) };
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

export function list(out: Wire, member: string): Wire[] {
  const value = out[member];
  assert.ok(Array.isArray(value), `${member} is not a list`);
  return value as Wire[];
}
