/**
 * Tasks in another region and on another CPU architecture, with real containers: an arm64 image
 * (Debian's static busybox) pushed to eu-west-1's ECR at its ECR host path, a task definition
 * in eu-west-1 naming it in AWS's form, its execution role by bare name and runtimePlatform
 * ARM64. It runs under qemu-user-static's binfmt_misc emulation and answers `aarch64` at its
 * address and in eu-west-1's CloudWatch Logs, and is adopted after a restart. Without emulation (the kernel's binfmt_misc
 * files stood in for), on Windows, on the wrong architecture or from another account's ECR,
 * the task stops with the reason AWS (or, where AWS has none, dockyard) gives.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RuntimePlatform,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL } from '../../src/runtime/runtime.js';
import { hostPlatforms } from '../../src/host/platforms.js';
import { writeTinyImageLayout } from '../../src/images/tiny-image.js';
import { arm64BusyboxTar } from '../support/arm64-busybox.js';
import { runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';
import {
  addressOf,
  clientConfig,
  CONTAINER_PORT,
  httpGet,
  portOf,
  runTask,
  startRuntimeCloud,
  startRuntimeSuite,
  stopRuntimeSuite,
  untilStatus,
  type Fixture,
} from './support.js';

const REGION = 'eu-west-1';

/** Whether this host's kernel runs arm64 programs (natively or through a registered qemu-aarch64). */
const runsArm64 = hostPlatforms().cannotRun('arm64') === undefined;

