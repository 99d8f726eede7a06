/**
 * Finding the entity an operation names, or throwing the error AWS answers with when it is
 * missing (each operation family words "not found" its own way).
 */
import type { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../../core/operation.js';
import { AWS_POLICY_ACCOUNT, parseOidcProviderArn, parsePolicyArn } from './arns.js';
import { iamErrors } from './errors.js';
import type { Group, ManagedPolicy, OidcProvider, Role, Tag, User } from './model.js';
import type { IamStore } from './store.js';

/** The role with this name, or NoSuchEntity. */
export function requireRole(store: IamStore, roleName: string): Role {
  const role = store.getRole(roleName);
  if (!role) throw iamErrors.noSuchRole(roleName);
  return role;
}

/** The user with this name, or NoSuchEntity. */
export function requireUser(store: IamStore, userName: string): User {
  const user = store.users.get(userName);
  if (!user) throw iamErrors.noSuchUser(userName);
  return user;
}

/** The group with this name, or NoSuchEntity. */
export function requireGroup(store: IamStore, groupName: string): Group {
  const group = store.groups.get(groupName);
  if (!group) throw iamErrors.noSuchGroup(groupName);
  return group;
}

/**
 * The user an operation whose UserName is optional acts on: the one named, else the caller,
 * "determined implicitly based on the AWS access key ID used to sign the request". A role
 * session has no user (AWS's ValidationError); the admin key is the account's root, whose
 * keys dockyard does not manage through IAM.
 */
export function targetUserName(ctx: RequestContext, given: string | undefined): string {
  if (given !== undefined) return given;
  const caller = ctx.caller;
  if (caller.kind === 'user') return caller.userName;
  if (caller.kind === 'root') throw iamErrors.rootKeysNotManaged();
  throw iamErrors.userNameRequired();
}

/**
 * The managed policy an ARN names. A string that is not a policy ARN is InvalidInput; a policy
 * of another account, or none, is `missing(arn)`.
 */
export function requirePolicy(
  store: IamStore,
  arn: string,
  missing: (arn: string) => AwsError = iamErrors.noSuchPolicy,
): ManagedPolicy {
  const parts = parsePolicyArn(arn);
  if (!parts) throw iamErrors.invalidArn(arn);
  if (parts.accountId !== store.accountId && parts.accountId !== AWS_POLICY_ACCOUNT) throw missing(arn);
  const policy = store.policies.get(arn);
  if (!policy) throw missing(arn);
  return policy;
}

/** A policy the account may change: its own, not AWS's. */
export function requireOwnPolicy(store: IamStore, arn: string): ManagedPolicy {
  const policy = requirePolicy(store, arn);
  if (policy.awsManaged) throw iamErrors.outsideAccount();
  return policy;
}

/** The provider an ARN names: InvalidInput for a malformed ARN, NoSuchEntity for none. */
export function requireOidcProvider(store: IamStore, arn: string): OidcProvider {
  if (!parseOidcProviderArn(arn)) throw iamErrors.invalidArn(arn);
  const provider = store.oidcProviders.get(arn);
  if (!provider) throw iamErrors.noSuchOidcProvider(arn);
  return provider;
}

/** Refuses a request whose tags repeat a key (IAM compares tag keys case-insensitively). */
export function checkDistinctTagKeys(tags: readonly Tag[] | undefined): void {
  if (!tags) return;
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.key.toLowerCase();
    if (seen.has(key)) throw iamErrors.duplicateTagKeys();
    seen.add(key);
  }
}
