/**
 * Operations whose IAM authorization is known but whose handler is not built yet. The call
 * is authenticated and authorized exactly like a finished one (so a role's permissions are
 * checked with the real action and resource), then refused loudly, never faked.
 */
import { AwsError } from '../core/errors.js';
import type { InputReader } from '../core/input-reader.js';
import type { Authorization, Operation, RequestContext } from '../core/operation.js';

export function pendingOperation(
  serviceTitle: string,
  operation: string,
  authorize: (reader: InputReader, ctx: RequestContext) => Authorization[],
): Operation<InputReader, never> {
  return {
    input: (reader) => reader,
    authorize: (reader, ctx) => authorize(reader, ctx),
    run() {
      throw new AwsError('UnknownOperationException', `dockyard's ${serviceTitle} does not implement ${operation} yet`);
    },
  };
}
