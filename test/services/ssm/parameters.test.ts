/**
 * PutParameter and the writes around it: types, Overwrite and versions, names and their
 * rules, tiers and value limits, AllowedPattern (a pattern that backtracks for ever is cut
 * off), data types, the version quota with labels holding the oldest, labels, tags, deletes
 * and the authorizations each operation asks for.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACCOUNT, createHarness, REGION, rejectsWith, START, type SsmHarness, type Wire } from './fixtures.js';

let h: SsmHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const get = async (name: string, decrypt = false) =>
  (await h.call('GetParameter', { Name: name, WithDecryption: decrypt })).Parameter as Wire;

describe('PutParameter', () => {
  it('creates version 1, needs Overwrite for version 2, which keeps what it does not change', async () => {
    assert.deepEqual(
      await h.put('/app/db-url', 'postgres://one', { Description: 'the db', AllowedPattern: '^postgres://.*' }),
      { Version: 1, Tier: 'Standard' },
    );
    await rejectsWith(
      h.put('/app/db-url', 'postgres://two'),
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
    h.clock.advance(1000);
    assert.deepEqual(await h.call('PutParameter', { Name: '/app/db-url', Value: 'postgres://two', Overwrite: true }), {
      Version: 2,
      Tier: 'Standard',
    });
    const parameter = await get('/app/db-url');
    assert.deepEqual(
      { ...parameter, LastModifiedDate: (parameter.LastModifiedDate as Date).getTime() },
      {
        Name: '/app/db-url',
        Type: 'String',
        Value: 'postgres://two',
        Version: 2,
        Selector: undefined,
        LastModifiedDate: START + 1000,
        ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db-url`,
        DataType: 'text',
      },
    );
    const [meta] = (await h.call('DescribeParameters')).Parameters as Wire[];
    assert.equal(meta?.Description, 'the db');
    assert.equal(meta?.AllowedPattern, '^postgres://.*');
    assert.equal(meta?.LastModifiedUser, `arn:aws:iam::${ACCOUNT}:root`);
    await rejectsWith(
      h.call('PutParameter', { Name: '/app/db-url', Value: 'mysql://x', Overwrite: true }),
      'ParameterPatternMismatchException',
      'Parameter value, cannot be validated against allowedPattern: ^postgres://.*',
    );
  });

  it('needs a type to create, refuses changing it, and keeps StringList values as given', async () => {
    await rejectsWith(
      h.call('PutParameter', { Name: 'x', Value: 'v' }),
      'ValidationException',
      'A parameter type is required when you create a parameter.',
    );
    await h.put('hosts', 'a,b,c', { Type: 'StringList' });
    assert.equal((await get('hosts')).Value, 'a,b,c');
    await rejectsWith(
      h.call('PutParameter', { Name: 'hosts', Value: 'a', Type: 'SecureString', Overwrite: true }),
      'HierarchyTypeMismatchException',
    );
    await rejectsWith(
      h.call('PutParameter', { Name: 'y', Value: 'v', Type: 'Text' }),
      'ValidationException',
      /Member must satisfy enum value set: \[String, StringList, SecureString\]/,
    );
    await rejectsWith(
      h.put('z', 'v', { KeyId: 'alias/mine' }),
      'ValidationException',
      /KeyId is supported for SecureString parameters only/,
    );
  });

  it('names one-level parameters with or without their slash, and checks names in AWS words', async () => {
    await h.put('/single', 'v');
    assert.equal((await get('single')).Name, '/single');
    assert.equal((await get('/single')).ARN, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/single`);
    await rejectsWith(h.put('single', 'w'), 'ParameterAlreadyExists');
    const invalidName = `Parameter name: can't be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`;
    for (const name of ['has space', 'a/b', '/a//b', '/a/b/', 'email@x', '/ssm/x'])
      await rejectsWith(h.put(name, 'v'), 'ValidationException', invalidName);
    await rejectsWith(
      h.put('awsThing', 'v'),
      'ValidationException',
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`,
    );
    await rejectsWith(
      h.put('/aws/service/x', 'v'),
      'AccessDeniedException',
      'No access to reserved parameter name: /aws/service/x.',
    );
    await rejectsWith(
      h.put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'v'),
      'HierarchyLevelLimitExceededException',
    );
    await rejectsWith(h.put(`/${'n'.repeat(1000)}`, 'v'), 'ValidationException', /at most 966/);
    // Spaces around a name are removed, as Parameter Store does.
    await h.put('  /trimmed  ', 'v');
    assert.equal((await get('/trimmed')).Name, '/trimmed');
  });

  it('keeps values within their tier: Standard 4096, Advanced 8192, Intelligent-Tiering picks; never back to Standard', async () => {
    await rejectsWith(
      h.put('/big', 'x'.repeat(4097)),
      'ValidationException',
      /^Standard tier parameters support a maximum parameter value of 4096 characters/,
    );
    assert.deepEqual(await h.put('/big', 'x'.repeat(4097), { Tier: 'Intelligent-Tiering' }), {
      Version: 1,
      Tier: 'Advanced',
    });
    assert.deepEqual(await h.put('/small', 'x', { Tier: 'Intelligent-Tiering' }), { Version: 1, Tier: 'Standard' });
    await rejectsWith(h.put('/huge', 'x'.repeat(8193), { Tier: 'Advanced' }), 'ValidationException', /8192/);
    await rejectsWith(
      h.call('PutParameter', { Name: '/big', Value: 'y', Tier: 'Standard', Overwrite: true }),
      'ValidationException',
      /advanced parameter to a standard/,
    );
    assert.deepEqual(await h.call('PutParameter', { Name: '/big', Value: 'y', Overwrite: true }), {
      Version: 2,
      Tier: 'Advanced',
    });
    await rejectsWith(
      h.call('PutParameter', { Name: '/e', Value: '', Type: 'String' }),
      'ValidationException',
      "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('cuts off an AllowedPattern that backtracks for ever, and refuses one that does not compile', async () => {
    const started = Date.now();
    await rejectsWith(
      h.put('/redos', `${'a'.repeat(40)}b`, { AllowedPattern: '(a+)+$' }),
      'InvalidAllowedPatternException',
      /longer than 100 ms/,
    );
    assert.ok(Date.now() - started < 5000);
    await rejectsWith(
      h.put('/bad', 'v', { AllowedPattern: '([' }),
      'InvalidAllowedPatternException',
      /not a valid regular expression/,
    );
    await h.put('/digits', '12345', { AllowedPattern: '\\d+' });
    await rejectsWith(h.put('/digits2', '123a', { AllowedPattern: '\\d+' }), 'ParameterPatternMismatchException');
  });

  it('accepts the text and aws:ec2:image data types, and refuses the rest loudly', async () => {
    await h.put('/ami', 'ami-0123456789abcdef0', { DataType: 'aws:ec2:image' });
    assert.equal((await get('/ami')).DataType, 'aws:ec2:image');
    await rejectsWith(
      h.put('/ami2', 'not-an-image', { DataType: 'aws:ec2:image' }),
      'ValidationException',
      /Amazon Machine Image/,
    );
    await rejectsWith(
      h.put('/t', 'v', { DataType: 'Text' }),
      'ValidationException',
      'The following data type is not supported: Text (Data type names are all lowercase.)',
    );
    await rejectsWith(h.put('/i', 'v', { DataType: 'aws:ssm:integration' }), 'ValidationException', /does not support/);
    await rejectsWith(
      h.put('/p', 'v', { Policies: '[]' }),
      'ValidationException',
      /does not support parameter policies/,
    );
  });

  it('keeps 100 versions: the oldest goes unless a label holds it', async () => {
    await h.put('/v', '1');
    for (let n = 2; n <= 100; n++) await h.call('PutParameter', { Name: '/v', Value: String(n), Overwrite: true });
    await h.call('LabelParameterVersion', { Name: '/v', ParameterVersion: 1, Labels: ['first'] });
    await rejectsWith(
      h.call('PutParameter', { Name: '/v', Value: '101', Overwrite: true }),
      'ParameterMaxVersionLimitExceeded',
      /Version 1, the oldest version, can't be deleted because it has a label/,
    );
    await h.call('UnlabelParameterVersion', { Name: '/v', ParameterVersion: 1, Labels: ['first'] });
    assert.deepEqual(await h.call('PutParameter', { Name: '/v', Value: '101', Overwrite: true }), {
      Version: 101,
      Tier: 'Standard',
    });
    await rejectsWith(
      h.call('GetParameter', { Name: '/v:1' }),
      'ParameterVersionNotFound',
      'Systems Manager could not find version 1 of /v. Verify the version and try again.',
    );
    // One-level names are stored without their slash.
    assert.equal(h.store.versions('v').length, 100);
  });
});

describe('labels', () => {
  beforeEach(async () => {
    await h.put('/l', 'one');
    await h.call('PutParameter', { Name: '/l', Value: 'two', Overwrite: true });
  });

  it('labels the latest version by default, moves a label between versions, and reports invalid ones', async () => {
    assert.deepEqual(await h.call('LabelParameterVersion', { Name: '/l', Labels: ['prod'] }), {
      InvalidLabels: undefined,
      ParameterVersion: 2,
    });
    assert.deepEqual(
      await h.call('LabelParameterVersion', {
        Name: '/l',
        ParameterVersion: 1,
        Labels: ['prod', '1st', 'awsy', 'ok.label-_x', 'bad label'],
      }),
      {
        InvalidLabels: ['1st', 'awsy', 'bad label'],
        ParameterVersion: 1,
      },
    );
    const history = (await h.call('GetParameterHistory', { Name: '/l' })).Parameters as Wire[];
    assert.deepEqual(
      history.map((v) => v.Labels),
      [['ok.label-_x', 'prod'], []],
    );
    assert.equal((await get('/l:prod')).Value, 'one');
    await rejectsWith(
      h.call('LabelParameterVersion', { Name: '/l', ParameterVersion: 9, Labels: ['x'] }),
      'ParameterVersionNotFound',
    );
    await rejectsWith(
      h.call('LabelParameterVersion', { Name: '/none', Labels: ['x'] }),
      'ParameterNotFound',
      'Parameter /none not found.',
    );
  });

  it('allows 10 labels on a version; unlabels what it has and reports what it has not', async () => {
    await h.call('LabelParameterVersion', { Name: '/l', Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) });
    await rejectsWith(
      h.call('LabelParameterVersion', { Name: '/l', Labels: ['eleventh'] }),
      'ParameterVersionLabelLimitExceeded',
    );
    assert.deepEqual(
      await h.call('UnlabelParameterVersion', { Name: '/l', ParameterVersion: 2, Labels: ['l0', 'nope'] }),
      { RemovedLabels: ['l0'], InvalidLabels: ['nope'] },
    );
    await rejectsWith(
      h.call('UnlabelParameterVersion', { Name: '/l', Labels: ['l1'] }),
      'ValidationException',
      /parameterVersion' failed to satisfy constraint: Member must not be null/,
    );
  });
});

describe('tags', () => {
  it('tags on create, then adds, lists and removes; only parameters; never with Overwrite', async () => {
    await h.put('/t', 'v', { Tags: [{ Key: 'team', Value: 'a' }] });
    await h.call('AddTagsToResource', {
      ResourceType: 'Parameter',
      ResourceId: '/t',
      Tags: [
        { Key: 'team', Value: 'b' },
        { Key: 'env', Value: 'prod' },
      ],
    });
    assert.deepEqual((await h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/t' })).TagList, [
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'prod' },
    ]);
    await h.call('RemoveTagsFromResource', { ResourceType: 'Parameter', ResourceId: '/t', TagKeys: ['team'] });
    assert.deepEqual((await h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/t' })).TagList, [
      { Key: 'env', Value: 'prod' },
    ]);
    await rejectsWith(
      h.call('ListTagsForResource', { ResourceType: 'Document', ResourceId: '/t' }),
      'InvalidResourceType',
    );
    await rejectsWith(
      h.call('ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/none' }),
      'InvalidResourceId',
    );
    await rejectsWith(
      h.call('PutParameter', { Name: '/t', Value: 'w', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }),
      'ValidationException',
      /tags and overwrite can't be used together/,
    );
    await rejectsWith(
      h.put('/t2', 'v', { Tags: [{ Key: 'bad!key', Value: 'v' }] }),
      'ValidationException',
      /regular expression pattern/,
    );
  });
});

describe('deletes', () => {
  it('DeleteParameter removes every version; DeleteParameters reports what it found and what not', async () => {
    await h.put('/a', '1');
    await h.put('b', '2');
    await h.call('DeleteParameter', { Name: '/a' });
    await rejectsWith(h.call('GetParameter', { Name: '/a' }), 'ParameterNotFound', '');
    await rejectsWith(h.call('DeleteParameter', { Name: '/a' }), 'ParameterNotFound', 'Parameter /a not found.');
    assert.deepEqual(await h.call('DeleteParameters', { Names: ['/b', '/nope'] }), {
      DeletedParameters: ['/b'],
      InvalidParameters: ['/nope'],
    });
    assert.deepEqual(await h.put('/a', 'again'), { Version: 1, Tier: 'Standard' });
    await rejectsWith(
      h.call('DeleteParameters', { Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) }),
      'ValidationException',
      /less than or equal to 10/,
    );
  });
});

describe('authorizations', () => {
  it('names the parameter ARN (no doubled slash) and its tags; AddTagsToResource beside a tagged create; paths and accounts', async () => {
    await h.put('/app/db', 'v', { Tags: [{ Key: 'env', Value: 'prod' }] });
    const [read] = await h.authorize('GetParameter', { Name: '/app/db:3' });
    assert.equal(read?.action, 'ssm:GetParameter');
    assert.equal(read?.resource, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db`);
    assert.equal(read?.context?.['ssm:resourceTag/env'], 'prod');
    assert.equal(
      (await h.authorize('GetParameter', { Name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/db` }))[0]?.resource,
      read?.resource,
    );
    assert.equal(
      (await h.authorize('GetParameter', { Name: 'plain' }))[0]?.resource,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/plain`,
    );
    assert.deepEqual(
      (
        await h.authorize('PutParameter', { Name: '/n', Value: 'v', Type: 'String', Tags: [{ Key: 'k', Value: 'v' }] })
      ).map((a) => a.action),
      ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    );
    assert.deepEqual(
      (await h.authorize('GetParameters', { Names: ['/a', '/b'] })).map((a) => a.resource),
      [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/a`, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/b`],
    );
    assert.equal(
      (await h.authorize('GetParametersByPath', { Path: '/app/' }))[0]?.resource,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app`,
    );
    assert.equal(
      (await h.authorize('GetParametersByPath', { Path: '/' }))[0]?.resource,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/`,
    );
    assert.equal((await h.authorize('DescribeParameters'))[0]?.resource, `arn:aws:ssm:${REGION}:${ACCOUNT}:*`);
  });
});
