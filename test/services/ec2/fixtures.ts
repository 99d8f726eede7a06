/**
 * EC2 under test (test/support/service-harness.ts: the real pipeline in process, over a real
 * SQLite file, as the account's root user, on a manual clock), called with form parameters as
 * the wire carries them; `xml` is the response body the wire carried.
 */
import assert from 'node:assert/strict';
import { createEc2Service, Ec2Store, type Ec2OperationName } from '../../../src/services/ec2/index.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A decoded wire value: what handlers return. */
export type Wire = Record<string, unknown>;

export interface Ec2Harness extends ServiceHarness<Ec2OperationName, { store: Ec2Store; service: ServiceDefinition }> {
  /** The XML the wire carried for `operation`'s output. */
  xml(operation: Ec2OperationName, form?: string): Promise<string>;
}

export function createHarness(): Ec2Harness {
  const h = createServiceHarness<Ec2OperationName, { store: Ec2Store; service: ServiceDefinition }>({
    name: 'dockyard-ec2-',
    accountId: ACCOUNT,
    region: REGION,
    start: new Date('2026-03-01T12:00:00.000Z'),
    open: (db) => {
      const store = new Ec2Store(db, { accountId: ACCOUNT, region: REGION });
      return { store, service: createEc2Service(store) };
    },
  });
  return Object.assign(h, {
    xml: async (operation: Ec2OperationName, form = '') => {
      await h.call(operation, form);
      return String(h.lastResponse?.body ?? '');
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

/** A list member of a wire output. */
export function list(out: Wire, member: string): Wire[] {
  const value = out[member];
  assert.ok(Array.isArray(value), `${member} is not a list`);
  return value as Wire[];
}
