/**
 * Asserting the AWS SDK v3's view of an error: the service's modelled exception class (so the
 * wire's __type reached the SDK as AWS's code), AWS's message and HTTP 400.
 */
import assert from 'node:assert/strict';

export function rejectsWithException(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  message: string | RegExp,
): Promise<void> {
  return assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof type, `${error.name}: ${error.message}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    const metadata = '$metadata' in error ? (error.$metadata as { httpStatusCode?: number }) : {};
    assert.equal(metadata.httpStatusCode, 400);
    return true;
  });
}
