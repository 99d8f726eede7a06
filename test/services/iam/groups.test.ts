/**
 * Groups: create/get/list/update/delete, members, inline and attached policies, with AWS's
 * conflicts and limits.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupOutput, UserOutput } from '../../../src/services/iam/outputs.js';
import { ACCOUNT, ECS_FULL_ACCESS, S3_READ, createHarness, rejectsWith, type IamHarness } from './fixtures.js';

let h: IamHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

describe('groups', () => {
  it('creates a group with an AGPA id and its path in the ARN; refuses a duplicate in any case', async () => {
    const { Group } = await h.call<{ Group: GroupOutput }>('CreateGroup', { GroupName: 'Deployers', Path: '/teams/' });
    assert.deepEqual(Object.keys(Group), ['Path', 'GroupName', 'GroupId', 'Arn', 'CreateDate']);
    assert.match(Group.GroupId, /^AGPA[A-Z2-7]{17}$/);
    assert.equal(Group.Arn, `arn:aws:iam::${ACCOUNT}:group/teams/Deployers`);
    await rejectsWith(
      h.call('CreateGroup', { GroupName: 'deployers' }),
      'EntityAlreadyExists',
      'Group with name deployers already exists.',
      409,
    );
    await rejectsWith(
      h.call('GetGroup', { GroupName: 'ghost' }),
      'NoSuchEntity',
      'The group with name ghost cannot be found.',
      404,
    );
  });

  it('adds members (twice is once), lists them in GetGroup and ListGroupsForUser, removes them', async () => {
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('CreateGroup', { GroupName: 'a' });
    for (const name of ['u1', 'u2']) await h.call('CreateUser', { UserName: name });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u2' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u1' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u1' });
    await h.call('AddUserToGroup', { GroupName: 'a', UserName: 'u1' });
    const got = await h.call<{ Group: GroupOutput; Users: UserOutput[]; IsTruncated: boolean }>('GetGroup', {
      GroupName: 'g',
    });
    assert.deepEqual(
      got.Users.map((u) => u.UserName),
      ['u2', 'u1'],
    );
    assert.equal(got.IsTruncated, false);
    const groups = await h.call<{ Groups: GroupOutput[] }>('ListGroupsForUser', { UserName: 'u1' });
    assert.deepEqual(
      groups.Groups.map((g) => g.GroupName),
      ['a', 'g'],
    );
    await h.call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u1' });
    await rejectsWith(h.call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u1' }), 'NoSuchEntity');
    await rejectsWith(
      h.call('AddUserToGroup', { GroupName: 'g', UserName: 'ghost' }),
      'NoSuchEntity',
      'The user with name ghost cannot be found.',
    );
  });

  it('a user may be in at most ten groups', async () => {
    await h.call('CreateUser', { UserName: 'u' });
    for (let i = 0; i < 11; i++) await h.call('CreateGroup', { GroupName: `g${i}` });
    for (let i = 0; i < 10; i++) await h.call('AddUserToGroup', { GroupName: `g${i}`, UserName: 'u' });
    await rejectsWith(
      h.call('AddUserToGroup', { GroupName: 'g10', UserName: 'u' }),
      'LimitExceeded',
      'Cannot exceed quota for GroupsPerUser: 10',
      409,
    );
  });

  it('lists by name and path prefix, renames and moves', async () => {
    await h.call('CreateGroup', { GroupName: 'b' });
    await h.call('CreateGroup', { GroupName: 'A', Path: '/x/' });
    assert.deepEqual(
      (await h.call<{ Groups: GroupOutput[] }>('ListGroups')).Groups.map((g) => g.GroupName),
      ['A', 'b'],
    );
    assert.deepEqual(
      (await h.call<{ Groups: GroupOutput[] }>('ListGroups', { PathPrefix: '/x/' })).Groups.map((g) => g.GroupName),
      ['A'],
    );
    await rejectsWith(
      h.call('UpdateGroup', { GroupName: 'b', NewGroupName: 'a' }),
      'EntityAlreadyExists',
      'Group with name a already exists.',
    );
    await h.call('UpdateGroup', { GroupName: 'b', NewGroupName: 'c', NewPath: '/y/' });
    assert.equal(
      (await h.call<{ Group: GroupOutput }>('GetGroup', { GroupName: 'c' })).Group.Arn,
      `arn:aws:iam::${ACCOUNT}:group/y/c`,
    );
  });

  it('inline policies (5,120 characters per group) and attached ones; DeleteGroup refuses while any remain or members do', async () => {
    await h.call('CreateGroup', { GroupName: 'g' });
    await h.call('CreateUser', { UserName: 'u' });
    await h.call('AddUserToGroup', { GroupName: 'g', UserName: 'u' });
    await h.call('PutGroupPolicy', { GroupName: 'g', PolicyName: 'read', PolicyDocument: S3_READ });
    assert.deepEqual(await h.call('GetGroupPolicy', { GroupName: 'g', PolicyName: 'read' }), {
      GroupName: 'g',
      PolicyName: 'read',
      PolicyDocument: encodeURIComponent(S3_READ),
    });
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(5100)}/*` }],
    });
    await rejectsWith(
      h.call('PutGroupPolicy', { GroupName: 'g', PolicyName: 'big', PolicyDocument: big }),
      'LimitExceeded',
      'Maximum policy size of 5120 bytes exceeded for group g',
    );
    await h.call('AttachGroupPolicy', { GroupName: 'g', PolicyArn: ECS_FULL_ACCESS });
    const entities = await h.call<{ PolicyGroups: unknown[] }>('ListEntitiesForPolicy', { PolicyArn: ECS_FULL_ACCESS });
    assert.deepEqual(entities.PolicyGroups, [{ GroupName: 'g', GroupId: h.store.groups.get('g')?.groupId }]);
    await rejectsWith(
      h.call('DeleteGroup', { GroupName: 'g' }),
      'DeleteConflict',
      'Cannot delete entity, must remove users from group first.',
      409,
    );
    await h.call('RemoveUserFromGroup', { GroupName: 'g', UserName: 'u' });
    await rejectsWith(
      h.call('DeleteGroup', { GroupName: 'g' }),
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
    );
    await h.call('DetachGroupPolicy', { GroupName: 'g', PolicyArn: ECS_FULL_ACCESS });
    await rejectsWith(
      h.call('DeleteGroup', { GroupName: 'g' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    await h.call('DeleteGroupPolicy', { GroupName: 'g', PolicyName: 'read' });
    await rejectsWith(
      h.call('GetGroupPolicy', { GroupName: 'g', PolicyName: 'read' }),
      'NoSuchEntity',
      'The group policy with name read cannot be found.',
    );
    await h.call('DeleteGroup', { GroupName: 'g' });
  });
});
