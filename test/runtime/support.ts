/**
 * Shared set-up of the runtime tests: a cloud that runs tasks through the engine (on a port the
 * kernel picks, with a task address range of its own), the tiny image pushed to its ECR, execution roles with and without
 * pull permission, a cluster, and the default VPC's subnet and group opened to the app port.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { Cloud } from '../../src/cloud/cloud.js';
import type { ContainerEngine } from '../../src/engine/contract.js';
import type { DockerApiEngine } from '../../src/engine/docker-api.js';
import type { SchedulerTimings } from '../../src/scheduler/index.js';
import { Ec2Store } from '../../src/services/ec2/store.js';

import { buildTinyImageTar, TINY_IMAGE_CHANGES, tinyHttpServerScript } from '../../src/images/tiny-image.js';
import { LABEL, cloudLabelFor } from '../../src/runtime/runtime.js';
import { removeImages } from '../support/engine-cleanup.js';
import { runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';
import { claimTaskAddressRange } from '../support/ports.js';
import type { Clock } from '../../src/core/clock.js';
import type { HostPlatforms } from '../../src/host/platforms.js';

export const CONTAINER_PORT = 8080;

/** An HTTP server in perl built-ins only: answers `hello` on `port` (the entry point is perl). */
export function perlServer(port: number): string[] {
  return ['-e', tinyHttpServerScript(port)];
}

export { httpGet } from '../engine/contract-suite.js';

export const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** The port a cloud listens on (its registry is localhost:PORT to the engine). */
export function portOf(cloud: Cloud): number {
  return Number(new URL(cloud.url).port);
}

export interface RuntimeCloudOptions {
  timings?: SchedulerTimings;
  clock?: Clock;
  /** A restart names the port of the cloud it replaces; otherwise the kernel picks one. */
  port?: number;
  /** Which CPU architectures the host runs, when a test stands in for the kernel's answer. */
  platforms?: HostPlatforms;
  /** A second cloud in the same process needs task addresses of its own. */
  taskAddressRange?: { first: string; last: string };
}

/**
 * The task address range of this test process's runtime clouds: one range per process, so a
 * cloud restarted on the same data directory finds its tasks' addresses in it again.
 */
let addressRange: { first: string; last: string } | undefined;

/** A cloud whose runtime ticks every 50 ms over `engine`. */
export async function startRuntimeCloud(
  engine: ContainerEngine,
  dataDir: string,
  options: RuntimeCloudOptions = {},
): Promise<Cloud> {
  addressRange ??= claimTaskAddressRange();
  const taskAddressRange = options.taskAddressRange ?? addressRange;
  const port = options.port ?? 0;
  // A restart on its predecessor's port: a client socket of another test may hold that port for
  // a moment (it lies in the kernel's ephemeral range), so binding is retried.
  const cloud = await waitFor(
    `port ${port}`,
    async () => {
      try {
        return await Cloud.start({
          dataDir,
          port,
          host: '127.0.0.1',
          ...(options.clock ? { clock: options.clock } : {}),
          runtime: {
            engine,
            tickMs: 50,
            taskAddressRange,
            ...(options.timings ? { timings: options.timings } : {}),
            ...(options.platforms ? { platforms: options.platforms } : {}),
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return undefined;
        throw error;
      }
    },
    { timeoutMs: 30_000 },
  );
  await cloud.ready();
  return cloud;
}

/** A runtime test suite's `before`: the engine answers, the cloud runs, the fixture is prepared. */
export async function startRuntimeSuite(
  engine: DockerApiEngine,
  dataDir: string,
  options: RuntimeCloudOptions = {},
): Promise<{ cloud: Cloud; f: Fixture }> {
  await engine.ping(AbortSignal.timeout(5000));
  const cloud = await startRuntimeCloud(engine, dataDir, options);
  return { cloud, f: await prepare(cloud, engine) };
}

/** A runtime test suite's `after`: the cloud stopped, every container it labelled and every image it pulled removed. */
export async function stopRuntimeSuite(suite: {
  engine: DockerApiEngine;
  dataDir: string;
  cloud: Cloud;
  f: Fixture;
}): Promise<void> {
  const { engine, dataDir, cloud } = suite;
  const port = portOf(cloud);
  await cloud.stop();
  for (const c of await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } }))
    await engine.removeContainer(c.id, { force: true });
  await removeImages(`localhost:${port}/`);
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
}

