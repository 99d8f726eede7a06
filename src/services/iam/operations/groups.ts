/**
 * Groups and their members: CreateGroup, GetGroup (with its users, paged), ListGroups,
 * UpdateGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup and ListGroupsForUser. A user's
 * groups' policies apply to the user (IamStore.userPolicyDocuments).
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { groupArn } from '../arns.js';
import { authorization, renameAuthorizations } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { checkNoPolicies, GROUPS, USERS } from '../holders.js';
import {
  GROUP_NAME,
  PATH,
  USER_NAME,
  readPaging,
  readPathListing,
  type Paging,
  type PathListing,
} from '../input-rules.js';
import { requireGroup, requireUser } from '../lookups.js';
import type { User } from '../model.js';
import { groupOutput, userOutput, type GroupOutput, type UserOutput } from '../outputs.js';
import { compareKeys, pageByName, paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Groups a user may be in (the default quota). */
const GROUPS_PER_USER = 10;

/** CreateGroup. */
export function createGroup(store: IamStore): Operation<{ groupName: string; path: string }, { Group: GroupOutput }> {
  return {
    input: (r) => ({
      groupName: r.string('GroupName', { ...GROUP_NAME, required: true }),
      path: r.string('Path', PATH) ?? '/',
    }),
    authorize: (input, ctx) => [authorization('iam:CreateGroup', groupArn(ctx.accountId, input.path, input.groupName))],
    run: (input) => {
      if (store.groups.get(input.groupName)) throw iamErrors.groupExists(input.groupName);
      return { Group: groupOutput(store.groups.create(input.groupName, input.path)) };
    },
  };
}

interface GetGroupInput extends Paging {
  groupName: string;
}

