/**
 * The IAM actions and resources Parameter Store's operations are authorized against (Service
 * Authorization Reference, "Actions defined by AWS Systems Manager"): `ssm:<Op>` on the
 * parameter's ARN (arn:aws:ssm:R:A:parameter/NAME, without a doubled slash), with its tags as
 * aws:ResourceTag/… and ssm:resourceTag/…. GetParametersByPath is authorized on the path's
 * ARN alone: a caller allowed a path reads everything under it, as on AWS. GetParameters and
 * DeleteParameters need the action on every parameter they name. DescribeParameters has no
 * resource type.
 */
import { requestTagContext } from '../../core/operation.js';
import type { Authorization, RequestContext } from '../../core/operation.js';
import type { Tag } from './model.js';
import { parameterArn, parameterKey, parseReference } from './names.js';
import type { ParameterStore } from './store.js';

type Context = Record<string, string | string[]>;

/** Authorizes `action` on the parameter a name, ARN or selector names (which may not exist). */
export function onParameter(
  store: ParameterStore,
  ctx: RequestContext,
  action: string,
  reference: string,
  extra: Context = {},
): Authorization {
  const parsed = parseReference(reference, ctx);
  const name = parsed?.name ?? reference;
  const parameter = store.get(parsed?.key ?? parameterKey(name));
  const context: Context = { ...extra };
  for (const tag of parameter?.tags ?? []) {
    context[`aws:ResourceTag/${tag.key}`] = tag.value;
    context[`ssm:resourceTag/${tag.key}`] = tag.value;
  }
  const auth: Authorization = { action: `ssm:${action}`, resource: parameterArn(ctx, parameter?.name ?? name) };
  if (Object.keys(context).length > 0) auth.context = context;
  return auth;
}

/** PutParameter, and AddTagsToResource beside it when it tags the new parameter. */
export function onPut(
  store: ParameterStore,
  ctx: RequestContext,
  name: string,
  tags: readonly Tag[] | undefined,
): Authorization[] {
  const put = onParameter(store, ctx, 'PutParameter', name);
  if (!tags || tags.length === 0) return [put];
  return [put, { action: 'ssm:AddTagsToResource', resource: put.resource, context: requestTagContext(tags) }];
}

/** GetParametersByPath: the path's ARN (`/` is arn:…:parameter/). */
export function onPath(ctx: RequestContext, path: string): Authorization[] {
  return [{ action: 'ssm:GetParametersByPath', resource: parameterArn(ctx, path.replace(/\/$/, '') || '/') }];
}

export function onAccount(ctx: RequestContext, action: string): Authorization[] {
  return [{ action: `ssm:${action}`, resource: `arn:aws:ssm:${ctx.region}:${ctx.accountId}:*` }];
}

export { requestTagContext };
