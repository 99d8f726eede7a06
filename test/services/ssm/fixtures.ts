/**
 * Parameter Store under test (test/support/service-harness.ts: the real pipeline in process,
 * over a real SQLite file, as the account's root user, on a manual clock) and its fixtures.
 */
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import { createSsmService, ParameterStore, type SsmOperationName } from '../../../src/services/ssm/index.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const START = Date.parse('2026-03-01T12:00:00.000Z');

export type Wire = Record<string, unknown>;

export interface SsmHarness extends ServiceHarness<
  SsmOperationName,
  { store: ParameterStore; service: ServiceDefinition }
> {
  /** PutParameter with Type String (or as `extra` says). */
  put(name: string, value: string, extra?: Record<string, unknown>): Promise<Wire>;
}

export function createHarness(): SsmHarness {
  const h = createServiceHarness<SsmOperationName, { store: ParameterStore; service: ServiceDefinition }>({
    name: 'dockyard-ssm-',
    accountId: ACCOUNT,
    region: REGION,
    start: new Date(START),
    open: (db) => {
      const store = new ParameterStore(db, { accountId: ACCOUNT, region: REGION });
      return { store, service: createSsmService(store) };
    },
  });
  return Object.assign(h, {
    put: (name: string, value: string, extra: Record<string, unknown> = {}) =>
      h.call<Wire>('PutParameter', { Name: name, Value: value, Type: 'String', ...extra }),
  });
}

export { rejectsWith } from '../../support/service-harness.js';
