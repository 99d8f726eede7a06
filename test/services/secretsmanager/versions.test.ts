/**
 * Versions and staging labels: PutSecretValue (AWSCURRENT and AWSPREVIOUS moving, custom
 * labels, ClientRequestToken retries), GetSecretValue by id and by label, UpdateSecretVersionStage's
 * rules, ListSecretVersionIds with deprecated versions, the pruning of deprecated versions past
 * 100 (never those of the last day), the label quota and LastAccessedDate's day resolution.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createHarness, DAY, rejectsWith, START, token, type SecretsHarness, type Wire } from './fixtures.js';

let h: SecretsHarness;
beforeEach(async () => {
  h = createHarness();
  await h.call('CreateSecret', { Name: 's', SecretString: 'v1', ClientRequestToken: token(1) });
});
afterEach(() => h.dispose());

const put = (n: number, extra: Record<string, unknown> = {}) =>
  h.call('PutSecretValue', { SecretId: 's', SecretString: `v${n}`, ClientRequestToken: token(n), ...extra });
const stages = async () => (await h.call('DescribeSecret', { SecretId: 's' })).VersionIdsToStages;

describe('PutSecretValue', () => {
  it('moves AWSCURRENT to the new version and AWSPREVIOUS to the one it left', async () => {
    assert.deepEqual(await put(2), {
      ARN: (await h.call('DescribeSecret', { SecretId: 's' })).ARN,
      Name: 's',
      VersionId: token(2),
      VersionStages: ['AWSCURRENT'],
    });
    await put(3);
    assert.deepEqual(await stages(), { [token(2)]: ['AWSPREVIOUS'], [token(3)]: ['AWSCURRENT'] });
    assert.equal((await h.call('GetSecretValue', { SecretId: 's', VersionStage: 'AWSPREVIOUS' })).SecretString, 'v2');
  });

  it('attaches only the labels asked for: AWSPENDING leaves AWSCURRENT where it is', async () => {
    const pending = await put(2, { VersionStages: ['AWSPENDING'] });
    assert.deepEqual(pending.VersionStages, ['AWSPENDING']);
    assert.deepEqual(await stages(), { [token(1)]: ['AWSCURRENT'], [token(2)]: ['AWSPENDING'] });
    assert.equal((await h.call('GetSecretValue', { SecretId: 's' })).SecretString, 'v1');
    assert.equal((await h.call('GetSecretValue', { SecretId: 's', VersionStage: 'AWSPENDING' })).SecretString, 'v2');
  });

  it('answers a retry with the same token and value as the first call, and refuses the token with another value', async () => {
    const first = await put(2);
    assert.deepEqual(await put(2), first);
    assert.equal(((await h.call('ListSecretVersionIds', { SecretId: 's' })).Versions as Wire[]).length, 2);
    await rejectsWith(
      h.call('PutSecretValue', { SecretId: 's', SecretString: 'changed', ClientRequestToken: token(2) }),
      'ResourceExistsException',
      /already in use for a version of secret/,
    );
    await rejectsWith(h.call('PutSecretValue', { SecretId: 's' }), 'InvalidParameterException');
    await rejectsWith(
      h.call('PutSecretValue', { SecretId: 'nope', SecretString: 'x' }),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
    );
  });
});

describe('GetSecretValue', () => {
  it('reads by VersionId or VersionStage, and refuses the two naming different versions', async () => {
    await put(2);
    assert.equal((await h.call('GetSecretValue', { SecretId: 's', VersionId: token(1) })).SecretString, 'v1');
    assert.equal(
      (await h.call('GetSecretValue', { SecretId: 's', VersionId: token(1), VersionStage: 'AWSPREVIOUS' }))
        .SecretString,
      'v1',
    );
    await rejectsWith(
      h.call('GetSecretValue', { SecretId: 's', VersionId: token(1), VersionStage: 'AWSCURRENT' }),
      'InvalidRequestException',
      'You provided a VersionStage that is not associated to the provided VersionId.',
    );
    await rejectsWith(
      h.call('GetSecretValue', { SecretId: 's', VersionId: token(9) }),
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for VersionId: ${token(9)}`,
    );
    await rejectsWith(
      h.call('GetSecretValue', { SecretId: 's', VersionStage: 'AWSPENDING' }),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    );
  });

  it('records the day of the last read on the secret and the version', async () => {
    assert.equal((await h.call('DescribeSecret', { SecretId: 's' })).LastAccessedDate, undefined);
    h.clock.advance(3 * DAY + 5000);
    await h.call('GetSecretValue', { SecretId: 's' });
    const day = START - (START % DAY) + 3 * DAY;
    assert.equal(((await h.call('DescribeSecret', { SecretId: 's' })).LastAccessedDate as Date).getTime(), day);
    const versions = (await h.call('ListSecretVersionIds', { SecretId: 's' })).Versions as Wire[];
    assert.equal((versions[0]?.LastAccessedDate as Date).getTime(), day);
  });
});

describe('UpdateSecretVersionStage', () => {
  beforeEach(async () => {
    await put(2, { VersionStages: ['AWSPENDING'] });
  });

  it("promotes AWSPENDING's version to AWSCURRENT, leaving AWSPREVIOUS behind (rotation's finishSecret)", async () => {
    await h.call('UpdateSecretVersionStage', {
      SecretId: 's',
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: token(2),
      RemoveFromVersionId: token(1),
    });
    await h.call('UpdateSecretVersionStage', {
      SecretId: 's',
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: token(2),
    });
    assert.deepEqual(await stages(), { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] });
  });

  it('moves a label held elsewhere only with RemoveFromVersionId naming its holder; AWSCURRENT only moves', async () => {
    await rejectsWith(
      h.call('UpdateSecretVersionStage', { SecretId: 's', VersionStage: 'AWSCURRENT', MoveToVersionId: token(2) }),
      'InvalidParameterException',
      `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${token(1)}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
    await rejectsWith(
      h.call('UpdateSecretVersionStage', {
        SecretId: 's',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token(2),
        RemoveFromVersionId: token(2),
      }),
      'InvalidParameterException',
      /not found in version/,
    );
    await rejectsWith(
      h.call('UpdateSecretVersionStage', { SecretId: 's', VersionStage: 'AWSCURRENT', RemoveFromVersionId: token(1) }),
      'InvalidParameterException',
      /AWSCURRENT/,
    );
    await rejectsWith(
      h.call('UpdateSecretVersionStage', { SecretId: 's', VersionStage: 'X', MoveToVersionId: token(7) }),
      'ResourceNotFoundException',
      /VersionId/,
    );
    // A new label lands without RemoveFromVersionId.
    await h.call('UpdateSecretVersionStage', { SecretId: 's', VersionStage: 'blue', MoveToVersionId: token(1) });
    assert.deepEqual(await stages(), { [token(1)]: ['AWSCURRENT', 'blue'], [token(2)]: ['AWSPENDING'] });
  });

  it('keeps a version with its labels gone as deprecated: listed only with IncludeDeprecated', async () => {
    await h.call('UpdateSecretVersionStage', {
      SecretId: 's',
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: token(2),
    });
    assert.deepEqual(await stages(), { [token(1)]: ['AWSCURRENT'] });
    const listed = async (includeDeprecated: boolean) =>
      (
        (await h.call('ListSecretVersionIds', { SecretId: 's', IncludeDeprecated: includeDeprecated }))
          .Versions as Wire[]
      ).map((v) => v.VersionId);
    assert.deepEqual(await listed(false), [token(1)]);
    assert.deepEqual(await listed(true), [token(1), token(2)]);
    const page = await h.call('ListSecretVersionIds', { SecretId: 's', IncludeDeprecated: true, MaxResults: 1 });
    const next = await h.call('ListSecretVersionIds', {
      SecretId: 's',
      IncludeDeprecated: true,
      MaxResults: 1,
      NextToken: page.NextToken,
    });
    assert.deepEqual(
      (next.Versions as Wire[]).map((v) => v.VersionId),
      [token(2)],
    );
  });
});

describe('quotas', () => {
  it('prunes the oldest deprecated versions past 100, but never those made in the last 24 hours', async () => {
    h.clock.advance(2 * DAY);
    for (let n = 2; n <= 100; n++) await put(n);
    assert.equal(h.store.versions((await h.call('DescribeSecret', { SecretId: 's' })).ARN as string).length, 100);
    await put(101);
    const arn = (await h.call('DescribeSecret', { SecretId: 's' })).ARN as string;
    // Version 1 was older than a day and deprecated: pruned. The others are from the last day.
    assert.deepEqual(
      h.store
        .versions(arn)
        .map((v) => v.versionId)
        .slice(0, 2),
      [token(2), token(3)],
    );
    await rejectsWith(put(102), 'LimitExceededException');
    h.clock.advance(DAY + 1);
    await put(102);
    assert.equal(h.store.versions(arn).length, 100);
  });

  it('refuses a 21st staging label on a secret', async () => {
    for (let i = 0; i < 19; i++)
      await h.call('UpdateSecretVersionStage', {
        SecretId: 's',
        VersionStage: `label-${i}`,
        MoveToVersionId: token(1),
      });
    await rejectsWith(
      h.call('UpdateSecretVersionStage', { SecretId: 's', VersionStage: 'one-too-many', MoveToVersionId: token(1) }),
      'LimitExceededException',
    );
    assert.equal(Object.values((await stages()) as Record<string, string[]>).flat().length, 20);
  });
});
