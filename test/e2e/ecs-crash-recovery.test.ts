/**
 * `kill -9` of the cloud during a rolling deployment (issue 4's acceptance): `dockyard up` runs as
 * a real child process, a service of two tasks rolls to a new revision, and the process is
 * killed while the new deployment's tasks are starting. Restarted on the same data directory,
 * the cloud adopts or removes what the dead process left: afterwards every container labelled
 * for this cloud belongs to a live task, the service runs its desired count, the deployment
 * finishes (or rolls back), the service is stable, and each task has exactly one ENI.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL, cloudLabelFor } from '../../src/runtime/runtime.js';

import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../../src/images/tiny-image.js';
import { CONTAINER_PORT, perlServer, TRUST } from '../runtime/support.js';
import { awsCli } from '../support/aws-cli.js';
import { startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { runOk } from '../support/run.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { waitFor } from '../support/wait-for.js';

describe('kill -9 of the cloud during a deployment', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-crash-'));
  const label = cloudLabelFor(dataDir);
  /** The cloud's port, kept across its restart (its registry is localhost:PORT to the engine). */
  let port: number | undefined;
  const localImage = () => `localhost:${port ?? 0}/tiny:1`;
  let proc: DockyardProcess | undefined;
  let ecs: ECSClient;
  let target: { url: string; region: string; admin: { accessKeyId: string; secretAccessKey: string } };
  let accountId = '';

  // A restart takes the port again (startDockyardCloud retries while another socket holds it).
  const up = async (): Promise<DockyardProcess> => {
    proc = await startDockyardCloud(['--data', dataDir], port === undefined ? {} : { port });
    port = proc.port;
    return proc;
  };

  before(async () => {
    await engine.ping(AbortSignal.timeout(5000));
    const started = await up();
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      accountId: string;
    };
    accountId = admin.accountId;
    target = { url: started.url, region: 'us-east-1', admin };
    const config = { endpoint: started.url, region: target.region, credentials: admin, maxAttempts: 1 };
    ecs = new ECSClient(config);
    const ecr = new ECRClient(config);
    const iam = new IAMClient(config);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tiny' }));
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    const imageId = await engine.importImage(buildTinyImageTar(), localImage(), {
      changes: TINY_IMAGE_CHANGES,
      signal: AbortSignal.timeout(60_000),
    });
    await runOk('podman', ['push', '--tls-verify=false', '--creds', token, localImage()]);
    await engine.removeImage(imageId, { force: true });
    await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: TRUST }));
    const pull = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ecr:GetAuthorizationToken',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
          ],
          Resource: '*',
        },
      ],
    };
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'exec', PolicyName: 'pull', PolicyDocument: JSON.stringify(pull) }),
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'apps' }));
  });

  after(async () => {
    if (proc) {
      await deleteServiceAndWait(ecs, 'apps', 'web');
      await proc.stop();
    }
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port ?? 0}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = async (args: string[]): Promise<string> => {
    const result = await awsCli(target, args);
    assert.equal(result.status, 0, `aws ${args.slice(0, 2).join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  async function register(version: string): Promise<string> {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${accountId}:role/exec`,
        containerDefinitions: [
          {
            name: 'web',
            image: `${accountId}.dkr.ecr.us-east-1.amazonaws.com/tiny:1`,
            entryPoint: ['/bin/perl'],
            command: perlServer(CONTAINER_PORT),
            environment: [{ name: 'VERSION', value: version }],
            portMappings: [{ containerPort: CONTAINER_PORT }],
            // `dockyard up` has ECS's timings: a task without a check counts healthy after 40 s.
            healthCheck: { command: ['CMD', '/bin/sh', '-c', 'exit 0'], interval: 5, timeout: 2, retries: 1 },
            stopTimeout: 2,
            essential: true,
          },
        ],
      }),
    );
    return out.taskDefinition?.taskDefinitionArn ?? '';
  }

  async function service(): Promise<Service> {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['web'] }));
    const s = out.services?.[0];
    assert.ok(s, JSON.stringify(out.failures));
    return s;
  }

  const steady = (): Promise<Service> =>
    waitFor(
      'the service to be steady',
      async () => {
        const s = await service();
        const primary = s.deployments?.[0];
        return s.deployments?.length === 1 && s.runningCount === 2 && primary?.rolloutState === 'COMPLETED'
          ? s
          : undefined;
      },
      { timeoutMs: 60_000 },
    );

  it('adopts or removes what the killed process left, and the deployment finishes', async () => {
    const v1 = await register('1');
    await cli([
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      await defaultGroup(),
      '--protocol',
      'tcp',
      '--port',
      String(CONTAINER_PORT),
      '--cidr',
      '0.0.0.0/0',
    ]);
    const subnet = (
      await cli(['ec2', 'describe-subnets', '--query', 'Subnets[0].SubnetId', '--output', 'text'])
    ).trim();
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnet], securityGroups: [await defaultGroup()], assignPublicIp: 'ENABLED' },
        },
      }),
    );
    await steady();

    const v2 = await register('2');
    await ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'web', taskDefinition: v2 }));
    // Mid-deployment: the new deployment has started a task, and has not completed.
    await waitFor(
      'the new deployment to start a task',
      async () => {
        const s = await service();
        const primary = s.deployments?.find((d) => d.status === 'PRIMARY');
        return primary?.taskDefinition === v2 &&
          (primary.pendingCount ?? 0) + (primary.runningCount ?? 0) > 0 &&
          primary.rolloutState === 'IN_PROGRESS'
          ? true
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const killed = proc;
    assert.ok(killed);
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
    proc = undefined;
    assert.ok(
      (await engine.listContainers({ labels: { [LABEL.cloud]: label } })).length > 0,
      'the dead cloud left containers running',
    );

    const restarted = await up();
    assert.equal(restarted.url, target.url);
    const final = await steady();
    const primary = final.deployments?.[0];
    assert.ok(primary?.taskDefinition === v2 || primary?.taskDefinition === v1, primary?.taskDefinition);
    assert.equal(final.desiredCount, 2);

    // No orphan: every labelled container is a live task's, and each live task has one ENI.
    const live = await waitFor(
      'containers to match the live tasks',
      async () => {
        const arns =
          (await ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'web', desiredStatus: 'RUNNING' })))
            .taskArns ?? [];
        const containers = await engine.listContainers({ labels: { [LABEL.cloud]: label } });
        const owners = containers.map((c) => c.labels[LABEL.task] ?? '');
        return arns.length === 2 && owners.length === 2 && owners.every((o) => arns.includes(o)) ? arns : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: 'apps', tasks: live }))).tasks ?? [];
    assert.deepEqual(
      tasks.map((t) => t.lastStatus),
      ['RUNNING', 'RUNNING'],
    );
    const enis = JSON.parse(await cli(['ec2', 'describe-network-interfaces'])) as {
      NetworkInterfaces: { NetworkInterfaceId: string }[];
    };
    const eniOfTasks = tasks.map(
      (t) => t.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value,
    );

    // The interrupted starts were the host's failure, not the deployment's; the old tasks kept
    // serving (their health survived the restart) until new ones were RUNNING and healthy.
    assert.equal(primary?.failedTasks, 0);
    const stoppedArns =
      (await ecs.send(new ListTasksCommand({ cluster: 'apps', desiredStatus: 'STOPPED' }))).taskArns ?? [];
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: 'apps', tasks: stoppedArns }))).tasks ?? [];
    const firstNewStart = Math.min(...tasks.map((t) => t.startedAt?.getTime() ?? Infinity));
    for (const old of stopped.filter((t) => t.taskDefinitionArn === v1)) {
      assert.ok(
        (old.stoppingAt?.getTime() ?? 0) >= firstNewStart,
        `old task stopped at ${old.stoppingAt?.toISOString()}, before a new one started at ${new Date(firstNewStart).toISOString()}`,
      );
    }
    for (const t of stopped.filter((t) => t.taskDefinitionArn === v2))
      assert.equal(t.stopCode, 'InfrastructureHealth', t.stoppedReason);
    assert.deepEqual(enis.NetworkInterfaces.map((n) => n.NetworkInterfaceId).sort(), [...eniOfTasks].sort());
  });

  async function defaultGroup(): Promise<string> {
    return (
      await cli([
        'ec2',
        'describe-security-groups',
        '--query',
        "SecurityGroups[?GroupName=='default'].GroupId",
        '--output',
        'text',
      ])
    ).trim();
  }
});
