/**
 * Managed policies on roles: AttachRolePolicy, DetachRolePolicy and ListAttachedRolePolicies.
 * Attach and detach are authorized on the role, with the policy in iam:PolicyARN.
 */
import type { InputReader } from '../../../protocols/input.js';
import type { Operation } from '../../operation.js';
import { authorization, existingRoleArn } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { ARN, PATH_PREFIX, ROLE_NAME, readPaging, type Paging } from '../input-rules.js';
import { requirePolicy, requireRole } from '../lookups.js';
import type { ManagedPolicy } from '../model.js';
import { compareKeys, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Managed policies per role (the default quota). */
const ATTACHED_QUOTA = 10;

interface RoleAttachmentInput {
  roleName: string;
  policyArn: string;
}

const readAttachment = (r: InputReader): RoleAttachmentInput => ({
  roleName: r.string('RoleName', { ...ROLE_NAME, required: true }),
  policyArn: r.string('PolicyArn', { ...ARN, required: true }),
});

/** AttachRolePolicy: attaching twice is a no-op; at most ten per role. */
export function attachRolePolicy(store: IamStore): Operation<RoleAttachmentInput, Record<string, never>> {
  return {
    input: readAttachment,
    authorize: (input, ctx) => [
      authorization('iam:AttachRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName), { 'iam:PolicyARN': input.policyArn }),
    ],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const policy = requirePolicy(store, input.policyArn, iamErrors.notAttachable);
      const attached = store.roles.attachedPolicyArns(role);
      if (attached.includes(policy.arn)) return {};
      if (attached.length >= ATTACHED_QUOTA) throw iamErrors.tooManyAttachedPolicies();
      store.roles.attachPolicy(role, policy.arn);
      return {};
    },
  };
}

/** DetachRolePolicy. */
export function detachRolePolicy(store: IamStore): Operation<RoleAttachmentInput, Record<string, never>> {
  return {
    input: readAttachment,
    authorize: (input, ctx) => [
      authorization('iam:DetachRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName), { 'iam:PolicyARN': input.policyArn }),
    ],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      if (!store.roles.detachPolicy(role, input.policyArn)) throw iamErrors.noSuchPolicy(input.policyArn);
      return {};
    },
  };
}

interface ListAttachedRolePoliciesInput extends Paging {
  roleName: string;
  pathPrefix: string;
}

interface AttachedPolicyOutput {
  PolicyName: string;
  PolicyArn: string;
}

/** ListAttachedRolePolicies: PathPrefix filters on the policies' paths; paged. */
export function listAttachedRolePolicies(
  store: IamStore,
): Operation<ListAttachedRolePoliciesInput, { AttachedPolicies: AttachedPolicyOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ roleName: r.string('RoleName', { ...ROLE_NAME, required: true }), pathPrefix: r.string('PathPrefix', PATH_PREFIX) ?? '/', ...readPaging(r) }),
    authorize: (input, ctx) => [authorization('iam:ListAttachedRolePolicies', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const policies = store.roles
        .attachedPolicyArns(role)
        .map((arn) => store.policies.get(arn))
        .filter((p): p is ManagedPolicy => p !== undefined && p.path.startsWith(input.pathPrefix))
        .sort((a, b) => compareKeys(a.arn, b.arn));
      const page = paginate(policies, input, (p) => p.arn);
      return {
        AttachedPolicies: page.items.map((p) => ({ PolicyName: p.policyName, PolicyArn: p.arn })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}
