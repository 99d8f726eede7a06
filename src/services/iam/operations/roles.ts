/**
 * Role operations: CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy,
 * UpdateRole and UpdateRoleDescription.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { roleArn } from '../arns.js';
import { authorization, existingRoleArn, requestTagContext, withTagging } from '../authorization.js';
import { checkTrustPrincipalsExist, policySize, validatePolicyDocument } from '../documents.js';
import { iamErrors } from '../errors.js';
import { checkNoPolicies, ROLES } from '../holders.js';
import {
  ARN,
  MAX_SESSION_DURATION,
  PATH,
  POLICY_DOCUMENT,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  readPathListing,
  readTags,
  type PathListing,
} from '../input-rules.js';
import { checkDistinctTagKeys, requirePolicy, requireRole } from '../lookups.js';
import type { Tag } from '../model.js';
import { roleOutput, type RoleOutput } from '../outputs.js';
import { pageByName } from '../pagination.js';
import type { IamStore } from '../store.js';

/** A role's trust policy may hold 2048 characters, white space not counted (ACLSizePerRole). */
const TRUST_POLICY_QUOTA = 2048;

/** Checks a trust policy as CreateRole and UpdateAssumeRolePolicy do. */
function checkTrustPolicy(store: IamStore, document: string): void {
  const parsed = validatePolicyDocument(document, 'trust');
  checkTrustPrincipalsExist(parsed, store.accountId, {
    roleExists: (arn) => store.getRoleByArn(arn) !== undefined,
    userExists: (arn) => store.getUserByArn(arn) !== undefined,
    oidcProviderExists: (arn) => store.oidcProviders.get(arn) !== undefined,
  });
  if (policySize(document) > TRUST_POLICY_QUOTA) throw iamErrors.trustPolicyTooLarge();
}

interface CreateRoleInput {
  roleName: string;
  path: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags?: Tag[];
}

/** CreateRole: validates the trust policy, its principals and size, and the boundary. */
export function createRole(store: IamStore): Operation<CreateRoleInput, { Role: RoleOutput }> {
  return {
    input: (r: InputReader) => ({
      roleName: r.string('RoleName', { ...ROLE_NAME, required: true }),
      path: r.string('Path', PATH) ?? '/',
      assumeRolePolicyDocument: r.string('AssumeRolePolicyDocument', { ...POLICY_DOCUMENT, required: true }),
      description: r.string('Description', ROLE_DESCRIPTION),
      maxSessionDuration: r.integer('MaxSessionDuration', MAX_SESSION_DURATION) ?? 3600,
      permissionsBoundary: r.string('PermissionsBoundary', ARN),
      tags: readTags(r),
    }),
    authorize: (input, ctx) => {
      const context = requestTagContext(input.tags);
      if (input.permissionsBoundary !== undefined) context['iam:PermissionsBoundary'] = input.permissionsBoundary;
      const primary = authorization('iam:CreateRole', roleArn(ctx.accountId, input.path, input.roleName), context);
      return withTagging(primary, 'iam:TagRole', input.tags);
    },
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      checkTrustPolicy(store, input.assumeRolePolicyDocument);
      if (input.permissionsBoundary !== undefined) requireBoundary(store, input.permissionsBoundary);
      if (store.getRole(input.roleName)) throw iamErrors.roleExists(input.roleName);
      const role = store.roles.create({
        roleName: input.roleName,
        path: input.path,
        assumeRolePolicyDocument: input.assumeRolePolicyDocument,
        maxSessionDuration: input.maxSessionDuration,
        description: input.description,
        permissionsBoundary: input.permissionsBoundary,
        tags: input.tags ?? [],
      });
      return { Role: roleOutput(role, 'create') };
    },
  };
}

/** A permissions boundary must be an existing managed policy (AWS words this one "Scope ARN"). */
function requireBoundary(store: IamStore, arn: string): void {
  requirePolicy(store, arn, (missing) => iamErrors.noSuchBoundary(missing));
}

interface RoleNameInput {
  roleName: string;
}

