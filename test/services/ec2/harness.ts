/**
 * A real EC2 service over a real SQLite file in a temp directory, called as the protocol
 * layer calls it: the request's form parameters are decoded by the ec2Query decoder, read,
 * authorized and run; `xml` renders a result the way the wire does. The caller is the
 * account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.js';
import { ec2Result } from '../../../src/protocols/ec2-query.js';
import { nestParams, parseForm } from '../../../src/protocols/query-params.js';
import { createEc2Service, EC2_XMLNS, Ec2Store, type Ec2OperationName } from '../../../src/services/ec2/index.js';
import type { Authorization, RequestContext, ServiceDefinition } from '../../../src/core/operation.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A decoded wire value: what handlers return. */
export type Wire = Record<string, unknown>;

export interface Ec2Harness {
  readonly dir: string;
  readonly db: Db;
  readonly store: Ec2Store;
  readonly service: ServiceDefinition;
  readonly ctx: RequestContext;
  /** Calls an operation with form parameters, e.g. 'Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1'. */
  call(operation: Ec2OperationName, form?: string): Promise<Wire>;
  authorize(operation: Ec2OperationName, form?: string): Authorization[];
  /** The XML the wire would carry for `operation`'s output. */
  xml(operation: Ec2OperationName, form?: string): Promise<string>;
  /** Reopens the store on the same database file (a restart). */
  reopen(): Ec2Store;
  dispose(): void;
}

export function createHarness(): Ec2Harness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-ec2-'));
  const db = openDatabase(join(dir, 'state.db'));
  const store = new Ec2Store(db, { accountId: ACCOUNT, region: REGION });
  const service = createEc2Service(store);
  const ctx = rootContext(ACCOUNT, REGION, new ManualClock(new Date('2026-03-01T12:00:00.000Z')));
  const read = (operation: Ec2OperationName, form: string) => readOperation(service, operation, nestParams(parseForm(form)));
  const call = async (operation: Ec2OperationName, form = ''): Promise<Wire> => {
    return runOperation<Wire>(read(operation, form), ctx);
  };
  return {
    dir,
    db,
    store,
    service,
    ctx,
    call,
    authorize: (operation, form = '') => {
      const { op, typed } = read(operation, form);
      return op.authorize(typed, ctx);
    },
    xml: async (operation, form = '') => {
      const out = await call(operation, form);
      const response = ec2Result(EC2_XMLNS, operation, out, 'req-1');
      return String(response.body);
    },
    reopen: () => new Ec2Store(db, { accountId: ACCOUNT, region: REGION }),
    dispose: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { rejectsWith } from '../../support/operations.js';

/** A list member of a wire output. */
export function list(out: Wire, member: string): Wire[] {
  const value = out[member];
  assert.ok(Array.isArray(value), `${member} is not a list`);
  return value as Wire[];
}
