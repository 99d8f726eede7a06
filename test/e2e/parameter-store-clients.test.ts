/**
 * Acceptance: the AWS CLI v2 and the AWS SDK v3 drive Parameter Store against a started cloud:
 * String, StringList and SecureString parameters, versions and labels, selectors, by-path
 * reads paged by the CLI's paginator and the SDK's, DescribeParameters, history, deletes, and
 * every error shape in the SDK's exception classes and the CLI's words. Both new services'
 * state survives a restart of the cloud.
 */
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  paginateDescribeParameters,
  paginateGetParametersByPath,
  ParameterAlreadyExists,
  ParameterNotFound,
  ParameterPatternMismatchException,
  ParameterVersionNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCliError, awsCliJson } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { rejectsWithException } from '../support/sdk-errors.js';

const SECRET = 'sup3r-s3cret-parameter-77c1';

describe('Parameter Store with the AWS SDK v3 and the AWS CLI v2', () => {
  let cloud: TestCloud;
  let ssm: SSMClient;

  before(async () => {
    cloud = await startTestCloud();
    ssm = new SSMClient(sdkConfig(cloud));
  });
  after(async () => cloud.stop());

  const cli = (args: string[]) => awsCliJson(cloud, ['ssm', ...args]);
  const cliFails = (args: string[]) => awsCliError(cloud, ['ssm', ...args]);
  const rejects = rejectsWithException;

  it('puts with the CLI and reads with the SDK: versions, SecureString with and without decryption, selectors', async () => {
    assert.deepEqual(
      await cli([
        'put-parameter',
        '--name',
        '/app/prod/db-url',
        '--value',
        'postgres://db/one',
        '--type',
        'String',
        '--tags',
        'Key=team,Value=core',
      ]),
      { Version: 1, Tier: 'Standard' },
    );
    assert.deepEqual(
      await cli(['put-parameter', '--name', '/app/prod/db-url', '--value', 'postgres://db/two', '--overwrite']),
      { Version: 2, Tier: 'Standard' },
    );
    await cli(['put-parameter', '--name', '/app/prod/password', '--value', SECRET, '--type', 'SecureString']);
    await cli([
      'put-parameter',
      '--name',
      '/app/prod/hosts',
      '--value',
      'a.internal,b.internal',
      '--type',
      'StringList',
    ]);

    const url = (await ssm.send(new GetParameterCommand({ Name: '/app/prod/db-url' }))).Parameter;
    assert.deepEqual(
      [url?.Value, url?.Version, url?.Type, url?.ARN, url?.DataType],
      [
        'postgres://db/two',
        2,
        'String',
        `arn:aws:ssm:${cloud.region}:${cloud.accountId}:parameter/app/prod/db-url`,
        'text',
      ],
    );
    assert.ok(url?.LastModifiedDate instanceof Date);
    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/prod/password' }))).Parameter?.Value;
    assert.match(String(hidden), /^AQICAH/);
    assert.ok(!String(hidden).includes(SECRET));
    assert.equal(
      (await ssm.send(new GetParameterCommand({ Name: '/app/prod/password', WithDecryption: true }))).Parameter?.Value,
      SECRET,
    );
    const viaCli = await cli(['get-parameter', '--name', '/app/prod/password', '--with-decryption']);
    assert.equal((viaCli.Parameter as { Value: string }).Value, SECRET);

    await ssm.send(
      new LabelParameterVersionCommand({ Name: '/app/prod/db-url', ParameterVersion: 1, Labels: ['stable'] }),
    );
    const selected = await cli([
      'get-parameters',
      '--names',
      '/app/prod/db-url:stable',
      '/app/prod/db-url:1',
      '/app/prod/nope',
    ]);
    assert.deepEqual(
      (selected.Parameters as { Value: string; Selector: string }[]).map((p) => [p.Value, p.Selector]),
      [
        ['postgres://db/one', ':stable'],
        ['postgres://db/one', ':1'],
      ],
    );
    assert.deepEqual(selected.InvalidParameters, ['/app/prod/nope']);
    const byArn = await ssm.send(
      new GetParametersCommand({ Names: [`arn:aws:ssm:${cloud.region}:${cloud.accountId}:parameter/app/prod/hosts`] }),
    );
    assert.equal(byArn.Parameters?.[0]?.Value, 'a.internal,b.internal');

    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/prod/db-url' }));
    assert.deepEqual(
      history.Parameters?.map((v) => [v.Version, v.Labels]),
      [
        [1, ['stable']],
        [2, []],
      ],
    );
    assert.equal(history.Parameters?.[0]?.LastModifiedUser, `arn:aws:iam::${cloud.accountId}:root`);
  });

  it("reads a hierarchy by path, paged by both clients' paginators", async () => {
    for (let i = 0; i < 13; i++)
      await ssm.send(
        new PutParameterCommand({
          Name: `/fleet/node-${String(i).padStart(2, '0')}/ip`,
          Value: `10.0.0.${i}`,
          Type: 'String',
        }),
      );
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateGetParametersByPath(
      { client: ssm, pageSize: 5 },
      { Path: '/fleet', Recursive: true },
    )) {
      pages++;
      names.push(...(page.Parameters ?? []).map((p) => String(p.Name)));
    }
    assert.equal(pages, 3);
    assert.equal(names.length, 13);
    assert.deepEqual(names, [...names].sort());
    const viaCli = await cli(['get-parameters-by-path', '--path', '/fleet/', '--recursive', '--page-size', '4']);
    assert.equal((viaCli.Parameters as unknown[]).length, 13);
    const oneLevel = await cli(['get-parameters-by-path', '--path', '/app/prod', '--with-decryption']);
    assert.deepEqual(
      (oneLevel.Parameters as { Name: string; Value: string }[]).map((p) => p.Name),
      ['/app/prod/db-url', '/app/prod/hosts', '/app/prod/password'],
    );
    assert.ok((oneLevel.Parameters as { Value: string }[]).some((p) => p.Value === SECRET));

    const described: string[] = [];
    for await (const page of paginateDescribeParameters(
      { client: ssm, pageSize: 4 },
      { ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/fleet'] }] },
    )) {
      described.push(...(page.Parameters ?? []).map((p) => String(p.Name)));
    }
    assert.deepEqual(described, names);
    const secure = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }),
    );
    assert.deepEqual(
      secure.Parameters?.map((p) => [p.Name, p.KeyId, p.Tier]),
      [['/app/prod/password', 'alias/aws/ssm', 'Standard']],
    );
    const tagged = await cli(['describe-parameters', '--parameter-filters', 'Key=tag:team,Values=core']);
    assert.deepEqual(
      (tagged.Parameters as { Name: string }[]).map((p) => p.Name),
      ['/app/prod/db-url'],
    );
  });

  it("answers each error in the SDK's exception class and the CLI's words", async () => {
    await rejects(ssm.send(new GetParameterCommand({ Name: '/nope' })), ParameterNotFound, /^(|UnknownError)$/);
    await rejects(
      ssm.send(new PutParameterCommand({ Name: '/app/prod/db-url', Value: 'x', Type: 'String' })),
      ParameterAlreadyExists,
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
    await rejects(
      ssm.send(new GetParameterCommand({ Name: '/app/prod/db-url:9' })),
      ParameterVersionNotFound,
      'Systems Manager could not find version 9 of /app/prod/db-url. Verify the version and try again.',
    );
    await rejects(
      ssm.send(new PutParameterCommand({ Name: '/pin', Value: '12a', Type: 'String', AllowedPattern: '^\\d+$' })),
      ParameterPatternMismatchException,
      'Parameter value, cannot be validated against allowedPattern: ^\\d+$',
    );
    await rejects(
      ssm.send(new DeleteParameterCommand({ Name: '/nope' })),
      ParameterNotFound,
      'Parameter /nope not found.',
    );
    await assert.rejects(
      ssm.send(new PutParameterCommand({ Name: 'bad name', Value: 'x', Type: 'String' })),
      (error: Error) => error.name === 'ValidationException' && /can't be prefixed with "ssm"/.test(error.message),
    );
    assert.match(
      await cliFails(['get-parameter', '--name', '/nope']),
      /An error occurred \(ParameterNotFound\) when calling the GetParameter operation( \(reached max retries: 0\))?: \n?$/,
    );
    assert.match(
      await cliFails(['put-parameter', '--name', '/app/prod/db-url', '--value', 'x', '--type', 'String']),
      /\(ParameterAlreadyExists\)/,
    );
    assert.match(
      await cliFails(['get-parameters-by-path', '--path', '/a', '--parameter-filters', 'Key=Name,Values=x']),
      /\(InvalidFilterKey\).*The following filter key is not valid: Name\./,
    );
    const big = await cliFails([
      'put-parameter',
      '--name',
      '/big',
      '--value',
      SECRET.repeat(200),
      '--type',
      'SecureString',
    ]);
    assert.match(
      big,
      /\(ValidationException\).*Standard tier parameters support a maximum parameter value of 4096 characters/,
    );
    assert.ok(!big.includes(SECRET));
  });

  it('deletes one parameter or several, every version with it', async () => {
    await cli(['delete-parameter', '--name', '/app/prod/hosts']);
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ['/app/prod/db-url', '/app/prod/hosts'] }));
    assert.deepEqual(
      [deleted.DeletedParameters, deleted.InvalidParameters],
      [['/app/prod/db-url'], ['/app/prod/hosts']],
    );
    await rejects(
      ssm.send(new GetParameterHistoryCommand({ Name: '/app/prod/db-url' })),
      ParameterNotFound,
      'Parameter /app/prod/db-url not found.',
    );
    assert.deepEqual(
      await cli(['put-parameter', '--name', '/app/prod/db-url', '--value', 'fresh', '--type', 'String']),
      { Version: 1, Tier: 'Standard' },
    );
  });
});

