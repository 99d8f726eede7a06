/**
 * A real CloudWatch Logs service over a real SQLite file in a temp directory, called as the
 * protocol layer calls it (read, validate, authorize, run) with JSON-shaped input. The caller
 * is the account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.js';
import { createLogsService, LogsStore, type LogsOperationName } from '../../../src/services/logs/index.js';
import type { Authorization, ServiceDefinition } from '../../../src/core/operation.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');
export const MINUTE = 60 * 1000;
export const DAY = 24 * 60 * MINUTE;

export type Wire = Record<string, unknown>;

export interface LogsHarness {
  readonly db: Db;
  readonly store: LogsStore;
  readonly service: ServiceDefinition;
  readonly clock: ManualClock;
  call(operation: LogsOperationName, input?: Record<string, unknown>): Promise<Wire>;
  authorize(operation: LogsOperationName, input?: Record<string, unknown>): Authorization[];
  dispose(): void;
}

export function createHarness(): LogsHarness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-logs-'));
  const db = openDatabase(join(dir, 'state.db'));
  const clock = new ManualClock(START);
  const store = new LogsStore(db, { accountId: ACCOUNT, region: REGION });
  const service = createLogsService(store);
  const ctx = rootContext(ACCOUNT, REGION, clock);
  const read = (operation: LogsOperationName, input: Record<string, unknown>) => readOperation(service, operation, input);
  return {
    db,
    store,
    service,
    clock,
    async call(operation, input = {}) {
      return runOperation<Wire>(read(operation, input), ctx);
    },
    authorize: (operation, input = {}) => {
      const { op, typed } = read(operation, input);
      return op.authorize(typed, ctx);
    },
    dispose: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { rejectsWith } from '../../support/operations.js';

export function list(out: Wire, member: string): Wire[] {
  const value = out[member];
  assert.ok(Array.isArray(value), `${member} is not a list`);
  return value as Wire[];
}
