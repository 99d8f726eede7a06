/**
 * IAM (awsQuery, version 2010-05-08): roles with trust policies, inline and attached policies,
 * customer-managed policies with versions, a set of AWS-managed policies, and OpenID Connect
 * providers — what a keyless GitHub Actions → ECR → ECS pipeline sets up.
 *
 * Fidelity
 * - Gaps: users, groups, instance profiles, SAML providers, service-linked roles, access keys
 *   and the Tag/Untag/List*Tags operations of policies and providers are not implemented
 *   (InvalidAction). PutRolePermissionsBoundary and DeleteRolePermissionsBoundary are missing:
 *   a boundary can only be set by CreateRole. Only the AWS-managed policies in
 *   aws-managed-policies.ts exist (ListPolicies Scope=AWS lists those five, not AWS's ~1,300).
 *   RoleLastUsed is always empty. Quotas are the defaults (10 managed policies per role, 2048
 *   characters of trust policy); AWS lets accounts raise some.
   A role ARN in a policy's Principal (trust and repository policies) is matched by ARN; AWS
   binds it to the role's unique id when the policy is saved, so there a role deleted and
   created again matches only once the policy is saved again. Sessions are bound to the unique
   id as in AWS (auth/authorizer.ts).
 * - By design: the PermissionsBoundary of a role is stored and evaluated: the authorizer reads
 *   it through IamStore.rolePermissionsBoundary. CreateOpenIDConnectProvider without a
 *   ThumbprintList stores none (AWS would fetch the issuer's certificate chain); STS trusts the
 *   issuers dockyard hosts by their keys, not by thumbprint. AttachmentCount counts this
 *   account's attachments only, also for AWS-managed policies. Deleting a policy that is some
 *   role's permissions boundary is a DeleteConflict, like deleting an attached one.
 * - Client quirks: policy documents in responses (AssumeRolePolicyDocument, GetRolePolicy's
 *   PolicyDocument, GetPolicyVersion's Document) are URL-encoded as IAM sends them; the AWS CLI
 *   decodes them, the SDK v3 does not. GetOpenIDConnectProvider's Url has no scheme. Role and
 *   policy names are unique case-insensitively; tag keys too.
 */
import type { AnyOperation, ServiceDefinition } from '../operation.js';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listEntitiesForPolicy,
  listPolicies,
} from './operations/managed-policies.js';
import {
  addClientIDToOpenIDConnectProvider,
  createOpenIDConnectProvider,
  deleteOpenIDConnectProvider,
  getOpenIDConnectProvider,
  listOpenIDConnectProviders,
  removeClientIDFromOpenIDConnectProvider,
  updateOpenIDConnectProviderThumbprint,
} from './operations/oidc-providers.js';
import { createPolicyVersion, deletePolicyVersion, getPolicyVersion, listPolicyVersions, setDefaultPolicyVersion } from './operations/policy-versions.js';
import { attachRolePolicy, detachRolePolicy, listAttachedRolePolicies } from './operations/role-attachments.js';
import { deleteRolePolicy, getRolePolicy, listRolePolicies, putRolePolicy } from './operations/role-policies.js';
import { listRoleTags, tagRole, untagRole } from './operations/role-tags.js';
import { createRole, deleteRole, getRole, listRoles, updateAssumeRolePolicy, updateRole, updateRoleDescription } from './operations/roles.js';
import type { IamStore } from './store.js';

export { IamStore } from './store.js';
/** The entity types IamStore hands to the rest of the cloud. */
export type { InlinePolicy, ManagedPolicy, OidcProvider, PolicyVersion, Role, Tag } from './model.js';

/** Every IAM operation dockyard serves, by AWS's name. */
export type IamOperationName =
  | 'CreateOpenIDConnectProvider'
  | 'GetOpenIDConnectProvider'
  | 'ListOpenIDConnectProviders'
  | 'DeleteOpenIDConnectProvider'
  | 'AddClientIDToOpenIDConnectProvider'
  | 'RemoveClientIDFromOpenIDConnectProvider'
  | 'UpdateOpenIDConnectProviderThumbprint'
  | 'CreateRole'
  | 'GetRole'
  | 'ListRoles'
  | 'DeleteRole'
  | 'UpdateAssumeRolePolicy'
  | 'UpdateRole'
  | 'UpdateRoleDescription'
  | 'TagRole'
  | 'UntagRole'
  | 'ListRoleTags'
  | 'PutRolePolicy'
  | 'GetRolePolicy'
  | 'ListRolePolicies'
  | 'DeleteRolePolicy'
  | 'AttachRolePolicy'
  | 'DetachRolePolicy'
  | 'ListAttachedRolePolicies'
  | 'CreatePolicy'
  | 'GetPolicy'
  | 'ListPolicies'
  | 'DeletePolicy'
  | 'ListEntitiesForPolicy'
  | 'GetPolicyVersion'
  | 'CreatePolicyVersion'
  | 'ListPolicyVersions'
  | 'DeletePolicyVersion'
  | 'SetDefaultPolicyVersion';

/** The IAM service over `store`. */
export function createIamService(store: IamStore): ServiceDefinition {
  const operations: Record<IamOperationName, AnyOperation> = {
    CreateOpenIDConnectProvider: createOpenIDConnectProvider(store),
    GetOpenIDConnectProvider: getOpenIDConnectProvider(store),
    ListOpenIDConnectProviders: listOpenIDConnectProviders(store),
    DeleteOpenIDConnectProvider: deleteOpenIDConnectProvider(store),
    AddClientIDToOpenIDConnectProvider: addClientIDToOpenIDConnectProvider(store),
    RemoveClientIDFromOpenIDConnectProvider: removeClientIDFromOpenIDConnectProvider(store),
    UpdateOpenIDConnectProviderThumbprint: updateOpenIDConnectProviderThumbprint(store),
    CreateRole: createRole(store),
    GetRole: getRole(store),
    ListRoles: listRoles(store),
    DeleteRole: deleteRole(store),
    UpdateAssumeRolePolicy: updateAssumeRolePolicy(store),
    UpdateRole: updateRole(store),
    UpdateRoleDescription: updateRoleDescription(store),
    TagRole: tagRole(store),
    UntagRole: untagRole(store),
    ListRoleTags: listRoleTags(store),
    PutRolePolicy: putRolePolicy(store),
    GetRolePolicy: getRolePolicy(store),
    ListRolePolicies: listRolePolicies(store),
    DeleteRolePolicy: deleteRolePolicy(store),
    AttachRolePolicy: attachRolePolicy(store),
    DetachRolePolicy: detachRolePolicy(store),
    ListAttachedRolePolicies: listAttachedRolePolicies(store),
    CreatePolicy: createPolicy(store),
    GetPolicy: getPolicy(store),
    ListPolicies: listPolicies(store),
    DeletePolicy: deletePolicy(store),
    ListEntitiesForPolicy: listEntitiesForPolicy(store),
    GetPolicyVersion: getPolicyVersion(store),
    CreatePolicyVersion: createPolicyVersion(store),
    ListPolicyVersions: listPolicyVersions(store),
    DeletePolicyVersion: deletePolicyVersion(store),
    SetDefaultPolicyVersion: setDefaultPolicyVersion(store),
  };
  return {
    signingName: 'iam',
    title: 'IAM',
    protocol: 'awsQuery',
    version: '2010-05-08',
    xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/',
    validationErrorCode: 'ValidationError',
    operations,
  };
}
