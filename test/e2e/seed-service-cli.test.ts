/**
 * The seed's Step 2.3–2.5 and 5 with the AWS CLI v2 and a real container: register a task
 * definition whose image is in AWS's form for the local account, create the service with the
 * seed's network configuration, `aws ecs wait services-stable` returns, the task's public IP
 * answers, and the container's output is in CloudWatch Logs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';

import {
  CONTAINER_PORT,
  httpGet,
  perlServer,
  portOf,
  prepare,
  startRuntimeCloud,
  type Fixture,
} from '../runtime/support.js';
import { awsCli } from '../support/aws-cli.js';
import type { TestCloud } from '../support/cloud.js';
import { removeImages } from '../support/engine-cleanup.js';
import { waitFor } from '../support/wait-for.js';

let port = 0;

describe("the seed's service with the AWS CLI and a real container", () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-seed-service-'));
  let cloud: Cloud;
  let cli: TestCloud;
  let fixture: Fixture;

  before(async () => {
    cloud = await startRuntimeCloud(engine, dataDir, { timings: { noHealthCheckGraceMs: 0 } });
    port = portOf(cloud);
    fixture = await prepare(cloud, engine);
    const admin = { accessKeyId: cloud.state.admin.accessKeyId, secretAccessKey: cloud.state.admin.secretAccessKey };
    cli = {
      cloud,
      url: cloud.url,
      port,
      dataDir,
      accountId: cloud.accountId,
      region: cloud.region,
      admin,
      stop: () => cloud.stop(),
    };
  });
  after(async () => {
    await awsCli(cli, ['ecs', 'delete-service', '--cluster', 'apps', '--service', 'my-app-service', '--force']);
    await waitFor(
      'the service to be gone',
      async () => {
        const out = await awsCli(cli, ['ecs', 'list-tasks', '--cluster', 'apps']);
        return (JSON.parse(out.stdout) as { taskArns: string[] }).taskArns.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000 },
    ).catch(() => undefined);
    await cloud.stop();
    await removeImages(`localhost:${port}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ok = async (args: string[]) => {
    const result = await awsCli(cli, args);
    assert.equal(result.status, 0, `${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  it('creates the service, waits until stable, and the task answers on its public IP', async () => {
    const taskDef = {
      family: 'my-app-task',
      executionRoleArn: `arn:aws:iam::${cloud.accountId}:role/exec`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'my-app',
          image: `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/tiny:1`,
          entryPoint: ['/bin/perl'],
          command: perlServer(CONTAINER_PORT),
          essential: true,
          portMappings: [{ containerPort: CONTAINER_PORT }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/ecs/my-app',
              'awslogs-region': cloud.region,
              'awslogs-stream-prefix': 'ecs',
              'awslogs-create-group': 'true',
            },
          },
        },
      ],
    };
    writeFileSync(join(dataDir, 'ecs-task-def.json'), JSON.stringify(taskDef));
    await ok(['ecs', 'register-task-definition', '--cli-input-json', `file://${join(dataDir, 'ecs-task-def.json')}`]);
    await ok([
      'ecs',
      'create-service',
      '--cluster',
      'apps',
      '--service-name',
      'my-app-service',
      '--task-definition',
      'my-app-task',
      '--desired-count',
      '1',
      '--launch-type',
      'FARGATE',
      '--network-configuration',
      `awsvpcConfiguration={subnets=[${fixture.subnet}],securityGroups=[${fixture.group}],assignPublicIp=ENABLED}`,
    ]);
    // Poll until steady so the CLI's waiter (15 s between its polls) succeeds on its first look.
    await waitFor(
      'the service to be stable',
      async () => {
        const out = JSON.parse(
          await ok(['ecs', 'describe-services', '--cluster', 'apps', '--services', 'my-app-service']),
        ) as { services: { runningCount: number; deployments: unknown[] }[] };
        const service = out.services[0];
        return service && service.runningCount === 1 && service.deployments.length === 1 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await ok(['ecs', 'wait', 'services-stable', '--cluster', 'apps', '--services', 'my-app-service']);

    const tasks = JSON.parse(
      await ok(['ecs', 'list-tasks', '--cluster', 'apps', '--service-name', 'my-app-service']),
    ) as { taskArns: string[] };
    assert.equal(tasks.taskArns.length, 1);
    const described = JSON.parse(
      await ok(['ecs', 'describe-tasks', '--cluster', 'apps', '--tasks', tasks.taskArns[0] as string]),
    ) as {
      tasks: { lastStatus: string; attachments: { details: { name: string; value: string }[] }[] }[];
    };
    const task = described.tasks[0];
    assert.equal(task?.lastStatus, 'RUNNING');
    const eni = task?.attachments[0]?.details ?? [];
    const eniId = eni.find((d) => d.name === 'networkInterfaceId')?.value ?? '';
    const publicIp = JSON.parse(await ok(['ec2', 'describe-network-interfaces', '--network-interface-ids', eniId])) as {
      NetworkInterfaces: { Association?: { PublicIp: string }; PrivateIpAddress: string }[];
    };
    const address =
      publicIp.NetworkInterfaces[0]?.Association?.PublicIp ?? publicIp.NetworkInterfaces[0]?.PrivateIpAddress ?? '';
    assert.match(address, /^127\./);
    assert.equal(
      await waitFor('the task to answer', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 10_000 }),
      'hello',
    );

    const streams = JSON.parse(await ok(['logs', 'describe-log-streams', '--log-group-name', '/ecs/my-app'])) as {
      logStreams: { logStreamName: string }[];
    };
    const stream = streams.logStreams[0]?.logStreamName ?? '';
    assert.match(stream, /^ecs\/my-app\/[0-9a-f]{32}$/);
    const events = await waitFor(
      'the container output in CloudWatch Logs',
      async () => {
        const out = JSON.parse(
          await ok(['logs', 'get-log-events', '--log-group-name', '/ecs/my-app', '--log-stream-name', stream]),
        ) as { events: { message: string }[] };
        return out.events.length > 0 ? out.events : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.ok(events.some((e) => e.message.includes('listening')));
  });
});