describe('runtime: regions and CPU architectures', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-platforms-'));
  // The kernel's binfmt_misc answers, as the runtime reads them: the test turns emulation off here.
  const binfmt = mkdtempSync(join(tmpdir(), 'dockyard-binfmt-'));
  const emulation = (state: 'enabled' | 'disabled') => writeFileSync(join(binfmt, 'qemu-aarch64'), `${state}\n`);
  let cloud: Cloud;
  let home: Fixture;
  /** The fixture in eu-west-1: its ECS client, its default subnet and group. */
  let f: Fixture;

  before(async () => {
    mkdirSync(binfmt, { recursive: true });
    writeFileSync(join(binfmt, 'status'), 'enabled\n');
    emulation('enabled');
    ({ cloud, f: home } = await startRuntimeSuite(engine, dataDir, { platforms: hostPlatforms(binfmt) }));
    const config = { ...clientConfig(cloud), region: REGION };
    const ecr = new ECRClient(config);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'arm' }));
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    const layout = mkdtempSync(join(tmpdir(), 'dockyard-arm64-layout-'));
    try {
      writeTinyImageLayout(layout, '1', arm64BusyboxTar(), 'arm64');
      const path = `localhost:${portOf(cloud)}/${cloud.accountId}.dkr.ecr.${REGION}.amazonaws.com/arm:1`;
      await runOk('skopeo', ['copy', '--dest-creds', token, `oci:${layout}:1`, `docker://${path}`]);
    } finally {
      rmSync(layout, { recursive: true, force: true });
    }
    const ecs = new ECSClient(config);
    await ecs.send(new CreateClusterCommand({ clusterName: 'apps' }));
    const ec2 = new EC2Client(config);
    const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0]?.SubnetId ?? '';
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['default'] }));
    const group = groups.SecurityGroups?.[0]?.GroupId ?? '';
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group,
        IpProtocol: 'tcp',
        FromPort: CONTAINER_PORT,
        ToPort: CONTAINER_PORT,
        CidrIp: '0.0.0.0/0',
      }),
    );
    f = { ecs, subnet, group, localImage: home.localImage };
  });
  after(async () => {
    await stopRuntimeSuite({ engine, dataDir, cloud, f: home });
    rmSync(binfmt, { recursive: true, force: true });
  });

  /** Registers FAMILY in eu-west-1: busybox from `image` printing and serving `uname -m`. */
  const register = async (family: string, runtimePlatform?: RuntimePlatform, image = 'arm:1') => {
    const out = await f.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        // A bare role name, as ECS takes it.
        executionRoleArn: 'exec',
        ...(runtimePlatform ? { runtimePlatform } : {}),
        containerDefinitions: [
          {
            name: 'web',
            image: image.includes('/') ? image : `${cloud.accountId}.dkr.ecr.${REGION}.amazonaws.com/${image}`,
            entryPoint: ['/bin/sh', '-c'],
            command: [
              `mkdir -p /tmp/www && uname -m | tee /tmp/www/index.html && exec httpd -f -p ${CONTAINER_PORT} -h /tmp/www`,
            ],
            portMappings: [{ containerPort: CONTAINER_PORT, protocol: 'tcp' }],
            stopTimeout: 2,
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ecs/${family}`,
                'awslogs-region': REGION,
                'awslogs-stream-prefix': 'ecs',
                'awslogs-create-group': 'true',
              },
            },
          },
        ],
      }),
    );
    const definition = out.taskDefinition;
    assert.equal(definition?.executionRoleArn, `arn:aws:iam::${cloud.accountId}:role/exec`);
    return definition?.taskDefinitionArn ?? '';
  };

  /** Runs the family's task and waits for it to stop; its stop code and reason. */
  const stopped = async (taskDefinition: string) => {
    const task = await untilStatus(f.ecs, await runTask(f, taskDefinition), 'STOPPED');
    return { code: task.stopCode, reason: task.stoppedReason ?? '' };
  };

  it(
    'runs an ARM64 task from eu-west-1’s ECR under emulation, in eu-west-1',
    { skip: runsArm64 ? false : 'this host runs no arm64 programs (no qemu-aarch64 in binfmt_misc)' },
    async () => {
      const definition = await register('arm', { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
      assert.match(definition, new RegExp(`^arn:aws:ecs:${REGION}:${cloud.accountId}:task-definition/arm:1$`));
      const arn = await runTask(f, definition);
      assert.match(arn, new RegExp(`^arn:aws:ecs:${REGION}:`));
      const running = await untilStatus(f.ecs, arn, 'RUNNING');
      const address = addressOf(running);
      assert.ok(address);
      const body = await waitFor('the arm64 app at the task address', () => httpGet(address, CONTAINER_PORT), {
        timeoutMs: 30_000,
      });
      assert.equal(body.trim(), 'aarch64');
      const logs = new CloudWatchLogsClient({ ...clientConfig(cloud), region: REGION });
      const taskId = arn.slice(arn.lastIndexOf('/') + 1);
      const events = await waitFor('uname in eu-west-1’s logs', async () => {
        const out = await logs
          .send(new GetLogEventsCommand({ logGroupName: '/ecs/arm', logStreamName: `ecs/web/${taskId}` }))
          .catch(() => undefined);
        return out?.events?.length ? out.events : undefined;
      });
      assert.equal(events[0]?.message, 'aarch64');

      // A restart: eu-west-1's runtime adopts the task's container (the home region's leaves it alone).
      const runtimeId = running.containers?.[0]?.runtimeId;
      await cloud.stop();
      cloud = await startRuntimeCloud(engine, dataDir, { port: portOf(cloud), platforms: hostPlatforms(binfmt) });
      const adopted = await untilStatus(f.ecs, arn, 'RUNNING');
      assert.equal(adopted.containers?.[0]?.runtimeId, runtimeId, 'the same container, adopted');
      assert.equal((await engine.listContainers({ labels: { [LABEL.task]: arn } })).length, 1);
      const again = await waitFor('the adopted app at its address', () => httpGet(address, CONTAINER_PORT), {
        timeoutMs: 30_000,
      });
      assert.equal(again.trim(), 'aarch64');
    },
  );

  it('stops an ARM64 task with a clear reason where the host cannot emulate arm64', async () => {
    emulation('disabled');
    try {
      const { code, reason } = await stopped(await register('arm-no-qemu', { cpuArchitecture: 'ARM64' }));
      assert.equal(code, 'TaskFailedToStart');
      assert.match(
        reason,
        /^CannotStartContainerError: cannot run linux\/arm64 containers: qemu-aarch64 is not registered in .* \(installing qemu-user-static registers it\)$/,
      );
    } finally {
      emulation('enabled');
    }
  });

  it('stops a Windows task: containers here are Linux containers', async () => {
    const { code, reason } = await stopped(
      await register('windows', { cpuArchitecture: 'X86_64', operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' }),
    );
    assert.equal(code, 'TaskFailedToStart');
    assert.match(reason, /^CannotStartContainerError: cannot run windows\/amd64 containers: .*Linux containers only/);
  });

  it('fails the pull of an arm64 image for an X86_64 task as ECS does', async () => {
    const { code, reason } = await stopped(await register('x86'));
    assert.equal(code, 'TaskFailedToStart');
    assert.match(
      reason,
      /^CannotPullContainerError: .*image Manifest does not contain descriptor matching platform 'linux\/amd64'$/,
    );
  });

  it('fails the pull of another account’s ECR image as ECR refuses it', async () => {
    const foreign = `999999999999.dkr.ecr.${REGION}.amazonaws.com/arm:1`;
    const { code, reason } = await stopped(await register('foreign', { cpuArchitecture: 'ARM64' }, foreign));
    assert.equal(code, 'TaskFailedToStart');
    assert.match(reason, /^CannotPullContainerError: .*denied/i);
  });
});
