/**
 * Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey and
 * GetAccessKeyLastUsed. UserName may be left out: the operation then acts on the caller's own
 * user (targetUserName). Every operation is authorized on the user's ARN. The secret is shown
 * once, by CreateAccessKey; nothing else ever returns it.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { authorization } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { USERS } from '../holders.js';
import { ACCESS_KEY_ID, ACCESS_KEY_STATUS, USER_NAME, readPaging, type Paging } from '../input-rules.js';
import { requireUser, targetUserName } from '../lookups.js';
import type { AccessKey, AccessKeyStatus, User } from '../model.js';
import { accessKeyOutput, type AccessKeyOutput } from '../outputs.js';
import { paginate } from '../pagination.js';
import type { IamStore } from '../store.js';

/** Access keys per user. */
const KEY_QUOTA = 2;

interface UserInput {
  userName?: string;
}

const readUserName = (r: InputReader): UserInput => ({ userName: r.string('UserName', USER_NAME) });

/** The key of `user` with this id, or NoSuchEntity (also for another user's key). */
function requireKeyOf(store: IamStore, user: User, accessKeyId: string): AccessKey {
  const key = store.accessKeys.get(accessKeyId);
  if (!key || key.userId !== user.userId) throw iamErrors.noSuchAccessKey(accessKeyId);
  return key;
}

/** CreateAccessKey: a new active AKIA… key with its secret; at most two per user. */
export function createAccessKey(store: IamStore): Operation<UserInput, { AccessKey: AccessKeyOutput }> {
  return {
    input: readUserName,
    authorize: (input, ctx) => [
      authorization('iam:CreateAccessKey', USERS.arnOf(store, ctx.accountId, targetUserName(ctx, input.userName))),
    ],
    run: (input, ctx) => {
      const user = requireUser(store, targetUserName(ctx, input.userName));
      if (store.accessKeysOf(user).length >= KEY_QUOTA) throw iamErrors.tooManyAccessKeys();
      return { AccessKey: accessKeyOutput(store.accessKeys.create(user.userId), user.userName, true) };
    },
  };
}

interface ListAccessKeysInput extends UserInput, Paging {}

/** ListAccessKeys: the user's keys, oldest first, without secrets; paged. */
export function listAccessKeys(
  store: IamStore,
): Operation<ListAccessKeysInput, { AccessKeyMetadata: AccessKeyOutput[]; IsTruncated: boolean; Marker?: string }> {
  return {
    input: (r) => ({ ...readUserName(r), ...readPaging(r) }),
    authorize: (input, ctx) => [
      authorization('iam:ListAccessKeys', USERS.arnOf(store, ctx.accountId, targetUserName(ctx, input.userName))),
    ],
    run: (input, ctx) => {
      const user = requireUser(store, targetUserName(ctx, input.userName));
      const page = paginate(store.accessKeysOf(user), input);
      return {
        AccessKeyMetadata: page.items.map((key) => accessKeyOutput(key, user.userName, false)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  };
}

interface KeyInput extends UserInput {
  accessKeyId: string;
}

const readKey = (r: InputReader): KeyInput => ({
  ...readUserName(r),
  accessKeyId: r.string('AccessKeyId', { ...ACCESS_KEY_ID, required: true }),
});

/** UpdateAccessKey: Active or Inactive. An inactive key signs nothing until it is made active again. */
export function updateAccessKey(
  store: IamStore,
): Operation<KeyInput & { status: AccessKeyStatus }, Record<string, never>> {
  return {
    input: (r) => ({
      ...readKey(r),
      status: r.string('Status', { ...ACCESS_KEY_STATUS, required: true }) as AccessKeyStatus,
    }),
    authorize: (input, ctx) => [
      authorization('iam:UpdateAccessKey', USERS.arnOf(store, ctx.accountId, targetUserName(ctx, input.userName))),
    ],
    run: (input, ctx) => {
      const user = requireUser(store, targetUserName(ctx, input.userName));
      store.accessKeys.setStatus(requireKeyOf(store, user, input.accessKeyId), input.status);
      return {};
    },
  };
}

/** DeleteAccessKey: the key stops working at once. */
export function deleteAccessKey(store: IamStore): Operation<KeyInput, Record<string, never>> {
  return {
    input: readKey,
    authorize: (input, ctx) => [
      authorization('iam:DeleteAccessKey', USERS.arnOf(store, ctx.accountId, targetUserName(ctx, input.userName))),
    ],
    run: (input, ctx) => {
      const user = requireUser(store, targetUserName(ctx, input.userName));
      store.accessKeys.delete(requireKeyOf(store, user, input.accessKeyId));
      return {};
    },
  };
}

interface LastUsedOutput {
  UserName: string;
  AccessKeyLastUsed: { LastUsedDate?: Date; ServiceName: string; Region: string };
}

/**
 * GetAccessKeyLastUsed: when, for which service and in which region the key last signed a
 * request; "N/A" for a key never used, as AWS answers. Authorized on the key's user. AWS
 * documents no error for a key it does not know; dockyard answers as the other key operations do.
 */
export function getAccessKeyLastUsed(store: IamStore): Operation<{ accessKeyId: string }, LastUsedOutput> {
  const ownerOf = (accessKeyId: string): User => {
    const key = store.accessKeys.get(accessKeyId);
    const user = key && store.users.getById(key.userId);
    if (!key || !user) throw iamErrors.noSuchAccessKey(accessKeyId);
    return user;
  };
  return {
    input: (r) => ({ accessKeyId: r.string('AccessKeyId', { ...ACCESS_KEY_ID, required: true }) }),
    authorize: (input) => {
      const key = store.accessKeys.get(input.accessKeyId);
      const user = key && store.users.getById(key.userId);
      // An unknown key is answered NoSuchEntity by run; there is no user to authorize on.
      return user ? [authorization('iam:GetAccessKeyLastUsed', user.arn)] : [];
    },
    run: (input) => {
      const user = ownerOf(input.accessKeyId);
      const use = store.accessKeys.lastUse(input.accessKeyId);
      return {
        UserName: user.userName,
        AccessKeyLastUsed: use
          ? { LastUsedDate: use.date, ServiceName: use.service, Region: use.region }
          : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  };
}
