/**
 * The IAM actions and resources IAM's operations are authorized against (Service
 * Authorization Reference, "Actions defined by IAM"). Role operations name the role's ARN
 * with its path, policy operations the policy's ARN, provider operations the provider's ARN.
 * ListRoles, ListPolicies and ListOpenIDConnectProviders have no resource type: `*`.
 * Tagging on create needs the Tag* action too, with the request's tags as condition keys.
 */
import { authorization, requestTagContext, type Authorization } from '../../core/operation.js';
import { roleArn } from './arns.js';
import type { Tag } from './model.js';
import type { IamStore } from './store.js';

export { authorization, requestTagContext };

/**
 * The ARN of an existing role, path included; for a role that does not exist (the operation
 * will answer NoSuchEntity) the ARN it would have at the root path.
 */
export function existingRoleArn(store: IamStore, accountId: string, roleName: string): string {
  return store.getRole(roleName)?.arn ?? roleArn(accountId, '/', roleName);
}

/**
 * UpdateUser and UpdateGroup: "the requester must have appropriate permissions on both the
 * source object and the target object" when the name or path changes.
 */
export function renameAuthorizations(action: string, from: string, to: string): Authorization[] {
  return from === to ? [authorization(action, from)] : [authorization(action, from), authorization(action, to)];
}

/** Create operations that take Tags also need the matching Tag* action. */
export function withTagging(
  primary: Authorization,
  tagAction: string,
  tags: readonly Tag[] | undefined,
): Authorization[] {
  if (!tags || tags.length === 0) return [primary];
  return [primary, authorization(tagAction, primary.resource, requestTagContext(tags))];
}