/** GetGroup: the group and its users, in the order they were added; the users are paged. */
export function getGroup(
  store: IamStore,
): Operation<GetGroupInput, { Group: GroupOutput; Users: UserOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ groupName: r.string('GroupName', { ...GROUP_NAME, required: true }), ...readPaging(r) }),
    authorize: (input, ctx) => [authorization('iam:GetGroup', GROUPS.arnOf(store, ctx.accountId, input.groupName))],
    run: (input) => {
      const group = requireGroup(store, input.groupName);
      const users = store.groups.memberIdsOf(group).flatMap((id) => store.users.getById(id) ?? []);
      const page = paginate(users, input);
      return {
        Group: groupOutput(group),
        Users: page.items.map((user) => userOutput(user, 'list')),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

/** ListGroups: by name, filtered by PathPrefix; paged. */
export function listGroups(
  store: IamStore,
): Operation<PathListing, { Groups: GroupOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: readPathListing,
    // ListGroups has no resource type in the Service Authorization Reference.
    authorize: () => [authorization('iam:ListGroups', '*')],
    run: (input) => {
      const page = pageByName(store.groups.list(), input, (group) => group.groupName);
      return { Groups: page.items.map(groupOutput), IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}

interface UpdateGroupInput {
  groupName: string;
  newGroupName?: string;
  newPath?: string;
}

/** UpdateGroup: a new name and/or path, authorized on the old and the new ARN. */
export function updateGroup(store: IamStore): Operation<UpdateGroupInput, Record<string, never>> {
  return {
    input: (r) => ({
      groupName: r.string('GroupName', { ...GROUP_NAME, required: true }),
      newGroupName: r.string('NewGroupName', GROUP_NAME),
      newPath: r.string('NewPath', PATH),
    }),
    authorize: (input, ctx) => {
      const current = store.groups.get(input.groupName);
      const from = current?.arn ?? groupArn(ctx.accountId, '/', input.groupName);
      const to = groupArn(ctx.accountId, input.newPath ?? current?.path ?? '/', input.newGroupName ?? input.groupName);
      return renameAuthorizations('iam:UpdateGroup', from, to);
    },
    run: (input) => {
      const group = requireGroup(store, input.groupName);
      const renamed =
        input.newGroupName !== undefined && input.newGroupName.toLowerCase() !== group.groupName.toLowerCase();
      if (renamed && store.groups.get(input.newGroupName ?? '')) throw iamErrors.groupExists(input.newGroupName ?? '');
      store.groups.change(group, {
        ...(input.newGroupName !== undefined ? { groupName: input.newGroupName } : {}),
        ...(input.newPath !== undefined ? { path: input.newPath } : {}),
      });
      return {};
    },
  };
}

/** DeleteGroup: only once it has no members and no policies. */
export function deleteGroup(store: IamStore): Operation<{ groupName: string }, Record<string, never>> {
  return {
    input: (r) => ({ groupName: r.string('GroupName', { ...GROUP_NAME, required: true }) }),
    authorize: (input, ctx) => [authorization('iam:DeleteGroup', GROUPS.arnOf(store, ctx.accountId, input.groupName))],
    run: (input) => {
      const group = requireGroup(store, input.groupName);
      if (store.groups.memberIdsOf(group).length > 0) throw iamErrors.groupMembership();
      checkNoPolicies(store, GROUPS, { id: group.groupId, name: group.groupName, arn: group.arn });
      store.groups.delete(group);
      return {};
    },
  };
}

interface MembershipInput {
  groupName: string;
  userName: string;
}

const readMembership = (r: InputReader): MembershipInput => ({
  groupName: r.string('GroupName', { ...GROUP_NAME, required: true }),
  userName: r.string('UserName', { ...USER_NAME, required: true }),
});

/** AddUserToGroup: adding a member twice changes nothing; a user is in at most ten groups. Authorized on the group. */
export function addUserToGroup(store: IamStore): Operation<MembershipInput, Record<string, never>> {
  return {
    input: readMembership,
    authorize: (input, ctx) => [
      authorization('iam:AddUserToGroup', GROUPS.arnOf(store, ctx.accountId, input.groupName)),
    ],
    run: (input) => {
      const group = requireGroup(store, input.groupName);
      const user = requireUser(store, input.userName);
      const groups = store.groups.groupsOf(user.userId);
      if (groups.some((g) => g.groupId === group.groupId)) return {};
      if (groups.length >= GROUPS_PER_USER) throw iamErrors.tooManyGroups();
      store.groups.addMember(group, user.userId);
      return {};
    },
  };
}

/** RemoveUserFromGroup. Authorized on the group. */
export function removeUserFromGroup(store: IamStore): Operation<MembershipInput, Record<string, never>> {
  return {
    input: readMembership,
    authorize: (input, ctx) => [
      authorization('iam:RemoveUserFromGroup', GROUPS.arnOf(store, ctx.accountId, input.groupName)),
    ],
    run: (input) => {
      const group = requireGroup(store, input.groupName);
      const user: User = requireUser(store, input.userName);
      if (!store.groups.removeMember(group, user.userId))
        throw iamErrors.notGroupMember(user.userName, group.groupName);
      return {};
    },
  };
}

interface ListGroupsForUserInput extends Paging {
  userName: string;
}

/** ListGroupsForUser: by name; paged. Authorized on the user. */
export function listGroupsForUser(
  store: IamStore,
): Operation<ListGroupsForUserInput, { Groups: GroupOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ userName: r.string('UserName', { ...USER_NAME, required: true }), ...readPaging(r) }),
    authorize: (input, ctx) => [
      authorization('iam:ListGroupsForUser', USERS.arnOf(store, ctx.accountId, input.userName)),
    ],
    run: (input) => {
      const user = requireUser(store, input.userName);
      const groups = store.groups.groupsOf(user.userId).sort((a, b) => compareKeys(a.groupName, b.groupName));
      const page = paginate(groups, input, (group) => group.groupName);
      return { Groups: page.items.map(groupOutput), IsTruncated: page.isTruncated, Marker: page.marker };
    },
  };
}
