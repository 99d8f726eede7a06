/**
 * A real Secrets Manager service over a real SQLite file in a temp directory, called as the
 * protocol layer calls it (read, validate, authorize, run) with JSON-shaped input. The caller
 * is the account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/cloud/clock.js';
import type { Authorization, ServiceDefinition } from '../../../src/services/operation.js';
import { createSecretsManagerService, SecretsStore, type SecretsManagerOperationName } from '../../../src/services/secretsmanager/index.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;

export type Wire = Record<string, unknown>;

export interface SecretsHarness {
  readonly db: Db;
  readonly store: SecretsStore;
  readonly service: ServiceDefinition;
  readonly clock: ManualClock;
  call(operation: SecretsManagerOperationName, input?: Record<string, unknown>): Promise<Wire>;
  authorize(operation: SecretsManagerOperationName, input?: Record<string, unknown>): Authorization[];
  dispose(): void;
}

export function createHarness(): SecretsHarness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-secrets-'));
  const db = openDatabase(join(dir, 'state.db'));
  const clock = new ManualClock(START);
  const store = new SecretsStore(db, { accountId: ACCOUNT, region: REGION });
  const service = createSecretsManagerService(store);
  const ctx = rootContext(ACCOUNT, REGION, clock);
  const read = (operation: SecretsManagerOperationName, input: Record<string, unknown>) => readOperation(service, operation, input);
  return {
    db,
    store,
    service,
    clock,
    call: async (operation, input = {}) => runOperation<Wire>(read(operation, input), ctx),
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

/** A ClientRequestToken/VersionId of AWS's form (32 to 64 characters). */
export function token(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