const readRoleName = (r: InputReader): RoleNameInput => ({
  roleName: r.string('RoleName', { ...ROLE_NAME, required: true }),
});

/** GetRole. */
export function getRole(store: IamStore): Operation<RoleNameInput, { Role: RoleOutput }> {
  return {
    input: readRoleName,
    authorize: (input, ctx) => [authorization('iam:GetRole', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => ({ Role: roleOutput(requireRole(store, input.roleName), 'get') }),
  };
}

/** ListRoles: by name, filtered by PathPrefix; paged. */
export function listRoles(
  store: IamStore,
): Operation<PathListing, { Roles: RoleOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: readPathListing,
    // ListRoles has no resource type in the Service Authorization Reference.
    authorize: () => [authorization('iam:ListRoles', '*')],
    run: (input) => {
      const page = pageByName(store.roles.list(), input, (role) => role.roleName);
      return {
        Roles: page.items.map((role) => roleOutput(role, 'list')),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

/** DeleteRole: only once its managed and inline policies are gone. */
export function deleteRole(store: IamStore): Operation<RoleNameInput, Record<string, never>> {
  return {
    input: readRoleName,
    authorize: (input, ctx) => [authorization('iam:DeleteRole', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      checkNoPolicies(store, ROLES, { id: role.roleId, name: role.roleName, arn: role.arn });
      store.roles.delete(role);
      return {};
    },
  };
}

interface UpdateAssumeRolePolicyInput extends RoleNameInput {
  policyDocument: string;
}

/** UpdateAssumeRolePolicy: the trust policy is checked as CreateRole checks it. */
export function updateAssumeRolePolicy(store: IamStore): Operation<UpdateAssumeRolePolicyInput, Record<string, never>> {
  return {
    input: (r) => ({
      ...readRoleName(r),
      policyDocument: r.string('PolicyDocument', { ...POLICY_DOCUMENT, required: true }),
    }),
    authorize: (input, ctx) => [
      authorization('iam:UpdateAssumeRolePolicy', existingRoleArn(store, ctx.accountId, input.roleName)),
    ],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      checkTrustPolicy(store, input.policyDocument);
      store.roles.change(role, { assumeRolePolicyDocument: input.policyDocument });
      return {};
    },
  };
}

interface UpdateRoleInput extends RoleNameInput {
  description?: string;
  maxSessionDuration?: number;
}

/** UpdateRole: Description and MaxSessionDuration; absent members stay. */
export function updateRole(store: IamStore): Operation<UpdateRoleInput, Record<string, never>> {
  return {
    input: (r) => ({
      ...readRoleName(r),
      description: r.string('Description', ROLE_DESCRIPTION),
      maxSessionDuration: r.integer('MaxSessionDuration', MAX_SESSION_DURATION),
    }),
    authorize: (input, ctx) => [authorization('iam:UpdateRole', existingRoleArn(store, ctx.accountId, input.roleName))],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      const changes: { description?: string; maxSessionDuration?: number } = {};
      if (input.description !== undefined) changes.description = input.description;
      if (input.maxSessionDuration !== undefined) changes.maxSessionDuration = input.maxSessionDuration;
      store.roles.change(role, changes);
      return {};
    },
  };
}

interface UpdateRoleDescriptionInput extends RoleNameInput {
  description: string;
}

/** UpdateRoleDescription: answers with the updated role. */
export function updateRoleDescription(store: IamStore): Operation<UpdateRoleDescriptionInput, { Role: RoleOutput }> {
  return {
    input: (r) => ({
      ...readRoleName(r),
      description: r.string('Description', { ...ROLE_DESCRIPTION, required: true }),
    }),
    authorize: (input, ctx) => [
      authorization('iam:UpdateRoleDescription', existingRoleArn(store, ctx.accountId, input.roleName)),
    ],
    run: (input) => {
      const role = requireRole(store, input.roleName);
      return { Role: roleOutput(store.roles.change(role, { description: input.description }), 'get') };
    },
  };
}
