/**
 * Access keys: AKIA ids and 40-character secrets, at most two per user, Active/Inactive, the
 * caller's own user when UserName is left out, and last use recorded in batches.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessKeyOutput } from '../../../src/services/iam/outputs.js';
import { START, createHarness, rejectsWith, sessionCaller, userCaller, type IamHarness } from './fixtures.js';

let h: IamHarness;
beforeEach(async () => {
  h = createHarness();
  await h.call('CreateUser', { UserName: 'ci' });
});
afterEach(() => h.dispose());

const create = async (input: Record<string, unknown> = { UserName: 'ci' }): Promise<AccessKeyOutput> =>
  (await h.call<{ AccessKey: AccessKeyOutput }>('CreateAccessKey', input)).AccessKey;
const list = async (userName = 'ci'): Promise<AccessKeyOutput[]> =>
  (await h.call<{ AccessKeyMetadata: AccessKeyOutput[] }>('ListAccessKeys', { UserName: userName })).AccessKeyMetadata;

describe('CreateAccessKey and ListAccessKeys', () => {
  it('creates active AKIA keys with 40-character secrets, at most two; lists them without secrets', async () => {
    const first = await create();
    assert.deepEqual(Object.keys(first), ['UserName', 'AccessKeyId', 'Status', 'SecretAccessKey', 'CreateDate']);
    assert.match(first.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.SecretAccessKey?.length, 40);
    assert.deepEqual([first.UserName, first.Status, first.CreateDate], ['ci', 'Active', START]);
    const second = await create();
    await rejectsWith(create(), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
    const listed = await list();
    assert.deepEqual(
      listed.map((k) => k.AccessKeyId),
      [first.AccessKeyId, second.AccessKeyId],
    );
    assert.deepEqual(Object.keys(listed[0] ?? {}), ['UserName', 'AccessKeyId', 'Status', 'CreateDate']);
  });

  it('without UserName acts on the caller’s user; a role session must name one; the admin key is not managed', async () => {
    const own = await h.callAs<{ AccessKey: AccessKeyOutput }>(userCaller(h, 'ci'), 'CreateAccessKey');
    assert.equal(own.AccessKey.UserName, 'ci');
    const listed = await h.callAs<{ AccessKeyMetadata: AccessKeyOutput[] }>(userCaller(h, 'ci'), 'ListAccessKeys');
    assert.deepEqual(
      listed.AccessKeyMetadata.map((k) => k.AccessKeyId),
      [own.AccessKey.AccessKeyId],
    );
    await rejectsWith(
      h.callAs(sessionCaller('deploy'), 'ListAccessKeys'),
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
    );
    await rejectsWith(h.call('CreateAccessKey'), 'ValidationError', /admin key is the account's root credential/);
  });

  it('for a missing user: NoSuchEntity', async () => {
    await rejectsWith(create({ UserName: 'ghost' }), 'NoSuchEntity', 'The user with name ghost cannot be found.', 404);
  });
});

describe('UpdateAccessKey and DeleteAccessKey', () => {
  it('deactivates and reactivates; the signing lookup sees the status', async () => {
    const key = await create();
    await h.call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId, Status: 'Inactive' });
    assert.equal((await list())[0]?.Status, 'Inactive');
    assert.equal(h.store.userSigningKey(key.AccessKeyId)?.active, false);
    await h.call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId, Status: 'Active' });
    assert.equal(h.store.userSigningKey(key.AccessKeyId)?.active, true);
    await rejectsWith(
      h.call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId, Status: 'Disabled' }),
      'ValidationError',
      "1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
    );
  });

  it('refuses another user’s key and an unknown key in AWS words; a deleted key is gone', async () => {
    await h.call('CreateUser', { UserName: 'other' });
    const key = await create();
    await rejectsWith(
      h.call('DeleteAccessKey', { UserName: 'other', AccessKeyId: key.AccessKeyId }),
      'NoSuchEntity',
      `The Access Key with id ${key.AccessKeyId} cannot be found.`,
      404,
    );
    await h.call('DeleteAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId });
    assert.equal(h.store.userSigningKey(key.AccessKeyId), undefined);
    await rejectsWith(
      h.call('UpdateAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId, Status: 'Active' }),
      'NoSuchEntity',
      `The Access Key with id ${key.AccessKeyId} cannot be found.`,
    );
  });

  it('a user deleted and created again under the same name has none of the old keys', async () => {
    const key = await create();
    await h.call('DeleteAccessKey', { UserName: 'ci', AccessKeyId: key.AccessKeyId });
    const kept = await create();
    // Deleting the user directly (as the store does when IAM allows it) takes its keys along.
    const user = h.store.users.get('ci');
    assert.ok(user);
    h.store.users.delete(user);
    await h.call('CreateUser', { UserName: 'ci' });
    assert.equal(h.store.userSigningKey(kept.AccessKeyId), undefined);
    assert.deepEqual(await list(), []);
  });
});

describe('GetAccessKeyLastUsed', () => {
  it('says N/A until the key is used, then when, where and for what; written in one batch and kept over a reopen', async () => {
    const key = await create();
    assert.deepEqual(await h.call('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKeyId }), {
      UserName: 'ci',
      AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' },
    });
    h.clock.set(new Date(START.getTime() + 5_500));
    h.store.recordAccessKeyUse(key.AccessKeyId, 'ecr', 'us-east-1');
    h.clock.set(new Date(START.getTime() + 7_000));
    h.store.recordAccessKeyUse(key.AccessKeyId, 'ecs', 'eu-west-1');
    const used = { LastUsedDate: new Date(START.getTime() + 7_000), ServiceName: 'ecs', Region: 'eu-west-1' };
    assert.deepEqual(await h.call('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKeyId }), {
      UserName: 'ci',
      AccessKeyLastUsed: used,
    });
    const row = () =>
      h.db
        .prepare('SELECT last_used_service AS s FROM iam_access_keys WHERE access_key_id = ?')
        .get(key.AccessKeyId) as { s: string | null };
    // The first use was written at once (nothing written in the last minute); the second waits for the next batch.
    assert.equal(row().s, 'ecr');
    h.store.flushAccessKeyUse();
    assert.equal(row().s, 'ecs');
    const again = h.reopen();
    h = again;
    assert.deepEqual(await h.call('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKeyId }), {
      UserName: 'ci',
      AccessKeyLastUsed: used,
    });
  });

  it('answers NoSuchEntity for a key it does not know', async () => {
    await rejectsWith(
      h.call('GetAccessKeyLastUsed', { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      'NoSuchEntity',
      'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.',
    );
  });
});