describe('secrets and parameters across a restart', () => {
  it('keeps values, versions, labels, a scheduled deletion and the ARNs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-sm-ssm-restart-'));
    try {
      let cloud = await startTestCloud({ dataDir });
      const sm = () => new SecretsManagerClient(sdkConfig(cloud));
      const ssm = () => new SSMClient(sdkConfig(cloud));
      const kept = await sm().send(new CreateSecretCommand({ Name: 'kept', SecretString: 'one' }));
      await sm().send(new PutSecretValueCommand({ SecretId: 'kept', SecretString: 'two' }));
      await sm().send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x' }));
      await sm().send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));
      await ssm().send(new PutParameterCommand({ Name: '/kept', Value: 'v1', Type: 'SecureString' }));
      await ssm().send(new PutParameterCommand({ Name: '/kept', Value: 'v2', Overwrite: true }));
      await ssm().send(new LabelParameterVersionCommand({ Name: '/kept', ParameterVersion: 1, Labels: ['first'] }));
      const before = (await ssm().send(new GetParameterCommand({ Name: '/kept' }))).Parameter?.Value;
      await cloud.stop();

      cloud = await startTestCloud({ dataDir });
      try {
        const previous = await sm().send(
          new GetSecretValueCommand({ SecretId: String(kept.ARN), VersionStage: 'AWSPREVIOUS' }),
        );
        assert.equal(previous.SecretString, 'one');
        await rejectsWithException(
          sm().send(new GetSecretValueCommand({ SecretId: 'doomed' })),
          InvalidRequestException,
          /marked for deletion/,
        );
        assert.equal(
          (await ssm().send(new GetParameterCommand({ Name: '/kept:first', WithDecryption: true }))).Parameter?.Value,
          'v1',
        );
        assert.equal((await ssm().send(new GetParameterCommand({ Name: '/kept' }))).Parameter?.Value, before);
      } finally {
        await cloud.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
