/**
 * IAM's output shapes, with AWS's member names and in AWS's member order. Each operation
 * returns a different subset of a role's or policy's attributes (ListRoles omits Tags,
 * RoleLastUsed and PermissionsBoundary; ListPolicies omits Description and Tags), so the
 * shapes take the view they render. Policy documents leave URL-encoded (see encodeDocument).
 */
import { encodeDocument } from './documents.js';
import type { AccessKey, Group, ManagedPolicy, PolicyVersion, Role, Tag, User } from './model.js';

/** IAM's Tag shape. */
export interface TagOutput {
  Key: string;
  Value: string;
}

/** Tags as a list, or nothing when there are none (IAM leaves the member out). */
export function tagsOutput(tags: readonly Tag[]): TagOutput[] | undefined {
  return tags.length > 0 ? tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined;
}

/** IAM's Role shape. */
export interface RoleOutput {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: { PermissionsBoundaryType: 'Policy'; PermissionsBoundaryArn: string };
  Tags?: TagOutput[];
  /** Always empty: dockyard does not record role use. */
  RoleLastUsed?: Record<string, never>;
}

/** 'create': CreateRole's answer; 'get': GetRole, UpdateRoleDescription; 'list': ListRoles. */
export function roleOutput(role: Role, view: 'create' | 'get' | 'list'): RoleOutput {
  const out: RoleOutput = {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
  };
  if (role.description !== undefined) out.Description = role.description;
  if (view !== 'create') out.MaxSessionDuration = role.maxSessionDuration;
  if (view === 'list') return out;
  if (role.permissionsBoundary !== undefined) {
    out.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundary };
  }
  const tags = tagsOutput(role.tags);
  if (tags) out.Tags = tags;
  if (view === 'get') out.RoleLastUsed = {};
  return out;
}

/** IAM's User shape. */
export interface UserOutput {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  PermissionsBoundary?: { PermissionsBoundaryType: 'Policy'; PermissionsBoundaryArn: string };
  Tags?: TagOutput[];
}

/** 'get': CreateUser and GetUser (boundary and tags); 'list': ListUsers, GetGroup's members. */
export function userOutput(user: User, view: 'get' | 'list'): UserOutput {
  const out: UserOutput = {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
  };
  if (view === 'list') return out;
  if (user.permissionsBoundary !== undefined) {
    out.PermissionsBoundary = { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissionsBoundary };
  }
  const tags = tagsOutput(user.tags);
  if (tags) out.Tags = tags;
  return out;
}

/** IAM's Group shape. */
export interface GroupOutput {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: Date;
}

export function groupOutput(group: Group): GroupOutput {
  return {
    Path: group.path,
    GroupName: group.groupName,
    GroupId: group.groupId,
    Arn: group.arn,
    CreateDate: group.createDate,
  };
}

/** IAM's AccessKeyMetadata shape (ListAccessKeys); CreateAccessKey's AccessKey adds the secret. */
export interface AccessKeyOutput {
  UserName: string;
  AccessKeyId: string;
  Status: string;
  SecretAccessKey?: string;
  CreateDate: Date;
}

export function accessKeyOutput(key: AccessKey, userName: string, withSecret: boolean): AccessKeyOutput {
  const out: AccessKeyOutput = {
    UserName: userName,
    AccessKeyId: key.accessKeyId,
    Status: key.status,
    CreateDate: key.createDate,
  };
  return withSecret
    ? {
        UserName: userName,
        AccessKeyId: key.accessKeyId,
        Status: key.status,
        SecretAccessKey: key.secretAccessKey,
        CreateDate: key.createDate,
      }
    : out;
}

/** IAM's Policy shape. */
export interface PolicyOutput {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: Date;
  UpdateDate: Date;
  Tags?: TagOutput[];
}

/** How many roles, users and groups use a policy, as permissions policy and as permissions boundary. */
export interface PolicyUsage {
  attachments: number;
  boundaries: number;
}

/** 'create': CreatePolicy; 'get': GetPolicy (with Description and Tags); 'list': ListPolicies. */
export function policyOutput(policy: ManagedPolicy, usage: PolicyUsage, view: 'create' | 'get' | 'list'): PolicyOutput {
  const out: PolicyOutput = {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage.attachments,
    PermissionsBoundaryUsageCount: usage.boundaries,
    IsAttachable: true,
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
  };
  if (view === 'list') return out;
  if (view === 'get' && policy.description !== undefined) out.Description = policy.description;
  const tags = tagsOutput(policy.tags);
  if (tags) out.Tags = tags;
  return out;
}

/** IAM's PolicyVersion shape. */
export interface PolicyVersionOutput {
  Document?: string;
  VersionId: string;
  IsDefaultVersion: boolean;
  CreateDate: Date;
}

/** With the (URL-encoded) document for GetPolicyVersion; without it for Create/ListPolicyVersions. */
export function policyVersionOutput(version: PolicyVersion, withDocument: boolean): PolicyVersionOutput {
  const out: PolicyVersionOutput = {
    VersionId: version.versionId,
    IsDefaultVersion: version.isDefaultVersion,
    CreateDate: version.createDate,
  };
  return withDocument ? { Document: encodeDocument(version.document), ...out } : out;
}
