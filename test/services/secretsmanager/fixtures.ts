/**
 * Secrets Manager under test (test/support/service-harness.ts: the real pipeline in process,
 * over a real SQLite file, as the account's root user, on a manual clock) and its fixtures.
 */
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import {
  createSecretsManagerService,
  SecretsStore,
  type SecretsManagerOperationName,
} from '../../../src/services/secretsmanager/index.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;

export type Wire = Record<string, unknown>;

export type SecretsHarness = ServiceHarness<
  SecretsManagerOperationName,
  { store: SecretsStore; service: ServiceDefinition }
>;

export function createHarness(): SecretsHarness {
  return createServiceHarness({
    name: 'dockyard-secrets-',
    accountId: ACCOUNT,
    region: REGION,
    start: new Date(START),
    open: (db) => {
      const store = new SecretsStore(db, { accountId: ACCOUNT, region: REGION });
      return { store, service: createSecretsManagerService(store) };
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

/** A ClientRequestToken/VersionId of AWS's form (32 to 64 characters). */
export function token(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
