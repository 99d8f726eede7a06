/**
 * Finding the entity an operation names, or throwing the error AWS answers with when it is
 * missing (each operation family words "not found" its own way).
 */
import type { AwsError } from '../../protocols/errors.js';
import { AWS_POLICY_ACCOUNT, parseOidcProviderArn, parsePolicyArn } from './arns.js';
import { iamErrors } from './errors.js';
import type { ManagedPolicy, OidcProvider, Role, Tag } from './model.js';
import type { IamStore } from './store.js';

/** The role with this name, or NoSuchEntity. */
export function requireRole(store: IamStore, roleName: string): Role {
  const role = store.getRole(roleName);
  if (!role) throw iamErrors.noSuchRole(roleName);
  return role;
}

/**
 * The managed policy an ARN names. A string that is not a policy ARN is InvalidInput; a policy
 * of another account, or none, is `missing(arn)`.
 */
export function requirePolicy(store: IamStore, arn: string, missing: (arn: string) => AwsError = iamErrors.noSuchPolicy): ManagedPolicy {
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
