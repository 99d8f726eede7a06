/**
 * Calling a service's operations directly in handler-level tests, the way the protocol layer
 * does (read and validate the input, then authorize and run), as the account's root caller.
 */
import assert from 'node:assert/strict';
import type { Clock } from '../../src/core/clock.js';
import { isAwsError } from '../../src/core/errors.js';
import { InputReader } from '../../src/core/input-reader.js';
import type { AnyOperation, RequestContext, ServiceDefinition } from '../../src/core/operation.js';

/** A request context for the account's root caller. */
export function rootContext(accountId: string, region: string, clock: Clock): RequestContext {
  return {
    requestId: 'test-request',
    caller: { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
    clock,
    accountId,
    region,
    sourceIp: '127.0.0.1',
  };
}

/** Reads and validates `input` for one operation, as the protocol layer does before authorizing. */
export function readOperation(service: ServiceDefinition, operation: string, input: Record<string, unknown>): { op: AnyOperation; typed: unknown } {
  const op = service.operations[operation];
  assert.ok(op, `no operation ${operation}`);
  const reader = new InputReader(input, service.validationErrorCode);
  const typed: unknown = op.input(reader);
  reader.done();
  return { op, typed };
}

/** Asserts that `promise` rejects with the AWS error `code` (and `message`, `status` when given). */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: string | RegExp, status?: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAwsError(error), `expected an AwsError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    if (message instanceof RegExp) assert.match(error.message, message);
    if (status !== undefined) assert.equal(error.status, status);
    return true;
  });
}

/** Authorizes (as the protocol layer does before running) and runs an operation read by `readOperation`. */
export async function runOperation<T>(read: { op: AnyOperation; typed: unknown }, ctx: RequestContext): Promise<T> {
  read.op.authorize(read.typed, ctx);
  return (await read.op.run(read.typed, ctx)) as T;
}
