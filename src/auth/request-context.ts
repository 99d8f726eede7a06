/**
 * The global condition keys AWS puts in every request's context (aws:CurrentTime,
 * aws:PrincipalArn, aws:SourceIp, …), built from the caller and the request.
 * Service-specific keys (aws:RequestTag/…, iam:PolicyARN, …) come from each operation.
 */
import type { ConditionContext } from '../policy/index.js';
import type { RequestContext } from '../core/operation.js';

export function globalConditionKeys(ctx: RequestContext): ConditionContext {
  const now = ctx.clock.now();
  const keys: ConditionContext = {
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SourceIp': ctx.sourceIp,
    // dockyard serves plain HTTP on the local machine.
    'aws:SecureTransport': 'false',
    'aws:RequestedRegion': ctx.region,
  };
  const caller = ctx.caller;
  if (caller.kind === 'root') {
    keys['aws:PrincipalArn'] = caller.arn;
    keys['aws:PrincipalAccount'] = caller.accountId;
    keys['aws:PrincipalType'] = 'Account';
    keys['aws:userid'] = caller.accountId;
  } else if (caller.kind === 'user') {
    keys['aws:PrincipalArn'] = caller.arn;
    keys['aws:PrincipalAccount'] = caller.accountId;
    keys['aws:PrincipalType'] = 'User';
    keys['aws:userid'] = caller.userId;
    // ${aws:username} in policies ("arn:aws:iam::*:user/${aws:username}") is the friendly name.
    keys['aws:username'] = caller.userName;
    for (const [tag, value] of Object.entries(caller.tags)) keys[`aws:PrincipalTag/${tag}`] = value;
  } else if (caller.kind === 'assumed-role') {
    // For a role session, aws:PrincipalArn is the role's ARN, not the session's.
    keys['aws:PrincipalArn'] = caller.roleArn;
    keys['aws:PrincipalAccount'] = caller.accountId;
    keys['aws:PrincipalType'] = 'AssumedRole';
    keys['aws:userid'] = caller.userId;
    for (const [tag, value] of Object.entries(caller.tags)) keys[`aws:PrincipalTag/${tag}`] = value;
    if (caller.webIdentity) keys['aws:FederatedProvider'] = caller.webIdentity.provider;
  }
  return keys;
}
