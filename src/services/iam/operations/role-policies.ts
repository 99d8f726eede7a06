/**
 * Inline role policies: PutRolePolicy, GetRolePolicy, ListRolePolicies and DeleteRolePolicy.
 * A role's inline policies share one quota of 10,240 characters, white space not counted.
 */
import type { InputReader } from '../../../protocols/input.js';
import type { Operation } from '../../operation.js';
import { authorization, existingRoleArn } from '../authorization.js';
import { encodeDocument, policySize, validatePolicyDocument } from '../documents.js';
import { iamErrors } from '../errors.js';
import { POLICY_DOCUMENT, POLICY_NAME, ROLE_NAME, readPaging, type Paging } from '../input-rules.js';
import { requireRole } from '../lookups.js';
import { compareKeys, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Aggregate size of a role's inline policies. */
const INLINE_QUOTA = 10240;

interface RolePolicyInput {
  roleName: string;
  policyName: string;
}

interface PutRolePolicyInput extends RolePolicyInput {
  policyDocument: string;
}

/** PutRolePolicy: creates or replaces; counts against the role's inline quota. */
export function putRolePolicy(store: IamStore): Operation<PutRolePolicyInput, Record<string, never>> {
  return {
    input: (r) => ({
      roleName: r.string('RoleName', { ...ROLE_NAME, required: true }),
      policyName: r.string('PolicyName', { ...POLICY_NAME, required: true }),
      policyDocument: r.string('PolicyDocument', { ...POLICY_DOCUMENT, required: true }),
    }),
    authorize: (input, ctx) => [authorization('iam:PutRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      validatePolicyDocument(input.policyDocument, 'inline');
      const others = store.roles
        .inlinePolicies(role)
        .filter((p) => p.policyName.toLowerCase() !== input.policyName.toLowerCase())
        .reduce((sum, p) => sum + policySize(p.document), 0);
      if (others + policySize(input.policyDocument) > INLINE_QUOTA) throw iamErrors.inlinePoliciesTooLarge(role.roleName);
      store.roles.putInlinePolicy(role, input.policyName, input.policyDocument);
      return {};
    },
  };
}

const readRolePolicy = (r: InputReader): RolePolicyInput => ({
  roleName: r.string('RoleName', { ...ROLE_NAME, required: true }),
  policyName: r.string('PolicyName', { ...POLICY_NAME, required: true }),
});

/** GetRolePolicy: the document URL-encoded. */
export function getRolePolicy(store: IamStore): Operation<RolePolicyInput, { RoleName: string; PolicyName: string; PolicyDocument: string }> {
  return {
    input: readRolePolicy,
    authorize: (input, ctx) => [authorization('iam:GetRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const policy = store.roles.inlinePolicy(role, input.policyName);
      if (!policy) throw iamErrors.noSuchRolePolicy(input.policyName);
      return { RoleName: role.roleName, PolicyName: policy.policyName, PolicyDocument: encodeDocument(policy.document) };
    },
  };
}

interface ListRolePoliciesInput extends Paging {
  roleName: string;
}

/** ListRolePolicies: names only; paged. */
export function listRolePolicies(store: IamStore): Operation<ListRolePoliciesInput, { PolicyNames: string[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ roleName: r.string('RoleName', { ...ROLE_NAME, required: true }), ...readPaging(r) }),
    authorize: (input, ctx) => [authorization('iam:ListRolePolicies', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const names = store.roles
        .inlinePolicies(role)
        .map((p) => p.policyName)
        .sort(compareKeys);
      const page = paginate(names, input, (name) => name);
      return { PolicyNames: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}

/** DeleteRolePolicy. */
export function deleteRolePolicy(store: IamStore): Operation<RolePolicyInput, Record<string, never>> {
  return {
    input: readRolePolicy,
    authorize: (input, ctx) => [authorization('iam:DeleteRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      if (!store.roles.deleteInlinePolicy(role, input.policyName)) throw iamErrors.noSuchRolePolicy(input.policyName);
      return {};
    },
  };
}