export function clientConfig(cloud: Cloud) {
  return {
    endpoint: cloud.url,
    region: cloud.region,
    credentials: { accessKeyId: cloud.state.admin.accessKeyId, secretAccessKey: cloud.state.admin.secretAccessKey },
    maxAttempts: 1,
  };
}

/** What `prepare` set up. */
export interface Fixture {
  ecs: ECSClient;
  subnet: string;
  group: string;
  /** The tiny image as the registry names it (localhost:PORT/tiny:1). */
  localImage: string;
}

/**
 * Pushes the tiny image to the ECR of the cloud `config` points at, as localhost:PORT/tiny:1 (and
 * removes the local copy, so tasks pull it); creates role `exec`, which may pull it, and cluster
 * `apps`. Returns the image's local name.
 */
export async function pushTinyImageForExec(
  config: ReturnType<typeof clientConfig>,
  engine: DockerApiEngine,
  port: number,
): Promise<string> {
  const ecr = new ECRClient(config);
  const iam = new IAMClient(config);
  const localImage = `localhost:${port}/tiny:1`;
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tiny' }));
  const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
  await engine.importImage(buildTinyImageTar(), localImage, {
    changes: TINY_IMAGE_CHANGES,
    signal: AbortSignal.timeout(60_000),
  });
  // Verified TLS: the cloud wrote its CA into the engine's certs.d for localhost:PORT.
  await runOk('podman', ['push', '--creds', token, localImage]);
  // By name, not by ID: another test's import of the same files may share the ID (removeImages).
  await removeImages(`localhost:${port}/tiny`);

  await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: TRUST }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'exec',
      PolicyName: 'pull',
      PolicyDocument: JSON.stringify({
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
      }),
    }),
  );
  await new ECSClient(config).send(new CreateClusterCommand({ clusterName: 'apps' }));
  return localImage;
}

/**
 * pushTinyImageForExec, and role `nopull` (may not pull), and TCP 8080 opened on the default VPC's
 * subnet and group.
 */
export async function prepare(cloud: Cloud, engine: DockerApiEngine): Promise<Fixture> {
  const config = clientConfig(cloud);
  const ecs = new ECSClient(config);
  const localImage = await pushTinyImageForExec(config, engine, portOf(cloud));
  await new IAMClient(config).send(new CreateRoleCommand({ RoleName: 'nopull', AssumeRolePolicyDocument: TRUST }));

  const ec2 = new Ec2Store(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
  const subnet = ec2.subnets()[0]?.id ?? '';
  const group = ec2.securityGroups().find((g) => g.name === 'default')?.id ?? '';
  ec2.addRules([
    {
      groupId: group,
      isEgress: false,
      protocol: 'tcp',
      fromPort: CONTAINER_PORT,
      toPort: CONTAINER_PORT,
      peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
    },
  ]);
  return { ecs, subnet, group, localImage };
}

/** awslogs to `group` (created on demand), streams `ecs/<container>/<task id>`. */
export function awslogsTo(region: string, group: string): ContainerDefinition['logConfiguration'] {
  return {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': group,
      'awslogs-region': region,
      'awslogs-stream-prefix': 'ecs',
      'awslogs-create-group': 'true',
    },
  };
}

