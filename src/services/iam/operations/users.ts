/**
 * User operations: CreateUser, GetUser, ListUsers, UpdateUser and DeleteUser. GetUser without
 * a UserName answers about the caller, as AWS does: the user whose key signed the request, or
 * the root user for the admin key.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation, RequestContext } from '../../../core/operation.js';
import { userArn } from '../arns.js';
import { authorization, renameAuthorizations, requestTagContext, withTagging } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { checkNoPolicies, USERS } from '../holders.js';
import { ARN, PATH, USER_NAME, readPathListing, readTags, type PathListing } from '../input-rules.js';
import { checkDistinctTagKeys, requirePolicy, requireUser } from '../lookups.js';
import type { Tag } from '../model.js';
import { userOutput, type UserOutput } from '../outputs.js';
import { pageByName } from '../pagination.js';
import type { IamStore } from '../store.js';

interface CreateUserInput {
  userName: string;
  path: string;
  permissionsBoundary?: string;
  tags?: Tag[];
}

/** CreateUser: names are unique case-insensitively; a boundary must be an existing managed policy. */
export function createUser(store: IamStore): Operation<CreateUserInput, { User: UserOutput }> {
  return {
    input: (r: InputReader) => ({
      userName: r.string('UserName', { ...USER_NAME, required: true }),
      path: r.string('Path', PATH) ?? '/',
      permissionsBoundary: r.string('PermissionsBoundary', ARN),
      tags: readTags(r),
    }),
    authorize: (input, ctx) => {
      const context = requestTagContext(input.tags);
      if (input.permissionsBoundary !== undefined) context['iam:PermissionsBoundary'] = input.permissionsBoundary;
      return withTagging(
        authorization('iam:CreateUser', userArn(ctx.accountId, input.path, input.userName), context),
        'iam:TagUser',
        input.tags,
      );
    },
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      if (input.permissionsBoundary !== undefined)
        requirePolicy(store, input.permissionsBoundary, (missing) => iamErrors.noSuchBoundary(missing));
      if (store.users.get(input.userName)) throw iamErrors.userExists(input.userName);
      const user = store.users.create({
        userName: input.userName,
        path: input.path,
        permissionsBoundary: input.permissionsBoundary,
        tags: input.tags ?? [],
      });
      return { User: userOutput(user, 'get') };
    },
  };
}

/** The root user as GetUser describes it to the account's own root credentials: no name, no path. */
interface RootUserOutput {
  UserId: string;
  Arn: string;
}

/** GetUser: the named user, else the caller. */
export function getUser(store: IamStore): Operation<{ userName?: string }, { User: UserOutput | RootUserOutput }> {
  return {
    input: (r) => ({ userName: r.string('UserName', USER_NAME) }),
    authorize: (input, ctx) => {
      if (input.userName === undefined && ctx.caller.kind !== 'user') return [];
      const name = input.userName ?? callerName(ctx);
      return [authorization('iam:GetUser', USERS.arnOf(store, ctx.accountId, name))];
    },
    run: (input, ctx) => {
      if (input.userName === undefined) {
        const caller = ctx.caller;
        if (caller.kind === 'root') return { User: { UserId: caller.accountId, Arn: caller.arn } };
        if (caller.kind !== 'user') throw iamErrors.userNameRequired();
      }
      return { User: userOutput(requireUser(store, input.userName ?? callerName(ctx)), 'get') };
    },
  };
}

function callerName(ctx: RequestContext): string {
  return ctx.caller.kind === 'user' ? ctx.caller.userName : '';
}

/** ListUsers: by name, filtered by PathPrefix; paged. */
export function listUsers(
  store: IamStore,
): Operation<PathListing, { Users: UserOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: readPathListing,
    // ListUsers has no resource type in the Service Authorization Reference.
    authorize: () => [authorization('iam:ListUsers', '*')],
    run: (input) => {
      const page = pageByName(store.users.list(), input, (user) => user.userName);
      return {
        Users: page.items.map((user) => userOutput(user, 'list')),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

interface UpdateUserInput {
  userName: string;
  newUserName?: string;
  newPath?: string;
}

/** UpdateUser: a new name and/or path; the requester needs the permission on both the old and the new ARN. */
export function updateUser(store: IamStore): Operation<UpdateUserInput, Record<string, never>> {
  return {
    input: (r) => ({
      userName: r.string('UserName', { ...USER_NAME, required: true }),
      newUserName: r.string('NewUserName', USER_NAME),
      newPath: r.string('NewPath', PATH),
    }),
    authorize: (input, ctx) => {
      const current = store.users.get(input.userName);
      const from = current?.arn ?? userArn(ctx.accountId, '/', input.userName);
      const to = userArn(ctx.accountId, input.newPath ?? current?.path ?? '/', input.newUserName ?? input.userName);
      return renameAuthorizations('iam:UpdateUser', from, to);
    },
    run: (input) => {
      const user = requireUser(store, input.userName);
      const renamed =
        input.newUserName !== undefined && input.newUserName.toLowerCase() !== user.userName.toLowerCase();
      if (renamed && store.users.get(input.newUserName ?? '')) throw iamErrors.userExists(input.newUserName ?? '');
      store.users.change(user, {
        ...(input.newUserName !== undefined ? { userName: input.newUserName } : {}),
        ...(input.newPath !== undefined ? { path: input.newPath } : {}),
      });
      return {};
    },
  };
}

/** DeleteUser: only once its access keys, policies and group memberships are gone. */
export function deleteUser(store: IamStore): Operation<{ userName: string }, Record<string, never>> {
  return {
    input: (r) => ({ userName: r.string('UserName', { ...USER_NAME, required: true }) }),
    authorize: (input, ctx) => [authorization('iam:DeleteUser', USERS.arnOf(store, ctx.accountId, input.userName))],
    run: (input) => {
      const user = requireUser(store, input.userName);
      if (store.accessKeysOf(user).length > 0) throw iamErrors.userHasAccessKeys();
      checkNoPolicies(store, USERS, { id: user.userId, name: user.userName, arn: user.arn });
      if (store.groups.groupsOf(user.userId).length > 0) throw iamErrors.groupMembership();
      store.users.delete(user);
      return {};
    },
  };
}
