/**
 * Reading parameters: GetParameter and GetParameters with names, ARNs and selectors,
 * SecureString with and without WithDecryption, GetParametersByPath (one level or recursive,
 * filters, paging of at most 10), DescribeParameters' filters and paging, GetParameterHistory.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACCOUNT, createHarness, REGION, rejectsWith, type SsmHarness, type Wire } from './fixtures.js';

let h: SsmHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const names = (out: Wire) => (out.Parameters as Wire[]).map((p) => p.Name);

describe('GetParameter and GetParameters', () => {
  beforeEach(async () => {
    await h.put('/app/url', 'one');
    await h.call('PutParameter', { Name: '/app/url', Value: 'two', Overwrite: true });
    await h.call('LabelParameterVersion', { Name: '/app/url', ParameterVersion: 1, Labels: ['stable'] });
  });

  it('reads by name, ARN, :version and :label, and says which in Selector', async () => {
    const read = async (name: string) => (await h.call('GetParameter', { Name: name })).Parameter as Wire;
    assert.deepEqual([(await read('/app/url')).Value, (await read('/app/url')).Selector], ['two', undefined]);
    assert.equal((await read(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/url`)).Value, 'two');
    assert.deepEqual(
      [(await read('/app/url:1')).Value, (await read('/app/url:1')).Selector, (await read('/app/url:1')).Version],
      ['one', ':1', 1],
    );
    assert.deepEqual(
      [(await read('/app/url:stable')).Value, (await read('/app/url:stable')).Selector],
      ['one', ':stable'],
    );
    await rejectsWith(
      h.call('GetParameter', { Name: '/app/url:3' }),
      'ParameterVersionNotFound',
      'Systems Manager could not find version 3 of /app/url. Verify the version and try again.',
    );
    await rejectsWith(h.call('GetParameter', { Name: '/app/url:nolabel' }), 'ParameterNotFound');
    await rejectsWith(
      h.call('GetParameter', { Name: `arn:aws:ssm:${REGION}:999999999999:parameter/app/url` }),
      'ParameterNotFound',
    );
    assert.equal((await read('  /app/url ')).Value, 'two');
    await rejectsWith(
      h.call('GetParameter', { Name: '/app/my url' }),
      'ValidationException',
      /can't be prefixed with "ssm"/,
    );
  });

  it('GetParameters answers what it found by name and the rest in InvalidParameters', async () => {
    await h.put('/app/a', 'a');
    const out = await h.call('GetParameters', {
      Names: ['/app/url', '/app/missing', '/app/a', '/app/url:7', '/app/url:stable'],
    });
    assert.deepEqual(
      (out.Parameters as Wire[]).map((p) => [p.Name, p.Value]),
      [
        ['/app/a', 'a'],
        ['/app/url', 'two'],
        ['/app/url', 'one'],
      ],
    );
    assert.deepEqual(out.InvalidParameters, ['/app/missing', '/app/url:7']);
    assert.deepEqual(await h.call('GetParameters', { Names: ['/x'] }), { Parameters: [], InvalidParameters: ['/x'] });
  });

  it('answers a SecureString as given only WithDecryption, otherwise as a fixed KMS-shaped ciphertext', async () => {
    await h.put('/app/password', 'hunter2', { Type: 'SecureString' });
    const hidden = (await h.call('GetParameter', { Name: '/app/password' })).Parameter as Wire;
    assert.match(String(hidden.Value), /^AQICAH[A-Za-z0-9+/]+=*$/);
    assert.ok(!String(hidden.Value).includes('hunter2'));
    assert.ok(!Buffer.from(String(hidden.Value), 'base64').toString('latin1').includes('hunter2'));
    assert.equal(((await h.call('GetParameter', { Name: '/app/password' })).Parameter as Wire).Value, hidden.Value);
    assert.equal(
      ((await h.call('GetParameter', { Name: '/app/password', WithDecryption: true })).Parameter as Wire).Value,
      'hunter2',
    );
    // WithDecryption does not change other types.
    assert.equal(
      ((await h.call('GetParameter', { Name: '/app/url', WithDecryption: true })).Parameter as Wire).Value,
      'two',
    );
    const history = (await h.call('GetParameterHistory', { Name: '/app/password' })).Parameters as Wire[];
    assert.deepEqual([history[0]?.Value, history[0]?.KeyId], [hidden.Value, 'alias/aws/ssm']);
    await h.put('/app/keyed', 'k', { Type: 'SecureString', KeyId: 'alias/app' });
    const [meta] = (await h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Name', Values: ['/app/keyed'] }] }))
      .Parameters as Wire[];
    assert.equal(meta?.KeyId, 'alias/app');
  });
});

describe('GetParametersByPath', () => {
  beforeEach(async () => {
    for (const name of [
      '/app/prod/db',
      '/app/prod/api/key',
      '/app/prod/api/url',
      '/app/dev/db',
      '/app/top',
      'root-level',
    ])
      await h.put(name, `value of ${name}`);
    await h.put('/app/prod/secret', 's', { Type: 'SecureString' });
  });

  it('answers one level under the path, or every level with Recursive', async () => {
    assert.deepEqual(names(await h.call('GetParametersByPath', { Path: '/app/prod' })), [
      '/app/prod/db',
      '/app/prod/secret',
    ]);
    assert.deepEqual(names(await h.call('GetParametersByPath', { Path: '/app/prod/' })), [
      '/app/prod/db',
      '/app/prod/secret',
    ]);
    assert.deepEqual(names(await h.call('GetParametersByPath', { Path: '/app/prod', Recursive: true })), [
      '/app/prod/api/key',
      '/app/prod/api/url',
      '/app/prod/db',
      '/app/prod/secret',
    ]);
    assert.deepEqual(names(await h.call('GetParametersByPath', { Path: '/' })), ['root-level']);
    assert.equal(names(await h.call('GetParametersByPath', { Path: '/', Recursive: true })).length, 7);
    assert.deepEqual(names(await h.call('GetParametersByPath', { Path: '/nothing' })), []);
    await rejectsWith(
      h.call('GetParametersByPath', { Path: 'app' }),
      'ValidationException',
      /must begin with a forward slash/,
    );
  });

  it('decrypts only when asked, and filters by Type, KeyId and Label', async () => {
    const secret = async (decrypt: boolean) =>
      ((await h.call('GetParametersByPath', { Path: '/app/prod', WithDecryption: decrypt })).Parameters as Wire[]).find(
        (p) => p.Name === '/app/prod/secret',
      )?.Value;
    assert.match(String(await secret(false)), /^AQICAH/);
    assert.equal(await secret(true), 's');
    assert.deepEqual(
      names(
        await h.call('GetParametersByPath', {
          Path: '/app',
          Recursive: true,
          ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
        }),
      ),
      ['/app/prod/secret'],
    );
    assert.deepEqual(
      names(
        await h.call('GetParametersByPath', {
          Path: '/app',
          Recursive: true,
          ParameterFilters: [{ Key: 'KeyId', Values: ['alias/aws/ssm'] }],
        }),
      ),
      ['/app/prod/secret'],
    );
    await h.call('PutParameter', { Name: '/app/prod/db', Value: 'new', Overwrite: true });
    await h.call('LabelParameterVersion', { Name: '/app/prod/db', ParameterVersion: 1, Labels: ['release'] });
    const labelled = (
      await h.call('GetParametersByPath', {
        Path: '/app',
        Recursive: true,
        ParameterFilters: [{ Key: 'Label', Values: ['release'] }],
      })
    ).Parameters as Wire[];
    assert.deepEqual(
      labelled.map((p) => [p.Name, p.Version]),
      [['/app/prod/db', 1]],
    );
    await rejectsWith(
      h.call('GetParametersByPath', { Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] }),
      'InvalidFilterKey',
      'The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].',
    );
    await rejectsWith(
      h.call('GetParametersByPath', { Path: '/app', ParameterFilters: [{ Key: 'Type', Values: ['Secret'] }] }),
      'InvalidFilterValue',
    );
    await rejectsWith(
      h.call('GetParametersByPath', {
        Path: '/app',
        ParameterFilters: [{ Key: 'Label', Option: 'BeginsWith', Values: ['r'] }],
      }),
      'InvalidFilterOption',
    );
  });

  it('pages at most 10 at a time, by name', async () => {
    for (let i = 0; i < 12; i++) await h.put(`/many/p${String(i).padStart(2, '0')}`, 'v');
    const seen: unknown[] = [];
    let token: unknown;
    let pages = 0;
    do {
      const out = await h.call('GetParametersByPath', {
        Path: '/many',
        MaxResults: 5,
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...names(out));
      token = out.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      Array.from({ length: 12 }, (_, i) => `/many/p${String(i).padStart(2, '0')}`),
    );
    assert.equal(names(await h.call('GetParametersByPath', { Path: '/many' })).length, 10);
    await rejectsWith(
      h.call('GetParametersByPath', { Path: '/many', MaxResults: 11 }),
      'ValidationException',
      /less than or equal to 10/,
    );
    await rejectsWith(h.call('GetParametersByPath', { Path: '/many', NextToken: 'nope' }), 'InvalidNextToken');
  });
});

describe('DescribeParameters', () => {
  beforeEach(async () => {
    await h.put('/app/prod/db', 'v', { Tags: [{ Key: 'env', Value: 'prod' }] });
    await h.put('/app/prod/key', 'v', { Type: 'SecureString' });
    await h.put('/app/dev/db', 'v', { Tier: 'Advanced', Tags: [{ Key: 'env', Value: 'dev' }] });
    await h.put('plain', 'a,b', { Type: 'StringList' });
  });
  const described = async (input: Record<string, unknown>) => names(await h.call('DescribeParameters', input));

  it('filters by Name, Path, Type, Tier, KeyId, DataType and tags', async () => {
    assert.deepEqual(await described({}), ['/app/dev/db', '/app/prod/db', '/app/prod/key', 'plain']);
    assert.deepEqual(
      await described({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/prod'] }] }),
      ['/app/prod/db', '/app/prod/key'],
    );
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Name', Option: 'Contains', Values: ['db'] }] }), [
      '/app/dev/db',
      '/app/prod/db',
    ]);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Name', Values: ['/plain'] }] }), ['plain']);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Path', Values: ['/app'] }] }), []);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/app'] }] }), [
      '/app/dev/db',
      '/app/prod/db',
      '/app/prod/key',
    ]);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Type', Values: ['StringList', 'SecureString'] }] }), [
      '/app/prod/key',
      'plain',
    ]);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'Tier', Values: ['Advanced'] }] }), ['/app/dev/db']);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'KeyId', Values: ['alias/aws/ssm'] }] }), [
      '/app/prod/key',
    ]);
    assert.deepEqual(
      await described({ ParameterFilters: [{ Key: 'DataType', Values: ['text'] }] }).then((n) => n.length),
      4,
    );
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'tag:env', Values: ['prod'] }] }), ['/app/prod/db']);
    assert.deepEqual(await described({ ParameterFilters: [{ Key: 'tag:env' }] }), ['/app/dev/db', '/app/prod/db']);
    assert.deepEqual(await described({ Filters: [{ Key: 'Name', Values: ['/app/dev'] }] }), ['/app/dev/db']);
    const metadata =
      (
        (await h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Name', Values: ['/app/prod/key'] }] }))
          .Parameters as Wire[]
      )[0] ?? {};
    assert.equal(metadata.Value, undefined);
    assert.equal(metadata.ARN, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/prod/key`);
  });

  it('refuses bad filters in Parameter Store words', async () => {
    await rejectsWith(
      h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Label', Values: ['x'] }] }),
      'InvalidFilterKey',
      /Label/,
    );
    await rejectsWith(
      h.call('DescribeParameters', {
        ParameterFilters: [
          { Key: 'Name', Values: ['a'] },
          { Key: 'Name', Values: ['b'] },
        ],
      }),
      'InvalidFilterKey',
      'The following filter is duplicated in the request: Name. A request can contain only one occurrence of a specific filter.',
    );
    await rejectsWith(
      h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Path', Option: 'Deep', Values: ['/a'] }] }),
      'InvalidFilterOption',
      'The following filter option is not valid: Deep. Valid options include: [Recursive, OneLevel].',
    );
    await rejectsWith(
      h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Tier', Values: ['Gold'] }] }),
      'InvalidFilterValue',
    );
    await rejectsWith(
      h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Colour', Values: ['x'] }] }),
      'ValidationException',
      /regular expression pattern/,
    );
    await rejectsWith(
      h.call('DescribeParameters', {
        Filters: [{ Key: 'Name', Values: ['x'] }],
        ParameterFilters: [{ Key: 'Name', Values: ['x'] }],
      }),
      'ValidationException',
      'You can use either Filters or ParameterFilters in a single request.',
    );
    await rejectsWith(h.call('DescribeParameters', { Shared: true }), 'ValidationException', /shared parameters/);
  });

  it('pages 10 at a time by default, up to 50', async () => {
    for (let i = 0; i < 11; i++) await h.put(`/page/p${String(i).padStart(2, '0')}`, 'v');
    const first = await h.call('DescribeParameters', { ParameterFilters: [{ Key: 'Path', Values: ['/page'] }] });
    assert.equal(names(first).length, 10);
    const second = await h.call('DescribeParameters', {
      ParameterFilters: [{ Key: 'Path', Values: ['/page'] }],
      NextToken: first.NextToken,
    });
    assert.deepEqual(names(second), ['/page/p10']);
    assert.equal(second.NextToken, undefined);
    await rejectsWith(h.call('DescribeParameters', { MaxResults: 51 }), 'ValidationException');
  });
});

describe('GetParameterHistory', () => {
  it('lists every version oldest first with who put it, and pages', async () => {
    await h.put('/h', 'v1', { Description: 'first' });
    for (let n = 2; n <= 5; n++) await h.call('PutParameter', { Name: '/h', Value: `v${n}`, Overwrite: true });
    const first = await h.call('GetParameterHistory', { Name: '/h', MaxResults: 3 });
    assert.deepEqual(
      (first.Parameters as Wire[]).map((v) => [v.Version, v.Value, v.Description]),
      [
        [1, 'v1', 'first'],
        [2, 'v2', 'first'],
        [3, 'v3', 'first'],
      ],
    );
    const rest = await h.call('GetParameterHistory', { Name: '/h', MaxResults: 3, NextToken: first.NextToken });
    assert.deepEqual(
      (rest.Parameters as Wire[]).map((v) => v.Version),
      [4, 5],
    );
    assert.equal(rest.NextToken, undefined);
    assert.equal((first.Parameters as Wire[])[0]?.LastModifiedUser, `arn:aws:iam::${ACCOUNT}:root`);
    await rejectsWith(
      h.call('GetParameterHistory', { Name: '/none' }),
      'ParameterNotFound',
      'Parameter /none not found.',
    );
  });
});
