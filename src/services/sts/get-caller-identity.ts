/**
 * GetCallerIdentity: who the signed caller is. AWS never authorizes this call.
 */
import type { Operation } from '../../core/operation.js';

export function getCallerIdentity(): Operation<Record<string, never>, unknown> {
  return {
    input: () => ({}),
    authorize: () => [],
    run(_input, ctx) {
      const caller = ctx.caller;
      if (caller.kind === 'anonymous') return {};
      return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
    },
  };
}
