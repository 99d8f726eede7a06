/**
 * The IAM actions and resources Secrets Manager's operations are authorized against (Service
 * Authorization Reference, "Actions defined by AWS Secrets Manager"): `secretsmanager:<Op>`
 * on the secret's full ARN, with the secret's resource policy evaluated beside the caller's
 * identity policies (an allow in either suffices, a deny in either refuses) and its tags as
 * aws:ResourceTag/… and secretsmanager:ResourceTag/…. A secret that does not exist is named
 * as the request named it, so a denial says nothing about whether it exists. ListSecrets and
 * GetRandomPassword have no resource type.
 */
import { requestTagContext } from '../../core/operation.js';
import type { Authorization, RequestContext } from '../../core/operation.js';
import { findSecret } from './lookups.js';
import type { Tag } from './model.js';
import type { SecretsStore } from './store.js';

type Context = Record<string, string | string[]>;

export { requestTagContext };

/** Authorizes `action` on the secret `secretId` names. */
export function onSecret(
  store: SecretsStore,
  ctx: RequestContext,
  action: string,
  secretId: string,
  extra: Context = {},
): Authorization[] {
  const secret = findSecret(store, secretId, ctx);
  const resource = secret?.arn ?? secretId;
  const context: Context = { 'secretsmanager:SecretId': resource, ...resourceTagContext(secret?.tags ?? []), ...extra };
  const auth: Authorization = { action: `secretsmanager:${action}`, resource, context };
  if (secret?.policy !== undefined) auth.resourcePolicy = secret.policy;
  return [auth];
}

/** Authorizes `action` on a secret about to be created under `arn`. */
export function onNewSecret(
  action: string,
  arn: string,
  name: string,
  tags: readonly Tag[] | undefined,
): Authorization[] {
  const create: Authorization = {
    action: `secretsmanager:${action}`,
    resource: arn,
    context: { 'secretsmanager:Name': name, ...requestTagContext(tags) },
  };
  // Tags on create need TagResource too (CreateSecret's "Required permissions").
  if (!tags || tags.length === 0) return [create];
  return [create, { action: 'secretsmanager:TagResource', resource: arn, context: requestTagContext(tags) }];
}

/** Actions with no resource type. */
export function onAccount(action: string): Authorization[] {
  return [{ action: `secretsmanager:${action}`, resource: '*', unnamedResource: true }];
}

function resourceTagContext(tags: readonly Tag[]): Context {
  const context: Context = {};
  for (const tag of tags) {
    context[`aws:ResourceTag/${tag.key}`] = tag.value;
    context[`secretsmanager:ResourceTag/${tag.key}`] = tag.value;
  }
  return context;
}
