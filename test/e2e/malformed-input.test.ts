/**
 * Acceptance: malformed input gets AWS's 4xx error and the server keeps serving; a fuzz run
 * sends at least 1,000 random requests per protocol (signed and unsigned) with 0 crashes
 * and 0 5xx answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { random } from '../support/random.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { jsonTarget, QUERY_TYPE, send, signRequest } from '../support/sign.js';

describe('malformed input', () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(async () => cloud.stop());

  const iam = (body: string) => signRequest(cloud, 'iam', body, QUERY_TYPE, cloud.admin).then((r) => send(cloud, r));

  it('answers bad JSON with SerializationException', async () => {
    const result = await send(
      cloud,
      await signRequest(
        cloud,
        'ecs',
        '{"clusters": [',
        jsonTarget('AmazonEC2ContainerServiceV20141113.DescribeClusters'),
        cloud.admin,
      ),
    );
    assert.equal(result.status, 400);
    assert.equal((JSON.parse(result.body) as { __type: string }).__type, 'SerializationException');
  });

  it('answers bad form fields with ValidationError in AWS words', async () => {
    const result = await iam(
      'Action=CreateRole&Version=2010-05-08&RoleName=bad%20name&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=abc',
    );
    assert.equal(result.status, 400);
    assert.match(result.body, /<Code>ValidationError<\/Code>/);
    assert.match(
      result.body,
      /2 validation errors detected: Value &apos;bad name&apos; at &apos;roleName&apos; failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });

  it('answers invalid policy documents with MalformedPolicyDocument', async () => {
    for (const doc of [
      'not json',
      '{}',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
      '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}',
    ]) {
      const result = await iam(
        `Action=CreateRole&Version=2010-05-08&RoleName=r${Math.random().toString(36).slice(2, 8)}&AssumeRolePolicyDocument=${encodeURIComponent(doc)}`,
      );
      assert.equal(result.status, 400, doc);
      assert.match(result.body, /<Code>MalformedPolicyDocument<\/Code>/, doc);
    }
  });

  it('refuses oversized bodies with 413 and keeps serving', async () => {
    const huge = 'Action=ListRoles&Version=2010-05-08&Pad=' + 'x'.repeat(5 * 1024 * 1024);
    const result = await fetch(cloud.url, { method: 'POST', headers: QUERY_TYPE, body: huge });
    assert.equal(result.status, 413);
    assert.match(await result.text(), /RequestEntityTooLarge/);
    assert.equal((await fetch(`${cloud.url}/_dockyard/health`)).status, 200);
  });

  it('survives a fuzz run of 1,000 random requests per protocol with no 5xx', async () => {
    const seed = Number(process.env.DOCKYARD_FUZZ_SEED ?? Date.now() % 1e9);
    const rand = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
    const junk = () => {
      const kinds = [
        () => '',
        () => 'x'.repeat(Math.floor(rand() * 3000)),
        () => String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(rand() * 0xffff))),
        () =>
          pick([
            '-1',
            '0',
            '99999999999999999999',
            'NaN',
            'true',
            'null',
            '{}',
            '[]',
            '%00',
            '<x/>',
            '${aws:username}',
            '*',
            '../..',
          ]),
        () =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: pick(['Allow', 'Deny', 'x']), Action: pick(['*', 's3:*', 12, null]), Resource: '*' }],
          }),
      ];
      return pick(kinds)();
    };
    const queryActions = [
      'CreateRole',
      'GetRole',
      'DeleteRole',
      'PutRolePolicy',
      'CreatePolicy',
      'CreateOpenIDConnectProvider',
      'AssumeRole',
      'AssumeRoleWithWebIdentity',
      'GetCallerIdentity',
      'ListRoles',
      'Nope',
      '',
    ];
    const queryParams = [
      'RoleName',
      'AssumeRolePolicyDocument',
      'PolicyDocument',
      'PolicyName',
      'PolicyArn',
      'Url',
      'ClientIDList.member.1',
      'Tags.member.1.Key',
      'Tags.member.1.Value',
      'MaxItems',
      'Marker',
      'DurationSeconds',
      'RoleArn',
      'RoleSessionName',
      'WebIdentityToken',
      'A.1.B.2.C',
      'MaxSessionDuration',
    ];
    const targets = [
      'AmazonEC2ContainerServiceV20141113.DescribeClusters',
      'AmazonEC2ContainerServiceV20141113.UpdateService',
      'AmazonEC2ContainerRegistry_V20150921.CreateRepository',
      'AmazonEC2ContainerRegistry_V20150921.Nope',
      'Nope.Nope',
      '',
    ];
    const randomJson = (depth = 0): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return junk();
      if (r < 0.4) return Math.floor(rand() * 1e6) - 5e5;
      if (r < 0.5) return null;
      if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(rand() * 4) }, () => [
          pick(['repositoryName', 'clusters', 'service', 'cluster', 'x', '__proto__']),
          randomJson(depth + 1),
        ]),
      );
    };

    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    const record = (status: number, what: string) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) fivexx.push(`${status} ${what.slice(0, 200)}`);
    };
    for (let i = 0; i < 1000; i++) {
      const params = new URLSearchParams({
        Action: pick(queryActions),
        Version: pick(['2010-05-08', '2011-06-15', 'x']),
      });
      for (let n = Math.floor(rand() * 6); n > 0; n--) params.append(pick(queryParams), junk());
      const body = params.toString();
      const signed = rand() < 0.6;
      const result = signed
        ? await send(cloud, await signRequest(cloud, pick(['iam', 'sts']), body, QUERY_TYPE, cloud.admin))
        : await send(cloud, { headers: QUERY_TYPE, body });
      record(result.status, body);
    }
    for (let i = 0; i < 1000; i++) {
      const body = rand() < 0.1 ? junk() : JSON.stringify(randomJson());
      const headers = jsonTarget(pick(targets));
      const signed = rand() < 0.6;
      const result = signed
        ? await send(cloud, await signRequest(cloud, pick(['ecs', 'ecr']), body, headers, cloud.admin))
        : await send(cloud, { headers, body });
      record(result.status, body);
    }
    for (let i = 0; i < 1000; i++) {
      const params = new URLSearchParams({
        Action: pick(['DescribeVpcs', 'DescribeSubnets', 'Nope']),
        Version: '2016-11-15',
      });
      for (let n = Math.floor(rand() * 6); n > 0; n--)
        params.append(pick(['Filter.1.Name', 'Filter.1.Value.1', 'VpcId.1', 'GroupId', 'X.99999.Y']), junk());
      const body = params.toString();
      const signed = rand() < 0.6;
      const result = signed
        ? await send(cloud, await signRequest(cloud, 'ec2', body, QUERY_TYPE, cloud.admin))
        : await send(cloud, { headers: QUERY_TYPE, body });
      record(result.status, body);
    }
    assert.deepEqual(fivexx, [], `seed ${seed}: 5xx answers`);
    assert.equal((await fetch(`${cloud.url}/_dockyard/health`)).status, 200);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, 3000);
  });
});
