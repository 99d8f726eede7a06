/**
 * IAM (awsQuery, version 2010-05-08): roles with trust policies, users with access keys, groups,
 * inline and attached policies of all three, customer-managed policies with versions, a set of
 * AWS-managed policies, and OpenID Connect providers — what a keyless GitHub Actions → ECR → ECS
 * pipeline sets up, and the static-key users older workflows still deploy with.
 *
 * Fidelity
 * - Gaps: instance profiles, SAML providers, service-linked roles, login profiles (passwords),
 *   MFA devices, signing certificates, SSH keys, service-specific credentials, credential
 *   reports, and the Tag/Untag/List*Tags operations of policies and providers are not
 *   implemented (InvalidAction). Put/Delete{Role,User}PermissionsBoundary are missing: a boundary
 *   can only be set by CreateRole and CreateUser. Only the AWS-managed policies in
 *   aws-managed-policies.ts exist (ListPolicies Scope=AWS lists those five, not AWS's ~1,300).
 *   RoleLastUsed is always empty. Quotas are the defaults (10 managed policies per role, user or
 *   group, 2 access keys per user, 10 groups per user, 2048 characters of trust policy); AWS lets
 *   accounts raise some. The access-key operations without UserName act on the caller's user; for
 *   the admin key (the account's root) dockyard refuses instead of managing root keys.
   A role ARN in a policy's Principal (trust and repository policies) is matched by ARN; AWS
   binds it to the role's unique id when the policy is saved, so there a role deleted and
   created again matches only once the policy is saved again. Sessions are bound to the unique
   id as in AWS (auth/authorizer.ts), and so are access keys: deleting a user deletes its keys.
 * - By design: the PermissionsBoundary of a role is stored and evaluated: the authorizer reads
 *   it through IamStore.rolePermissionsBoundary. CreateOpenIDConnectProvider without a
 *   ThumbprintList stores none (AWS would fetch the issuer's certificate chain); STS trusts the
 *   issuers dockyard hosts by their keys, not by thumbprint. AttachmentCount counts this
 *   account's attachments only, also for AWS-managed policies. Deleting a policy that is some
 *   role's or user's permissions boundary is a DeleteConflict, like deleting an attached one.
 *   An access key's last use is recorded per request but written at most once a minute
 *   (AccessKeyStore); AWS also reports it with a delay. RemoveUserFromGroup for a user who is
 *   not a member answers NoSuchEntity in words AWS does not publish.
 * - Client quirks: policy documents in responses (AssumeRolePolicyDocument, GetRolePolicy's
 *   PolicyDocument, GetPolicyVersion's Document) are URL-encoded as IAM sends them; the AWS CLI
 *   decodes them, the SDK v3 does not. GetOpenIDConnectProvider's Url has no scheme. Role and
 *   policy names are unique case-insensitively; tag keys too.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listEntitiesForPolicy,
  listPolicies,
} from './operations/managed-policies.js';
import {
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeys,
  updateAccessKey,
} from './operations/access-keys.js';
import { attachPolicy, detachPolicy, listAttachedPolicies } from './operations/attachments.js';
import {
  addUserToGroup,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  listGroupsForUser,
  removeUserFromGroup,
  updateGroup,
} from './operations/groups.js';
import {
  deleteInlinePolicy,
  getInlinePolicy,
  listInlinePolicies,
  putInlinePolicy,
} from './operations/inline-policies.js';
import { createUser, deleteUser, getUser, listUsers, updateUser } from './operations/users.js';
import { GROUPS, ROLES, USERS } from './holders.js';
import {
  addClientIDToOpenIDConnectProvider,
  createOpenIDConnectProvider,
  deleteOpenIDConnectProvider,
  getOpenIDConnectProvider,
  listOpenIDConnectProviders,
  removeClientIDFromOpenIDConnectProvider,
  updateOpenIDConnectProviderThumbprint,
} from './operations/oidc-providers.js';
import {
  createPolicyVersion,
  deletePolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  setDefaultPolicyVersion,
} from './operations/policy-versions.js';
import { listEntityTags, tagEntity, TAGGED_ROLES, TAGGED_USERS, untagEntity } from './operations/tags.js';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  updateAssumeRolePolicy,
  updateRole,
  updateRoleDescription,
} from './operations/roles.js';
import type { IamStore } from './store.js';

export { IamStore } from './store.js';
/** The entity types IamStore hands to the rest of the cloud. */
export type {
  AccessKey,
  Group,
  InlinePolicy,
  ManagedPolicy,
  OidcProvider,
  PolicyVersion,
  Role,
  Tag,
  User,
} from './model.js';
export type { UserSigningKey } from './store.js';

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
  | 'SetDefaultPolicyVersion'
  | 'CreateUser'
  | 'GetUser'
  | 'ListUsers'
  | 'UpdateUser'
  | 'DeleteUser'
  | 'TagUser'
  | 'UntagUser'
  | 'ListUserTags'
  | 'PutUserPolicy'
  | 'GetUserPolicy'
  | 'ListUserPolicies'
  | 'DeleteUserPolicy'
  | 'AttachUserPolicy'
  | 'DetachUserPolicy'
  | 'ListAttachedUserPolicies'
  | 'CreateAccessKey'
  | 'ListAccessKeys'
  | 'UpdateAccessKey'
  | 'DeleteAccessKey'
  | 'GetAccessKeyLastUsed'
  | 'CreateGroup'
  | 'GetGroup'
  | 'ListGroups'
  | 'UpdateGroup'
  | 'DeleteGroup'
  | 'AddUserToGroup'
  | 'RemoveUserFromGroup'
  | 'ListGroupsForUser'
  | 'PutGroupPolicy'
  | 'GetGroupPolicy'
  | 'ListGroupPolicies'
  | 'DeleteGroupPolicy'
  | 'AttachGroupPolicy'
  | 'DetachGroupPolicy'
  | 'ListAttachedGroupPolicies';

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
    TagRole: tagEntity(store, TAGGED_ROLES),
    UntagRole: untagEntity(store, TAGGED_ROLES),
    ListRoleTags: listEntityTags(store, TAGGED_ROLES),
    PutRolePolicy: putInlinePolicy(store, ROLES),
    GetRolePolicy: getInlinePolicy(store, ROLES),
    ListRolePolicies: listInlinePolicies(store, ROLES),
    DeleteRolePolicy: deleteInlinePolicy(store, ROLES),
    AttachRolePolicy: attachPolicy(store, ROLES),
    DetachRolePolicy: detachPolicy(store, ROLES),
    ListAttachedRolePolicies: listAttachedPolicies(store, ROLES),
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
    CreateUser: createUser(store),
    GetUser: getUser(store),
    ListUsers: listUsers(store),
    UpdateUser: updateUser(store),
    DeleteUser: deleteUser(store),
    TagUser: tagEntity(store, TAGGED_USERS),
    UntagUser: untagEntity(store, TAGGED_USERS),
    ListUserTags: listEntityTags(store, TAGGED_USERS),
    PutUserPolicy: putInlinePolicy(store, USERS),
    GetUserPolicy: getInlinePolicy(store, USERS),
    ListUserPolicies: listInlinePolicies(store, USERS),
    DeleteUserPolicy: deleteInlinePolicy(store, USERS),
    AttachUserPolicy: attachPolicy(store, USERS),
    DetachUserPolicy: detachPolicy(store, USERS),
    ListAttachedUserPolicies: listAttachedPolicies(store, USERS),
    CreateAccessKey: createAccessKey(store),
    ListAccessKeys: listAccessKeys(store),
    UpdateAccessKey: updateAccessKey(store),
    DeleteAccessKey: deleteAccessKey(store),
    GetAccessKeyLastUsed: getAccessKeyLastUsed(store),
    CreateGroup: createGroup(store),
    GetGroup: getGroup(store),
    ListGroups: listGroups(store),
    UpdateGroup: updateGroup(store),
    DeleteGroup: deleteGroup(store),
    AddUserToGroup: addUserToGroup(store),
    RemoveUserFromGroup: removeUserFromGroup(store),
    ListGroupsForUser: listGroupsForUser(store),
    PutGroupPolicy: putInlinePolicy(store, GROUPS),
    GetGroupPolicy: getInlinePolicy(store, GROUPS),
    ListGroupPolicies: listInlinePolicies(store, GROUPS),
    DeleteGroupPolicy: deleteInlinePolicy(store, GROUPS),
    AttachGroupPolicy: attachPolicy(store, GROUPS),
    DetachGroupPolicy: detachPolicy(store, GROUPS),
    ListAttachedGroupPolicies: listAttachedPolicies(store, GROUPS),
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
