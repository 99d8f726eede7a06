/**
 * The seed's own Flask app, end to end: the base image from Debian's archive (scripts/base-images),
 * `docker build` of examples/seed-app through Podman's Docker API, `docker push` to the local ECR
 * after `aws ecr get-login-password | docker login`, the seed's Step 2 with the AWS CLI (its task
 * definition adapted to the local account, the describe commands with its filters and queries,
 * port 80 opened, the service created), then `curl http://<public IP>/` answers the seed's message
 * on port 80 and `aws logs get-log-events` shows Flask's request line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';

import { clientConfig, portOf, startRuntimeCloud } from '../runtime/support.js';
import { awsCli } from '../support/aws-cli.js';
import type { TestCloud } from '../support/cloud.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

let port = 0;
const DOCKER_HOST = 'unix:///run/podman/podman.sock';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const APP_DIR = join(ROOT, 'examples/seed-app');
const MESSAGE = '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe("the seed's Flask app on the local ECS", () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-seed-flask-'));
  const dockerEnv = { DOCKER_HOST, DOCKER_CONFIG: join(dataDir, 'docker-config') };
  let cloud: Cloud;
  let cli: TestCloud;
  let image = '';

  before(async () => {
    // About 50 s on a new machine, instant when the image exists.
    await runOk('bash', [join(ROOT, 'scripts/base-images')]);
    cloud = await startRuntimeCloud(engine, dataDir, { timings: { noHealthCheckGraceMs: 0 } });
    port = portOf(cloud);
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
    await deleteServiceAndWait(new ECSClient(clientConfig(cloud)), 'my-app-cluster', 'my-app-service');
    await cloud.stop();
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ok = async (args: string[]): Promise<string> => {
    const result = await awsCli(cli, args);
    assert.equal(result.status, 0, `aws ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const text = async (args: string[]): Promise<string> => (await ok([...args, '--output', 'text'])).trim();

  it('builds, pushes, runs as the seed service and answers on port 80 of its public IP', async () => {
    // Step 2.1 and the workflow's build and push.
    const repo = JSON.parse(await ok(['ecr', 'create-repository', '--repository-name', 'my-app'])) as {
      repository: { repositoryUri: string };
    };
    const registry = repo.repository.repositoryUri.slice(0, repo.repository.repositoryUri.indexOf('/'));
    const password = (await ok(['ecr', 'get-login-password'])).trim();
    await runOk('docker', ['login', '--username', 'AWS', '--password-stdin', registry], {
      env: dockerEnv,
      input: password,
    });
    image = `${repo.repository.repositoryUri}:latest`;
    // Its own label gives the image its own ID: other tests build the same files, and the engine
    // would otherwise share one image (and refuse to untag it while their tasks use it).
    await runOk('docker', ['build', '--label', `dockyard.test=${basename(dataDir)}`, '-t', image, APP_DIR], {
      env: dockerEnv,
    });
    await runOk('docker', ['push', image], { env: dockerEnv });
    // The task pulls it from the ECR as its execution role, not from the engine's cache.
    await runOk('docker', ['rmi', image], { env: dockerEnv });

    // The execution role the seed references without creating.
    await ok(['iam', 'create-role', '--role-name', 'ecsTaskExecutionRole', '--assume-role-policy-document', TRUST]);
    await ok([
      'iam',
      'attach-role-policy',
      '--role-name',
      'ecsTaskExecutionRole',
      '--policy-arn',
      'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    ]);

    // Steps 2.2 – 2.5.
    await ok(['ecs', 'create-cluster', '--cluster-name', 'my-app-cluster', '--region', cloud.region]);
    const taskDef = readFileSync(join(APP_DIR, 'ecs-task-def.json'), 'utf8')
      .replaceAll('000000000000', cloud.accountId)
      .replaceAll('us-east-1', cloud.region);
    writeFileSync(join(dataDir, 'ecs-task-def.json'), taskDef);
    await ok(['ecs', 'register-task-definition', '--cli-input-json', `file://${join(dataDir, 'ecs-task-def.json')}`]);
    const vpc = await text([
      'ec2',
      'describe-vpcs',
      '--filters',
      'Name=isDefault,Values=true',
      '--query',
      'Vpcs[0].VpcId',
    ]);
    const subnets = (
      await text([
        'ec2',
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        '--query',
        'Subnets[*].SubnetId',
      ])
    ).split(/\s+/);
    const group = await text([
      'ec2',
      'describe-security-groups',
      '--filters',
      `Name=vpc-id,Values=${vpc}`,
      '--query',
      "SecurityGroups[?GroupName=='default'].GroupId",
    ]);
    await ok([
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group,
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    ]);
    await ok([
      'ecs',
      'create-service',
      '--cluster',
      'my-app-cluster',
      '--service-name',
      'my-app-service',
      '--task-definition',
      'my-app-task',
      '--desired-count',
      '1',
      '--launch-type',
      'FARGATE',
      '--network-configuration',
      `awsvpcConfiguration={subnets=[${subnets.join(',')}],securityGroups=[${group}],assignPublicIp=ENABLED}`,
    ]);
    await waitFor(
      'the service to be stable',
      async () => {
        const out = JSON.parse(
          await ok(['ecs', 'describe-services', '--cluster', 'my-app-cluster', '--services', 'my-app-service']),
        ) as { services: { runningCount: number; deployments: unknown[]; events: { message: string }[] }[] };
        const service = out.services[0];
        return service && service.runningCount === 1 && service.deployments.length === 1 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // The AWS CLI's own waiter agrees (it polls every 15 s, so it runs once the service is stable).
    await ok(['ecs', 'wait', 'services-stable', '--cluster', 'my-app-cluster', '--services', 'my-app-service']);

    // Step 5: the task's public IP, opened like a browser would.
    const taskArn = await text([
      'ecs',
      'list-tasks',
      '--cluster',
      'my-app-cluster',
      '--service-name',
      'my-app-service',
      '--query',
      'taskArns[0]',
    ]);
    const eni = await text([
      'ecs',
      'describe-tasks',
      '--cluster',
      'my-app-cluster',
      '--tasks',
      taskArn,
      '--query',
      "tasks[0].attachments[0].details[?name=='networkInterfaceId'].value | [0]",
    ]);
    const publicIp = await text([
      'ec2',
      'describe-network-interfaces',
      '--network-interface-ids',
      eni,
      '--query',
      'NetworkInterfaces[0].Association.PublicIp',
    ]);
    assert.match(publicIp, /^127\./);
    const body = await waitFor(
      'the app to answer on port 80',
      async () => {
        const curl = await run('curl', ['-sS', '--max-time', '5', `http://${publicIp}/`]);
        return curl.status === 0 ? curl.stdout : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(body, MESSAGE);

    // Flask's request line, in the stream the awslogs driver names ecs/my-app/<task id>.
    const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
    const stream = `ecs/my-app/${taskId}`;
    const lines = await waitFor(
      'the request line in CloudWatch Logs',
      async () => {
        const out = JSON.parse(
          await ok(['logs', 'get-log-events', '--log-group-name', '/ecs/my-app', '--log-stream-name', stream]),
        ) as { events: { message: string }[] };
        const messages = out.events.map((e) => e.message);
        return messages.some((m) => m.includes('"GET / HTTP/1.1" 200')) ? messages : undefined;
      },
      { timeoutMs: 15_000 },
    );
    assert.ok(
      lines.some((m) => m.includes('Running on')),
      lines.join('\n'),
    );
  });
});