/** Registers FAMILY running the perl server from the ECR image of `cloud` (its account and region), with `executionRole`. */
export async function registerWeb(
  cloud: { accountId: string; region: string },
  ecs: ECSClient,
  family: string,
  executionRole: string,
  extra: Partial<ContainerDefinition> = {},
  task: { taskRoleArn?: string } = {},
): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      ...task,
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: `arn:aws:iam::${cloud.accountId}:role/${executionRole}`,
      containerDefinitions: [
        {
          name: 'web',
          image: `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/tiny:1`,
          entryPoint: ['/bin/perl'],
          command: perlServer(CONTAINER_PORT),
          portMappings: [{ containerPort: CONTAINER_PORT, protocol: 'tcp' }],
          stopTimeout: 2,
          essential: true,
          ...extra,
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

/** RunTask in cluster `apps` with the fixture's network; the new task's ARN. */
export async function runTask(f: Fixture, taskDefinition: string): Promise<string> {
  const out = await f.ecs.send(
    new RunTaskCommand({
      cluster: 'apps',
      taskDefinition,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [f.subnet], securityGroups: [f.group], assignPublicIp: 'ENABLED' },
      },
    }),
  );
  const arn = out.tasks?.[0]?.taskArn;
  assert.ok(arn, JSON.stringify(out.failures));
  return arn;
}

export async function describeTask(ecs: ECSClient, arn: string): Promise<Task> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster: 'apps', tasks: [arn] }));
  const task = out.tasks?.[0];
  assert.ok(task);
  return task;
}

/** Waits (up to 60 s) for the task to reach `status`; fails at once, with its reason, if it stops instead. */
export async function untilStatus(ecs: ECSClient, arn: string, status: string): Promise<Task> {
  const task = await waitFor(
    `task ${status}`,
    async () => {
      const t = await describeTask(ecs, arn);
      return t.lastStatus === status || t.lastStatus === 'STOPPED' ? t : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(task.lastStatus, status, `task stopped: ${task.stopCode ?? ''} ${task.stoppedReason ?? ''}`);
  return task;
}

/** The task's ENI address. */
export function addressOf(task: Task): string | undefined {
  return task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
}

/** Answers counted by status code, or by error code for requests that got none. */
export type Answers = Map<string, number>;

/**
 * `workers` loops sending GET / to `url` until `stop()`, each over a keep-alive connection it
 * reuses or over a new connection per request; `stop()` resolves to the answers.
 */
export function loadThrough(url: URL, options: { keepAlive: boolean; workers: number }): { stop(): Promise<Answers> } {
  const agent = new Agent({ keepAlive: options.keepAlive, maxSockets: options.workers });
  const answers: Answers = new Map();
  let running = true;
  const once = () =>
    new Promise<string>((resolve) => {
      const req = get({ host: url.hostname, port: Number(url.port), path: '/', agent, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
        res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  const loops = Array.from({ length: options.workers }, async () => {
    while (running) {
      const answer = await once();
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return answers;
    },
  };
}

/** Keep-alive and connection-per-request clients at once, through `url`. */
export function loadBoth(url: URL, workers = 4): { stop(): Promise<{ keepAlive: Answers; perRequest: Answers }> } {
  const keepAlive = loadThrough(url, { keepAlive: true, workers });
  const perRequest = loadThrough(url, { keepAlive: false, workers });
  return {
    async stop() {
      return { keepAlive: await keepAlive.stop(), perRequest: await perRequest.stop() };
    },
  };
}

/** Fails unless every answer of both clients was a 200, and each client got at least `least`. */
export function assertAllOk(answers: { keepAlive: Answers; perRequest: Answers }, least: number): void {
  const seen = Object.entries(answers)
    .map(([client, counts]) => `${client}: ${JSON.stringify(Object.fromEntries(counts))}`)
    .join(', ');
  for (const counts of Object.values(answers)) {
    assert.deepEqual(
      [...counts.keys()].filter((status) => status !== '200'),
      [],
      seen,
    );
    assert.ok((counts.get('200') ?? 0) >= least, seen);
  }
}
