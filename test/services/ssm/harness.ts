/**
 * A real Parameter Store service over a real SQLite file in a temp directory, called as the
 * protocol layer calls it (read, validate, authorize, run) with JSON-shaped input. The caller
 * is the account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/cloud/clock.js';
import type { Authorization, ServiceDefinition } from '../../../src/services/operation.js';
import { createSsmService, ParameterStore, type SsmOperationName } from '../../../src/services/ssm/index.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');

export type Wire = Record<string, unknown>;

export interface SsmHarness {
  readonly db: Db;
  readonly store: ParameterStore;
  readonly service: ServiceDefinition;
  readonly clock: ManualClock;
  call(operation: SsmOperationName, input?: Record<string, unknown>): Promise<Wire>;
  authorize(operation: SsmOperationName, input?: Record<string, unknown>): Authorization[];
  /** PutParameter with Type String (or as `extra` says). */
  put(name: string, value: string, extra?: Record<string, unknown>): Promise<Wire>;
  dispose(): void;
}

export function createHarness(): SsmHarness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-ssm-'));
  const db = openDatabase(join(dir, 'state.db'));
  const clock = new ManualClock(START);
  const store = new ParameterStore(db, { accountId: ACCOUNT, region: REGION });
  const service = createSsmService(store);
  const ctx = rootContext(ACCOUNT, REGION, clock);
  const read = (operation: SsmOperationName, input: Record<string, unknown>) => readOperation(service, operation, input);
  const call = async (operation: SsmOperationName, input: Record<string, unknown> = {}) => runOperation<Wire>(read(operation, input), ctx);
  return {
    db,
    store,
    service,
    clock,
    call,
    authorize: (operation, input = {}) => {
      const { op, typed } = read(operation, input);
      return op.authorize(typed, ctx);
    },
    put: (name, value, extra = {}) => call('PutParameter', { Name: name, Value: value, Type: 'String', ...extra }),
    dispose: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { rejectsWith } from '../../support/operations.js';
