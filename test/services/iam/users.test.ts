/**
 * Users: create/get/list/update/delete, tags, inline and attached policies, with AWS's
 * validation messages, conflicts and limits; GetUser about the caller.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UserOutput } from '../../../src/services/iam/outputs.js';
import {
  ACCOUNT,
  ECS_FULL_ACCESS,
  ECR_FULL_ACCESS,
  S3_READ,
  START,
  createHarness,
  rejectsWith,
  sessionCaller,
  userCaller,
  type IamHarness,
} from './fixtures.js';

let h: IamHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const getUser = async (userName: string): Promise<UserOutput> =>
  (await h.call<{ User: UserOutput }>('GetUser', { UserName: userName })).User;

describe('CreateUser and GetUser', () => {
  it('answers with the new user: an AIDA id, the path in its ARN, tags', async () => {
    const { User } = await h.call<{ User: UserOutput }>('CreateUser', {
      UserName: 'deployer',
      Path: '/ci/',
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    assert.deepEqual(Object.keys(User), ['Path', 'UserName', 'UserId', 'Arn', 'CreateDate', 'Tags']);
    assert.match(User.UserId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(User.Arn, `arn:aws:iam::${ACCOUNT}:user/ci/deployer`);
    assert.deepEqual(User.CreateDate, START);
    assert.deepEqual(await getUser('DEPLOYER'), User);
  });

  it('refuses a name taken in any letter case, a bad name, and a boundary that is no policy', async () => {
    await h.call('CreateUser', { UserName: 'Deployer' });
    await rejectsWith(
      h.call('CreateUser', { UserName: 'deployer' }),
      'EntityAlreadyExists',
      'User with name deployer already exists.',
      409,
    );
    await rejectsWith(
      h.call('CreateUser', { UserName: 'bad name' }),
      'ValidationError',
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await rejectsWith(
      h.call('CreateUser', { UserName: 'u'.repeat(65) }),
      'ValidationError',
      /Member must have length less than or equal to 64$/,
    );
    const ghost = `arn:aws:iam::${ACCOUNT}:policy/ghost`;
    await rejectsWith(
      h.call('CreateUser', { UserName: 'b', PermissionsBoundary: ghost }),
      'NoSuchEntity',
      `Scope ARN: ${ghost} does not exist or is not attachable.`,
      404,
    );
  });

  it('GetUser of a missing user is NoSuchEntity in AWS words', async () => {
    await rejectsWith(getUser('ghost'), 'NoSuchEntity', 'The user with name ghost cannot be found.', 404);
  });

  it('GetUser without UserName answers about the caller: the user behind the key, the root for the admin key, none for a role session', async () => {
    await h.call('CreateUser', { UserName: 'me', PermissionsBoundary: ECS_FULL_ACCESS });
    const me = await h.callAs<{ User: UserOutput }>(userCaller(h, 'me'), 'GetUser');
    assert.equal(me.User.UserName, 'me');
    assert.deepEqual(me.User.PermissionsBoundary, {
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: ECS_FULL_ACCESS,
    });
    assert.deepEqual(await h.call('GetUser'), { User: { UserId: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` } });
    await rejectsWith(
      h.callAs(sessionCaller('ci'), 'GetUser'),
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
      400,
    );
  });
});

describe('ListUsers and UpdateUser', () => {
  it('lists by name, filters by path prefix, and pages', async () => {
    for (const [name, path] of [
      ['b', '/'],
      ['A', '/ci/'],
      ['c', '/ci/x/'],
    ] as const)
      await h.call('CreateUser', { UserName: name, Path: path });
    const all = await h.call<{ Users: UserOutput[]; IsTruncated: boolean }>('ListUsers');
    assert.deepEqual(
      all.Users.map((u) => u.UserName),
      ['A', 'b', 'c'],
    );
    assert.deepEqual(Object.keys(all.Users[0] ?? {}), ['Path', 'UserName', 'UserId', 'Arn', 'CreateDate']);
    assert.equal(all.IsTruncated, false);
    const ci = await h.call<{ Users: UserOutput[] }>('ListUsers', { PathPrefix: '/ci/' });
    assert.deepEqual(
      ci.Users.map((u) => u.UserName),
      ['A', 'c'],
    );
    const first = await h.call<{ Users: UserOutput[]; IsTruncated: boolean; Marker: string }>('ListUsers', {
      MaxItems: 2,
    });
    assert.deepEqual([first.Users.length, first.IsTruncated], [2, true]);
    const rest = await h.call<{ Users: UserOutput[]; IsTruncated: boolean }>('ListUsers', { Marker: first.Marker });
    assert.deepEqual(
      rest.Users.map((u) => u.UserName),
      ['c'],
    );
    await rejectsWith(h.call('ListUsers', { Marker: 'garbage' }), 'ValidationError', 'Invalid Marker.');
  });

  it('renames and moves a user: a new ARN, the same id, its keys still its own', async () => {
    const created = (await h.call<{ User: UserOutput }>('CreateUser', { UserName: 'old' })).User;
    const key = await h.call<{ AccessKey: { AccessKeyId: string } }>('CreateAccessKey', { UserName: 'old' });
    await h.call('CreateUser', { UserName: 'taken' });
    await rejectsWith(
      h.call('UpdateUser', { UserName: 'old', NewUserName: 'TAKEN' }),
      'EntityAlreadyExists',
      'User with name TAKEN already exists.',
    );
    await h.call('UpdateUser', { UserName: 'old', NewUserName: 'new', NewPath: '/moved/' });
    const moved = await getUser('new');
    assert.equal(moved.UserId, created.UserId);
    assert.equal(moved.Arn, `arn:aws:iam::${ACCOUNT}:user/moved/new`);
    await rejectsWith(getUser('old'), 'NoSuchEntity');
    assert.equal(h.store.userSigningKey(key.AccessKey.AccessKeyId)?.user.arn, moved.Arn);
  });
});

describe('DeleteUser', () => {
  it('refuses while keys, policies or groups remain, in AWS words, then deletes', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    const { AccessKey } = await h.call<{ AccessKey: { AccessKeyId: string } }>('CreateAccessKey', { UserName: 'u' });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'p', PolicyDocument: S3_READ });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: ECS_FULL_ACCESS });
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    await rejectsWith(
      h.call('DeleteUser', { UserName: 'u' }),
      'DeleteConflict',
      'Cannot delete entity, must delete access keys first.',
      409,
    );
    await h.call('DeleteAccessKey', { UserName: 'u', AccessKeyId: AccessKey.AccessKeyId });
    await rejectsWith(
      h.call('DeleteUser', { UserName: 'u' }),
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
      409,
    );
    await h.call('DetachUserPolicy', { UserName: 'u', PolicyArn: ECS_FULL_ACCESS });
    await rejectsWith(
      h.call('DeleteUser', { UserName: 'u' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
      409,
    );
    await h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'p' });
    await rejectsWith(
      h.call('DeleteUser', { UserName: 'u' }),
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
      409,
    );
    await h.call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' });
    await h.call('DeleteUser', { UserName: 'u' });
    await rejectsWith(getUser('u'), 'NoSuchEntity');
    await rejectsWith(h.call('DeleteUser', { UserName: 'u' }), 'NoSuchEntity', 'The user with name u cannot be found.');
  });
});

describe('user tags', () => {
  it('tags, replaces a key in another case, untags, lists; at most 50', async () => {
    await h.call('CreateUser', { UserName: 'u', Tags: [{ Key: 'Team', Value: 'a' }] });
    await h.call('TagUser', {
      UserName: 'u',
      Tags: [
        { Key: 'team', Value: 'b' },
        { Key: 'env', Value: 'prod' },
      ],
    });
    assert.deepEqual((await h.call<{ Tags: unknown[] }>('ListUserTags', { UserName: 'u' })).Tags, [
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'prod' },
    ]);
    await h.call('UntagUser', { UserName: 'u', TagKeys: ['TEAM', 'absent'] });
    assert.deepEqual((await getUser('u')).Tags, [{ Key: 'env', Value: 'prod' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(
      h.call('TagUser', { UserName: 'u', Tags: many }),
      'LimitExceeded',
      'Cannot exceed quota for TagsPerUser: 50',
      409,
    );
    await rejectsWith(
      h.call('TagUser', { UserName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] }),
      'NoSuchEntity',
      'The user with name ghost cannot be found.',
    );
  });
});

describe('user policies', () => {
  it('puts, gets (URL-encoded), lists and deletes inline policies; 2,048 characters per user', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'read', PolicyDocument: S3_READ });
    const got = await h.call<{ UserName: string; PolicyName: string; PolicyDocument: string }>('GetUserPolicy', {
      UserName: 'U',
      PolicyName: 'READ',
    });
    assert.deepEqual(got, { UserName: 'u', PolicyName: 'read', PolicyDocument: encodeURIComponent(S3_READ) });
    assert.deepEqual((await h.call<{ PolicyNames: string[] }>('ListUserPolicies', { UserName: 'u' })).PolicyNames, [
      'read',
    ]);
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2000)}/*` }],
    });
    await rejectsWith(
      h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'big', PolicyDocument: big }),
      'LimitExceeded',
      'Maximum policy size of 2048 bytes exceeded for user u',
      409,
    );
    await rejectsWith(
      h.call('GetUserPolicy', { UserName: 'u', PolicyName: 'nope' }),
      'NoSuchEntity',
      'The user policy with name nope cannot be found.',
      404,
    );
    await h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'read' });
    await rejectsWith(
      h.call('DeleteUserPolicy', { UserName: 'u', PolicyName: 'read' }),
      'NoSuchEntity',
      'The user policy with name read cannot be found.',
    );
    await rejectsWith(
      h.call('PutUserPolicy', { UserName: 'ghost', PolicyName: 'p', PolicyDocument: S3_READ }),
      'NoSuchEntity',
      'The user with name ghost cannot be found.',
    );
  });

  it('attaches managed policies (counted in AttachmentCount, listed by ListEntitiesForPolicy), at most 10', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: ECR_FULL_ACCESS });
    await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: ECR_FULL_ACCESS });
    const listed = await h.call<{ AttachedPolicies: { PolicyName: string }[] }>('ListAttachedUserPolicies', {
      UserName: 'u',
    });
    assert.deepEqual(
      listed.AttachedPolicies.map((p) => p.PolicyName),
      ['AmazonEC2ContainerRegistryFullAccess'],
    );
    assert.equal(
      (await h.call<{ Policy: { AttachmentCount: number } }>('GetPolicy', { PolicyArn: ECR_FULL_ACCESS })).Policy
        .AttachmentCount,
      1,
    );
    const entities = await h.call<{ PolicyUsers: unknown[] }>('ListEntitiesForPolicy', { PolicyArn: ECR_FULL_ACCESS });
    assert.deepEqual(entities.PolicyUsers, [{ UserName: 'u', UserId: h.store.userId('u') }]);
    for (let i = 0; i < 9; i++) {
      const doc = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b${i}/*` }],
      });
      const { Policy } = await h.call<{ Policy: { Arn: string } }>('CreatePolicy', {
        PolicyName: `p${i}`,
        PolicyDocument: doc,
      });
      await h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: Policy.Arn });
    }
    await rejectsWith(
      h.call('AttachUserPolicy', { UserName: 'u', PolicyArn: ECS_FULL_ACCESS }),
      'LimitExceeded',
      'Cannot exceed quota for PoliciesPerUser: 10',
      409,
    );
    await rejectsWith(
      h.call('DeletePolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p0` }),
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
    );
  });

  it('the authorizer reads a user’s own policies, then its groups’', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('PutUserPolicy', { UserName: 'u', PolicyName: 'own', PolicyDocument: S3_READ });
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: ECS_FULL_ACCESS });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    assert.deepEqual(
      h.store.userPolicyDocuments('U').map((d) => d.source),
      ['inline:own', `group/g:${ECS_FULL_ACCESS}`],
    );
  });
});
