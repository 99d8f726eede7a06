/**
 * Task secrets with real containers: a Secrets Manager secret (whole, a JSON key, a stage) and an
 * SSM SecureString parameter (by name and ARN; another region's by its ARN) read as the execution role into the container's
 * environment (the container prints them to awslogs), never in DescribeTasks; an execution role
 * without the permission stops the next task with ECS's ResourceInitializationError; a missing
 * JSON key, environmentFiles and a missing entrypoint (an init as PID 1 notwithstanding) fail
 * the task with a clear reason before RUNNING; repositoryCredentials are read as the execution role.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTasksCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LogsStore } from '../../src/services/logs/store.js';
import { waitFor } from '../support/wait-for.js';
import {
  awslogsTo,
  clientConfig,
  registerWeb,
  runTask,
  startRuntimeSuite,
  stopRuntimeSuite,
  untilStatus,
  type Fixture,
} from './support.js';

const PASSWORD = 's3cr3t-pa55';
const GREETING = 'hello-from-ssm';

describe('task secrets', { timeout: 300_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-secrets-'));
  let cloud: Cloud;
  let f: Fixture;
  let secretArn = '';

  before(async () => {
    ({ cloud, f } = await startRuntimeSuite(engine, dataDir));
    const config = clientConfig(cloud);
    const sm = new SecretsManagerClient(config);
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'app/db', SecretString: JSON.stringify({ user: 'app', password: 'old' }) }),
    );
    secretArn = created.ARN ?? '';
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secretArn,
        SecretString: JSON.stringify({ user: 'app', password: PASSWORD }),
      }),
    );
    await new SSMClient(config).send(
      new PutParameterCommand({ Name: '/app/greeting', Value: GREETING, Type: 'SecureString' }),
    );
    await new IAMClient(config).send(
      new PutRolePolicyCommand({
        RoleName: 'exec',
        PolicyName: 'secrets',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'], Resource: '*' },
          ],
        }),
      }),
    );
  });

  after(() => stopRuntimeSuite({ engine, dataDir, cloud, f }));

  /** A container printing the named variables (NAME=value, one a line) to awslogs, then serving. */
  function printing(names: string[], group: string): Partial<ContainerDefinition> {
    return {
      entryPoint: ['/bin/perl'],
      command: ['-e', `$| = 1; print "$_=$ENV{$_}\\n" for qw(${names.join(' ')}); sleep 300;`],
      logConfiguration: awslogsTo(cloud.region, group),
    };
  }

  async function logLines(group: string, taskArn: string, count: number): Promise<string[]> {
    const logs = new LogsStore(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const stream = `ecs/web/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
    return waitFor('log events', () => {
      const events = logs.streamExists(group, stream)
        ? logs.events(group, { streams: [stream], direction: 'forward', limit: 100 })
        : [];
      return Promise.resolve(events.length >= count ? events.map((e) => e.message) : undefined);
    });
  }

  it('injects Secrets Manager and SSM values as the execution role, and keeps them out of DescribeTasks', async () => {
    const secrets = [
      { name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` },
      { name: 'DB_OLD', valueFrom: `${secretArn}:password:AWSPREVIOUS:` },
      { name: 'DB_JSON', valueFrom: secretArn },
      { name: 'GREETING', valueFrom: '/app/greeting' },
      {
        name: 'GREETING_ARN',
        valueFrom: `arn:aws:ssm:${cloud.region}:${cloud.accountId}:parameter/app/greeting`,
      },
    ];
    const names = secrets.map((s) => s.name);
    const arn = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'secretive', 'exec', { secrets, ...printing(names, '/ecs/secretive') }),
    );
    await untilStatus(f.ecs, arn, 'RUNNING');
    const lines = await logLines('/ecs/secretive', arn, names.length);
    assert.deepEqual(lines, [
      `DB_PASSWORD=${PASSWORD}`,
      'DB_OLD=old',
      `DB_JSON=${JSON.stringify({ user: 'app', password: PASSWORD })}`,
      `GREETING=${GREETING}`,
      `GREETING_ARN=${GREETING}`,
    ]);
    const described = JSON.stringify(
      await f.ecs.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [arn], include: ['TAGS'] })),
    );
    assert.ok(!described.includes(PASSWORD) && !described.includes(GREETING), 'values absent from DescribeTasks');
  });

  it('reads a secret and a parameter of another region by their ARNs there', async () => {
    const eu = { ...clientConfig(cloud), region: 'eu-west-1' };
    const euSecret = await new SecretsManagerClient(eu).send(
      new CreateSecretCommand({ Name: 'eu/token', SecretString: 'eu-token' }),
    );
    assert.match(euSecret.ARN ?? '', /^arn:aws:secretsmanager:eu-west-1:/);
    await new SSMClient(eu).send(new PutParameterCommand({ Name: '/eu/greeting', Value: 'hej', Type: 'String' }));
    const secrets = [
      { name: 'EU_TOKEN', valueFrom: euSecret.ARN ?? '' },
      { name: 'EU_GREETING', valueFrom: `arn:aws:ssm:eu-west-1:${cloud.accountId}:parameter/eu/greeting` },
    ];
    const arn = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'cross-region', 'exec', {
        secrets,
        ...printing(['EU_TOKEN', 'EU_GREETING'], '/ecs/cross-region'),
      }),
    );
    await untilStatus(f.ecs, arn, 'RUNNING');
    assert.deepEqual(await logLines('/ecs/cross-region', arn, 2), ['EU_TOKEN=eu-token', 'EU_GREETING=hej']);
  });

  it('stops the task with ECS ResourceInitializationError when the execution role may not read a secret', async () => {
    const arn = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'refused', 'nopull', {
        secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }],
      }),
    );
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(
      stopped.stoppedReason ?? '',
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: .*AccessDeniedException: User: arn:aws:sts::\d+:assumed-role\/nopull\/[0-9a-f]+ is not authorized to perform: secretsmanager:GetSecretValue/,
    );
    const ssm = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'refused-ssm', 'nopull', {
        secrets: [{ name: 'GREETING', valueFrom: '/app/greeting' }],
      }),
    );
    assert.match(
      (await untilStatus(f.ecs, ssm, 'STOPPED')).stoppedReason ?? '',
      /^ResourceInitializationError: unable to pull secrets or registry auth: .*unable to retrieve secrets from ssm: .*AccessDeniedException: .* ssm:GetParameters/,
    );
  });

  it('pulls a private registry image with repositoryCredentials read as the execution role', async () => {
    const sm = new SecretsManagerClient(clientConfig(cloud));
    const auth = await new ECRClient(clientConfig(cloud)).send(new GetAuthorizationTokenCommand({}));
    const [username, password] = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64')
      .toString('utf8')
      .split(':');
    const good = await sm.send(
      new CreateSecretCommand({ Name: 'registry/good', SecretString: JSON.stringify({ username, password }) }),
    );
    // The registry by its host name (localhost:PORT/…), not as ECR: a private registry to the runtime.
    const image = f.localImage;
    const pulled = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'private-good', 'exec', {
        image,
        repositoryCredentials: { credentialsParameter: good.ARN ?? '' },
      }),
    );
    await untilStatus(f.ecs, pulled, 'RUNNING');
    const unreadable = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'private-noperm', 'nopull', {
        image,
        repositoryCredentials: { credentialsParameter: good.ARN ?? '' },
      }),
    );
    assert.match(
      (await untilStatus(f.ecs, unreadable, 'STOPPED')).stoppedReason ?? '',
      /^ResourceInitializationError: unable to pull secrets or registry auth: .*AccessDeniedException/,
    );
  });

  it('fails a missing JSON key, a missing parameter, environmentFiles and a missing entrypoint with a clear reason', async () => {
    const cases: [string, Partial<ContainerDefinition>, RegExp][] = [
      ['nokey', { secrets: [{ name: 'X', valueFrom: `${secretArn}:nokey::` }] }, /did not contain json key nokey/],
      ['noparam', { secrets: [{ name: 'X', valueFrom: '/app/missing' }] }, /invalid parameters: \/app\/missing/],
      [
        'envfiles',
        { environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::bucket/app.env' }] },
        /^ResourceInitializationError: failed to download env files: dockyard has no S3/,
      ],
      [
        'noexec',
        { entryPoint: ['/bin/nonexistent'] },
        /^CannotStartContainerError: .*exec: "\/bin\/nonexistent": stat \/bin\/nonexistent: no such file or directory/,
      ],
      ['nopath', { entryPoint: ['nonexistent'] }, /^CannotStartContainerError: .*executable file not found in \$PATH/],
    ];
    for (const [family, extra, reason] of cases) {
      const arn = await runTask(f, await registerWeb(cloud, f.ecs, family, 'exec', extra));
      const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
      assert.equal(stopped.stopCode, 'TaskFailedToStart', family);
      assert.match(stopped.stoppedReason ?? '', reason, family);
      assert.equal(stopped.startedAt, undefined, `${family} never RUNNING`);
    }
  });
});
