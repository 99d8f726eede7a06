/**
 * The three kinds of IAM identity that hold policies (roles, users, groups) described once, so
 * that their inline-policy and attachment operations (Put/Get/List/DeleteRolePolicy,
 * AttachUserPolicy, ListAttachedGroupPolicies, …) are one implementation with AWS's names,
 * members, quotas and errors for each kind.
 */
import type { StringRules } from '../../core/input-reader.js';
import type { AwsError } from '../../core/errors.js';
import { groupArn, roleArn, userArn } from './arns.js';
import { iamErrors } from './errors.js';
import { GROUP_NAME, ROLE_NAME, USER_NAME } from './input-rules.js';
import type { PolicyLinks } from './policy-links.js';
import type { IamStore } from './store.js';

/** One role, user or group, as its policy operations see it. */
export interface Holder {
  id: string;
  name: string;
  arn: string;
}

export interface HolderKind {
  /** As in AWS's operation names: PutRolePolicy, AttachUserPolicy, ListGroupPolicies. */
  title: 'Role' | 'User' | 'Group';
  /** The input and output member that names one: RoleName, UserName, GroupName. */
  nameMember: 'RoleName' | 'UserName' | 'GroupName';
  nameRules: StringRules;
  /** The aggregate size of its inline policies, white space not counted. */
  inlineQuota: number;
  find(store: IamStore, name: string): Holder | undefined;
  links(store: IamStore): PolicyLinks;
  /** Its ARN, path included; for one that does not exist, the ARN it would have at the root path. */
  arnOf(store: IamStore, accountId: string, name: string): string;
  notFound(name: string): AwsError;
}

export const ROLES: HolderKind = {
  title: 'Role',
  nameMember: 'RoleName',
  nameRules: ROLE_NAME,
  inlineQuota: 10240,
  find: (store, name) => {
    const role = store.getRole(name);
    return role && { id: role.roleId, name: role.roleName, arn: role.arn };
  },
  links: (store) => store.roles.links,
  arnOf: (store, accountId, name) => store.getRole(name)?.arn ?? roleArn(accountId, '/', name),
  notFound: iamErrors.noSuchRole,
};

export const USERS: HolderKind = {
  title: 'User',
  nameMember: 'UserName',
  nameRules: USER_NAME,
  inlineQuota: 2048,
  find: (store, name) => {
    const user = store.users.get(name);
    return user && { id: user.userId, name: user.userName, arn: user.arn };
  },
  links: (store) => store.users.links,
  arnOf: (store, accountId, name) => store.users.get(name)?.arn ?? userArn(accountId, '/', name),
  notFound: iamErrors.noSuchUser,
};

export const GROUPS: HolderKind = {
  title: 'Group',
  nameMember: 'GroupName',
  nameRules: GROUP_NAME,
  inlineQuota: 5120,
  find: (store, name) => {
    const group = store.groups.get(name);
    return group && { id: group.groupId, name: group.groupName, arn: group.arn };
  },
  links: (store) => store.groups.links,
  arnOf: (store, accountId, name) => store.groups.get(name)?.arn ?? groupArn(accountId, '/', name),
  notFound: iamErrors.noSuchGroup,
};

/** The holder with this name, or its kind's NoSuchEntity. */
export function requireHolder(store: IamStore, kind: HolderKind, name: string): Holder {
  const holder = kind.find(store, name);
  if (!holder) throw kind.notFound(name);
  return holder;
}

/** DeleteRole, DeleteUser and DeleteGroup refuse while policies remain, attached ones first. */
export function checkNoPolicies(store: IamStore, kind: HolderKind, holder: Holder): void {
  const links = kind.links(store);
  if (links.attachedPolicyArns(holder.id).length > 0) throw iamErrors.hasAttachedPolicies();
  if (links.inlinePolicies(holder.id).length > 0) throw iamErrors.hasInlinePolicies();
}
