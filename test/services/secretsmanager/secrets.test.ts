/**
 * Secrets: create (names, ARNs with their random suffix, idempotent retries), lookups by
 * name, full and partial ARN, describe, update, deletion with a recovery window on a manual
 * clock (reads refused, restore, purge), ListSecrets' filters, sorting and paging, tags,
 * resource policies, GetRandomPassword and the authorizations each operation asks for.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ACCOUNT,
  createHarness,
  DAY,
  REGION,
  rejectsWith,
  START,
  token,
  type SecretsHarness,
  type Wire,
} from './fixtures.js';

let h: SecretsHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const ARN = new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db/password-[A-Za-z0-9]{6}$`);

describe('CreateSecret', () => {
  it('creates a secret whose ARN ends in six random characters, with AWSCURRENT on its first version', async () => {
    const created = await h.call('CreateSecret', {
      Name: 'db/password',
      SecretString: 'hunter2',
      ClientRequestToken: token(1),
      Description: 'the db',
    });
    assert.match(String(created.ARN), ARN);
    assert.deepEqual(
      { Name: created.Name, VersionId: created.VersionId },
      { Name: 'db/password', VersionId: token(1) },
    );
    const value = await h.call('GetSecretValue', { SecretId: 'db/password' });
    assert.deepEqual(
      { ...value, CreatedDate: (value.CreatedDate as Date).getTime() },
      {
        ARN: created.ARN,
        Name: 'db/password',
        VersionId: token(1),
        SecretString: 'hunter2',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: START,
      },
    );
    const described = await h.call('DescribeSecret', { SecretId: 'db/password' });
    assert.equal(described.Description, 'the db');
    assert.deepEqual(described.VersionIdsToStages, { [token(1)]: ['AWSCURRENT'] });
    assert.equal(described.KmsKeyId, undefined);
  });

  it('creates a secret without a value: no version, and reads say so', async () => {
    const created = await h.call('CreateSecret', { Name: 'empty' });
    assert.equal(created.VersionId, undefined);
    await rejectsWith(
      h.call('GetSecretValue', { SecretId: 'empty' }),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    );
    const put = await h.call('PutSecretValue', {
      SecretId: 'empty',
      SecretString: 'first',
      ClientRequestToken: token(2),
      VersionStages: ['AWSPENDING'],
    });
    // The first version always gets AWSCURRENT.
    assert.deepEqual(put.VersionStages, ['AWSCURRENT', 'AWSPENDING']);
  });

  it('stores SecretBinary as bytes and answers it in base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await h.call('CreateSecret', { Name: 'bin', SecretBinary: bytes.toString('base64') });
    const value = await h.call('GetSecretValue', { SecretId: 'bin' });
    assert.equal(value.SecretString, undefined);
    assert.deepEqual(Buffer.from(String(value.SecretBinary), 'base64'), bytes);
    await rejectsWith(
      h.call('CreateSecret', { Name: 'both', SecretString: 'a', SecretBinary: 'AA==' }),
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
    await rejectsWith(
      h.call('CreateSecret', { Name: 'notb64', SecretBinary: '***' }),
      'ValidationException',
      "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must be a base64-encoded blob",
    );
  });

  it('refuses a taken name, but answers a retry with the same token and value as the first call', async () => {
    const first = await h.call('CreateSecret', {
      Name: 'db/password',
      SecretString: 'hunter2',
      ClientRequestToken: token(1),
    });
    assert.deepEqual(
      await h.call('CreateSecret', { Name: 'db/password', SecretString: 'hunter2', ClientRequestToken: token(1) }),
      first,
    );
    await rejectsWith(
      h.call('CreateSecret', { Name: 'db/password', SecretString: 'other', ClientRequestToken: token(1) }),
      'ResourceExistsException',
      `You can't use ClientRequestToken ${token(1)} because that value is already in use for a version of secret ${String(first.ARN)}.`,
    );
    await rejectsWith(
      h.call('CreateSecret', { Name: 'db/password', SecretString: 'hunter2' }),
      'ResourceExistsException',
      'The operation failed because the secret db/password already exists.',
    );
  });

  it('checks names and values in AWS words, never echoing a value', async () => {
    await rejectsWith(
      h.call('CreateSecret', { Name: 'has space' }),
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
    await rejectsWith(
      h.call('CreateSecret', { Name: '' }),
      'ValidationException',
      "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const long = 'x'.repeat(65537);
    await assert.rejects(h.call('CreateSecret', { Name: 'big', SecretString: long }), (error: Error) => {
      assert.equal(
        error.message,
        "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
      );
      return true;
    });
    await rejectsWith(
      h.call('CreateSecret', { Name: 'tok', SecretString: 'v', ClientRequestToken: 'short' }),
      'ValidationException',
      /Value 'short' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32/,
    );
    await rejectsWith(
      h.call('CreateSecret', { Name: 'r', AddReplicaRegions: [{ Region: 'eu-west-1' }] }),
      'InvalidRequestException',
      /does not support replica Regions/,
    );
  });

  it('stores and reports KmsKeyId (nothing is encrypted with it)', async () => {
    await h.call('CreateSecret', { Name: 'k', SecretString: 'v', KmsKeyId: 'alias/my-key' });
    assert.equal((await h.call('DescribeSecret', { SecretId: 'k' })).KmsKeyId, 'alias/my-key');
    const versions = await h.call('ListSecretVersionIds', { SecretId: 'k' });
    assert.deepEqual((versions.Versions as Wire[])[0]?.KmsKeyIds, ['alias/my-key']);
    await h.call('UpdateSecret', { SecretId: 'k', KmsKeyId: '' });
    assert.equal((await h.call('DescribeSecret', { SecretId: 'k' })).KmsKeyId, undefined);
  });
});

describe('finding a secret', () => {
  it('by name, full ARN and partial ARN; an old ARN does not reach a secret created again under its name', async () => {
    const created = await h.call('CreateSecret', { Name: 'db/password', SecretString: 'one' });
    const arn = String(created.ARN);
    const partial = arn.slice(0, -7);
    for (const id of ['db/password', arn, partial])
      assert.equal((await h.call('DescribeSecret', { SecretId: id })).ARN, arn);
    await h.call('DeleteSecret', { SecretId: arn, ForceDeleteWithoutRecovery: true });
    const again = await h.call('CreateSecret', { Name: 'db/password', SecretString: 'two' });
    assert.notEqual(again.ARN, arn);
    await rejectsWith(
      h.call('GetSecretValue', { SecretId: arn }),
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
    );
    assert.equal((await h.call('GetSecretValue', { SecretId: partial })).SecretString, 'two');
    await rejectsWith(
      h.call('DescribeSecret', { SecretId: arn.replace(ACCOUNT, '999999999999') }),
      'ResourceNotFoundException',
    );
  });
});

describe('UpdateSecret', () => {
  it('changes the description and, with a value, makes a new AWSCURRENT version', async () => {
    await h.call('CreateSecret', { Name: 's', SecretString: 'one', ClientRequestToken: token(1) });
    h.clock.advance(1000);
    const updated = await h.call('UpdateSecret', {
      SecretId: 's',
      SecretString: 'two',
      ClientRequestToken: token(2),
      Description: 'new',
    });
    assert.equal(updated.VersionId, token(2));
    const described = await h.call('DescribeSecret', { SecretId: 's' });
    assert.equal(described.Description, 'new');
    assert.deepEqual(described.VersionIdsToStages, { [token(1)]: ['AWSPREVIOUS'], [token(2)]: ['AWSCURRENT'] });
    assert.equal((described.LastChangedDate as Date).getTime(), START + 1000);
    const metadataOnly = await h.call('UpdateSecret', { SecretId: 's', Description: 'again' });
    assert.equal(metadataOnly.VersionId, undefined);
    await rejectsWith(
      h.call('UpdateSecret', { SecretId: 's', SecretString: 'three', ClientRequestToken: token(2) }),
      'ResourceExistsException',
      /already in use/,
    );
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('schedules deletion 30 days out by default; reads are refused until restored', async () => {
    await h.call('CreateSecret', { Name: 's', SecretString: 'v' });
    const deleted = await h.call('DeleteSecret', { SecretId: 's' });
    assert.equal((deleted.DeletionDate as Date).getTime(), START + 30 * DAY);
    const refused = "You can't perform this operation on the secret because it was marked for deletion.";
    await rejectsWith(h.call('GetSecretValue', { SecretId: 's' }), 'InvalidRequestException', refused);
    await rejectsWith(
      h.call('PutSecretValue', { SecretId: 's', SecretString: 'w' }),
      'InvalidRequestException',
      refused,
    );
    await rejectsWith(h.call('UpdateSecret', { SecretId: 's', Description: 'd' }), 'InvalidRequestException', refused);
    await rejectsWith(h.call('DeleteSecret', { SecretId: 's' }), 'InvalidRequestException', refused);
    await rejectsWith(
      h.call('CreateSecret', { Name: 's' }),
      'InvalidRequestException',
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
    );
    assert.equal((await h.call('DescribeSecret', { SecretId: 's' })).DeletedDate instanceof Date, true);
    assert.deepEqual(((await h.call('ListSecrets')).SecretList as Wire[]).length, 0);
    assert.deepEqual(((await h.call('ListSecrets', { IncludePlannedDeletion: true })).SecretList as Wire[]).length, 1);
    await h.call('RestoreSecret', { SecretId: 's' });
    assert.equal((await h.call('GetSecretValue', { SecretId: 's' })).SecretString, 'v');
    assert.equal((await h.call('DescribeSecret', { SecretId: 's' })).DeletedDate, undefined);
  });

  it('is gone once the recovery window has passed: hidden at once, purged by housekeeping, its name free', async () => {
    await h.call('CreateSecret', { Name: 's', SecretString: 'v' });
    await h.call('DeleteSecret', { SecretId: 's', RecoveryWindowInDays: 7 });
    h.clock.advance(7 * DAY - 1);
    await rejectsWith(h.call('GetSecretValue', { SecretId: 's' }), 'InvalidRequestException');
    h.clock.advance(1);
    await rejectsWith(h.call('DescribeSecret', { SecretId: 's' }), 'ResourceNotFoundException');
    await rejectsWith(h.call('RestoreSecret', { SecretId: 's' }), 'ResourceNotFoundException');
    assert.equal(h.store.purgeDue(h.clock.now().getTime()), 1);
    assert.equal((h.db.prepare('SELECT COUNT(*) AS n FROM sm_versions').get() as { n: number }).n, 0);
    await h.call('CreateSecret', { Name: 's', SecretString: 'new' });
  });

  it('deletes at once with ForceDeleteWithoutRecovery, also what does not exist; checks its parameters', async () => {
    await h.call('CreateSecret', { Name: 's', SecretString: 'v' });
    await h.call('DeleteSecret', { SecretId: 's', RecoveryWindowInDays: 10 });
    const forced = await h.call('DeleteSecret', { SecretId: 's', ForceDeleteWithoutRecovery: true });
    assert.equal((forced.DeletionDate as Date).getTime(), START);
    await rejectsWith(h.call('DescribeSecret', { SecretId: 's' }), 'ResourceNotFoundException');
    const absent = await h.call('DeleteSecret', { SecretId: 'never', ForceDeleteWithoutRecovery: true });
    assert.equal(absent.Name, 'never');
    await rejectsWith(h.call('DeleteSecret', { SecretId: 'never' }), 'ResourceNotFoundException');
    await rejectsWith(
      h.call('DeleteSecret', { SecretId: 'x', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
      'InvalidParameterException',
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
    for (const days of [6, 31]) {
      await rejectsWith(
        h.call('DeleteSecret', { SecretId: 'x', RecoveryWindowInDays: days }),
        'InvalidParameterException',
        'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
      );
    }
  });
});

describe('ListSecrets', () => {
  beforeEach(async () => {
    const secrets = [
      { Name: 'prod/db', Description: 'Primary database', Tags: [{ Key: 'env', Value: 'prod' }] },
      {
        Name: 'prod/api-key',
        Description: 'Payments API key',
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'team', Value: 'payments' },
        ],
      },
      { Name: 'dev/db', Description: 'development database', Tags: [{ Key: 'env', Value: 'dev' }] },
    ];
    for (const secret of secrets) {
      await h.call('CreateSecret', { ...secret, SecretString: 'v' });
      h.clock.advance(1000);
    }
  });
  const names = async (input: Record<string, unknown>) =>
    ((await h.call('ListSecrets', input)).SecretList as Wire[]).map((s) => s.Name);

  it("lists by creation date unless told otherwise, with each entry's versions", async () => {
    assert.deepEqual(await names({}), ['prod/db', 'prod/api-key', 'dev/db']);
    assert.deepEqual(await names({ SortOrder: 'desc' }), ['dev/db', 'prod/api-key', 'prod/db']);
    assert.deepEqual(await names({ SortBy: 'name' }), ['dev/db', 'prod/api-key', 'prod/db']);
    const entry = ((await h.call('ListSecrets', { SortBy: 'name' })).SecretList as Wire[])[0] ?? {};
    assert.equal(Object.keys(entry.SecretVersionsToStages as Wire).length, 1);
    assert.deepEqual(entry.Tags, [{ Key: 'env', Value: 'dev' }]);
  });

  it('filters by name, description, tags and all words, with ! negation', async () => {
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['prod/'] }] }), ['prod/db', 'prod/api-key']);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['Prod/'] }] }), []);
    assert.deepEqual(await names({ Filters: [{ Key: 'description', Values: ['PRIMARY'] }] }), ['prod/db']);
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-key', Values: ['team'] }] }), ['prod/api-key']);
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-value', Values: ['dev', 'pay'] }] }), [
      'prod/api-key',
      'dev/db',
    ]);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['!prod'] }] }), ['dev/db']);
    assert.deepEqual(await names({ Filters: [{ Key: 'all', Values: ['database'] }] }), ['prod/db', 'dev/db']);
    assert.deepEqual(
      await names({
        Filters: [
          { Key: 'name', Values: ['prod'] },
          { Key: 'all', Values: ['db'] },
        ],
      }),
      ['prod/db'],
    );
    assert.deepEqual(await names({ Filters: [{ Key: 'primary-region', Values: [REGION] }] }), [
      'prod/db',
      'prod/api-key',
      'dev/db',
    ]);
    await rejectsWith(
      h.call('ListSecrets', { Filters: [{ Key: 'colour', Values: ['x'] }] }),
      'ValidationException',
      /Member must satisfy enum value set/,
    );
    await rejectsWith(
      h.call('ListSecrets', { Filters: [{ Key: 'name', Values: ['a;b'] }] }),
      'ValidationException',
      /regular expression pattern/,
    );
  });

  it('pages with MaxResults and NextToken; a foreign token is refused', async () => {
    const first = await h.call('ListSecrets', { MaxResults: 2 });
    assert.equal((first.SecretList as Wire[]).length, 2);
    const second = await h.call('ListSecrets', { MaxResults: 2, NextToken: first.NextToken });
    assert.deepEqual(
      (second.SecretList as Wire[]).map((s) => s.Name),
      ['dev/db'],
    );
    assert.equal(second.NextToken, undefined);
    await rejectsWith(
      h.call('ListSecrets', { NextToken: 'garbage' }),
      'InvalidNextTokenException',
      'The NextToken value is invalid.',
    );
    await rejectsWith(h.call('ListSecrets', { MaxResults: 101 }), 'ValidationException', /less than or equal to 100/);
  });
});

describe('tags', () => {
  it('adds, replaces and removes tags; a removed key that is absent changes nothing', async () => {
    await h.call('CreateSecret', { Name: 's', Tags: [{ Key: 'a', Value: '1' }] });
    await h.call('TagResource', {
      SecretId: 's',
      Tags: [
        { Key: 'a', Value: '2' },
        { Key: 'b', Value: '3' },
      ],
    });
    assert.deepEqual((await h.call('DescribeSecret', { SecretId: 's' })).Tags, [
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ]);
    await h.call('UntagResource', { SecretId: 's', TagKeys: ['a', 'zzz'] });
    assert.deepEqual((await h.call('DescribeSecret', { SecretId: 's' })).Tags, [{ Key: 'b', Value: '3' }]);
    await rejectsWith(h.call('TagResource', { SecretId: 'nope', Tags: [] }), 'ResourceNotFoundException');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(
      h.call('TagResource', { SecretId: 's', Tags: many }),
      'InvalidParameterException',
      /at most 50 tags/,
    );
  });
});

describe('resource policies', () => {
  const policy = (principal: unknown) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: principal, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    });

  it('puts, gets and deletes a policy; a malformed one is refused; BlockPublicPolicy refuses Principal *', async () => {
    await h.call('CreateSecret', { Name: 's', SecretString: 'v' });
    assert.equal((await h.call('GetResourcePolicy', { SecretId: 's' })).ResourcePolicy, undefined);
    const text = policy({ AWS: `arn:aws:iam::${ACCOUNT}:role/reader` });
    await h.call('PutResourcePolicy', { SecretId: 's', ResourcePolicy: text });
    assert.equal((await h.call('GetResourcePolicy', { SecretId: 's' })).ResourcePolicy, text);
    assert.equal((await h.authorize('GetSecretValue', { SecretId: 's' }))[0]?.resourcePolicy, text);
    await rejectsWith(
      h.call('PutResourcePolicy', { SecretId: 's', ResourcePolicy: '{"Statement":' }),
      'MalformedPolicyDocumentException',
    );
    await rejectsWith(
      h.call('PutResourcePolicy', { SecretId: 's', ResourcePolicy: policy('*'), BlockPublicPolicy: true }),
      'PublicPolicyException',
    );
    await h.call('PutResourcePolicy', { SecretId: 's', ResourcePolicy: policy('*') });
    await h.call('DeleteResourcePolicy', { SecretId: 's' });
    assert.equal((await h.call('GetResourcePolicy', { SecretId: 's' })).ResourcePolicy, undefined);
    assert.equal((await h.authorize('GetSecretValue', { SecretId: 's' }))[0]?.resourcePolicy, undefined);
    assert.deepEqual(await h.call('ValidateResourcePolicy', { ResourcePolicy: text }), {
      PolicyValidationPassed: true,
      ValidationErrors: [],
    });
    assert.equal((await h.call('ValidateResourcePolicy', { ResourcePolicy: '{}' })).PolicyValidationPassed, false);
  });
});

describe('authorizations', () => {
  it('names the secret ARN, its tags and the request keys; a secret that does not exist as sent; the new ARN on create', async () => {
    const created = await h.call('CreateSecret', {
      Name: 's',
      SecretString: 'v',
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    const [get] = await h.authorize('GetSecretValue', { SecretId: 's', VersionStage: 'AWSPREVIOUS' });
    assert.equal(get?.action, 'secretsmanager:GetSecretValue');
    assert.equal(get?.resource, created.ARN);
    assert.equal(get?.context?.['aws:ResourceTag/env'], 'prod');
    assert.equal(get?.context?.['secretsmanager:ResourceTag/env'], 'prod');
    assert.equal(get?.context?.['secretsmanager:VersionStage'], 'AWSPREVIOUS');
    assert.equal((await h.authorize('DescribeSecret', { SecretId: 'missing' }))[0]?.resource, 'missing');
    const create = await h.authorize('CreateSecret', { Name: 'n', Tags: [{ Key: 'k', Value: 'v' }] });
    assert.deepEqual(
      create.map((a) => a.action),
      ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    );
    assert.match(String(create[0]?.resource), /:secret:n-[A-Za-z0-9]{6}$/);
    assert.deepEqual(await h.authorize('ListSecrets'), [
      { action: 'secretsmanager:ListSecrets', resource: '*', unnamedResource: true },
    ]);
  });
});

describe('GetRandomPassword', () => {
  it('draws from the classes left in, one of each unless told otherwise', async () => {
    const plain = String((await h.call('GetRandomPassword')).RandomPassword);
    assert.equal(plain.length, 32);
    const digits = String(
      (
        await h.call('GetRandomPassword', {
          PasswordLength: 50,
          ExcludeUppercase: true,
          ExcludeLowercase: true,
          ExcludePunctuation: true,
        })
      ).RandomPassword,
    );
    assert.match(digits, /^[0-9]{50}$/);
    const excluded = String(
      (await h.call('GetRandomPassword', { PasswordLength: 200, ExcludeCharacters: 'abc123' })).RandomPassword,
    );
    assert.doesNotMatch(excluded, /[abc123]/);
    const each = String((await h.call('GetRandomPassword', { PasswordLength: 4, IncludeSpace: false })).RandomPassword);
    for (const cls of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) assert.match(each, cls);
    await rejectsWith(
      h.call('GetRandomPassword', { PasswordLength: 3 }),
      'InvalidParameterException',
      'Password length is too short based on the required types.',
    );
    await rejectsWith(
      h.call('GetRandomPassword', { PasswordLength: 4097 }),
      'ValidationException',
      /less than or equal to 4096/,
    );
  });
});
