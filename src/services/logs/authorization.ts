/**
 * The IAM actions and resources Logs' operations are authorized against (Service
 * Authorization Reference, "Actions defined by Amazon CloudWatch Logs"): group operations are
 * `logs:<Action>` on the log group's ARN, stream-level reads and writes (PutLogEvents,
 * GetLogEvents, DeleteLogStream, CreateLogStream) on the stream's ARN so that the usual
 * `log-group:NAME:*` grants cover them, and DescribeLogGroups on `log-group:*`.
 */
import type { Authorization, RequestContext } from '../../core/operation.js';
import { logGroupArn, logStreamArn } from './store.js';

export function onGroup(ctx: RequestContext, action: string, group: string): Authorization[] {
  return [{ action: `logs:${action}`, resource: logGroupArn(ctx.region, ctx.accountId, group) }];
}

export function onStream(ctx: RequestContext, action: string, group: string, stream: string): Authorization[] {
  return [{ action: `logs:${action}`, resource: logStreamArn(ctx.region, ctx.accountId, group, stream) }];
}
