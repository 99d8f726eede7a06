/**
 * A real CloudWatch Logs service over a real SQLite file in a temp directory, called as the
 * protocol layer calls it (read, validate, authorize, run) with JSON-shaped input. The caller
 * is the account's root user; the clock is manual.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/cloud/clock.js';
import { isAwsError } from '../../../src/protocols/errors.js';
import { InputReader } from '../../../src/protocols/input.js';
import { createLogsService, LogsStore, type LogsOperationName } from '../../../src/services/logs/index.js';
import type { Authorization, RequestContext, ServiceDefinition } from '../../../src/services/operation.js';
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
  const ctx: RequestContext = {
    requestId: 'test-request',
    caller: { kind: 'root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
    clock,
    accountId: ACCOUNT,
    region: REGION,
    sourceIp: '127.0.0.1',
  };
  const read = (operation: LogsOperationName, input: Record<string, unknown>) => {
    const op = service.operations[operation];
    assert.ok(op, `no operation ${operation}`);
    const reader = new InputReader(input, service.validationErrorCode);
    const typed: unknown = op.input(reader);
    reader.done();
    return { op, typed };
  };
  return {
    db,
    store,
    service,
    clock,
    async call(operation, input = {}) {
      const { op, typed } = read(operation, input);
      op.authorize(typed, ctx);
      return (await op.run(typed, ctx)) as Wire;
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

export async function rejectsWith(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAwsError(error), `expected an AwsError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    if (message instanceof RegExp) assert.match(error.message, message);
    return true;
  });
}

export function list(out: Wire, member: string): Wire[] {
  const value = out[member];
  assert.ok(Array.isArray(value), `${member} is not a list`);
  return value as Wire[];
}
