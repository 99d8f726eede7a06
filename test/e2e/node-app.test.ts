/**
 * examples/node-app end to end: `git push` runs its workflow (OIDC, ECR, docker build on
 * node:20-slim, both services deployed); the app's container log shows it read its Secrets
 * Manager secret and SSM parameter (injected as the execution role; the secret's value is
 * masked here), that STS GetCallerIdentity through the container credentials endpoint, with no
 * endpoint configuration in the app, answered assumed-role/node-app-task-role/<task id>, and
 * that the worker answered at its private IP. Then the execution role loses its secrets
 * permission and the next task stops with ECS's ResourceInitializationError.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DeleteRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { NODE_APP, prepareNodeAppContext, provisionNodeApp } from '../../src/seed/node-app.js';
import { LogsStore } from '../../src/services/logs/store.js';
import { clientConfig, portOf, startRuntimeCloud } from '../runtime/support.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'node-app');

describe('examples/node-app: secrets, task role, metadata, worker by private IP', { timeout: 900_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-node-app-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-node-app-work-'));
  let cloud: Cloud;
  let ecs: ECSClient;
  let port = 0;
  /** The app's log lines by what they report. */
  let report = new Map<string, string>();

  before(async () => {
    await runOk('bash', [join(ROOT, 'scripts', 'base-images')]);
    cloud = await startRuntimeCloud(engine, dataDir, { timings: { noHealthCheckGraceMs: 0 } });
    port = portOf(cloud);
    ecs = new ECSClient(clientConfig(cloud));
    await provisionNodeApp(clientConfig(cloud), cloud.accountId, cloud.region, EXAMPLE);
    await cloud.ci.repositories.create(NODE_APP.repository);
    cpSync(EXAMPLE, work, { recursive: true });
    prepareNodeAppContext(work, ROOT);
    const git = (args: string[]) =>
      runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'node-app']);
  });
  after(async () => {
    if (cloud) {
      for (const service of [NODE_APP.service, NODE_APP.workerService])
        await deleteServiceAndWait(ecs, NODE_APP.cluster, service).catch(() => undefined);
      await cloud.stop();
    }
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port}/node-app`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** The running task of the app's service. */
  async function appTask(): Promise<string> {
    return waitFor(
      'a RUNNING node-app task',
      async () => {
        const arns = (
          await ecs.send(new ListTasksCommand({ cluster: NODE_APP.cluster, serviceName: NODE_APP.service }))
        ).taskArns;
        if (!arns?.length) return undefined;
        const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: NODE_APP.cluster, tasks: arns }))).tasks;
        return tasks?.find((t) => t.lastStatus === 'RUNNING')?.taskArn;
      },
      { timeoutMs: 120_000 },
    );
  }

  it('deploys by git push; the app reads its secrets and calls STS and SSM as its task role', async () => {
    const pushed = await run(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
        'push',
        '--force',
        cloud.ci.repositories.cloneUrl(NODE_APP.repository),
        'main',
      ],
      { cwd: work },
    );
    assert.match(pushed.stderr, /remote: dockyard: all 1 run\(s\) succeeded/, pushed.stderr);

    const taskArn = await appTask();
    const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
    const logs = new LogsStore(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const stream = `ecs/node-app/${taskId}`;
    const lines = await waitFor(
      "the app's report in its log",
      () => {
        const events = logs.streamExists('/ecs/node-app', stream)
          ? logs.events('/ecs/node-app', { streams: [stream], direction: 'forward', limit: 100 })
          : [];
        const messages = events.map((e) => e.message);
        return Promise.resolve(messages.some((m) => m.startsWith('worker:')) ? messages : undefined);
      },
      { timeoutMs: 60_000 },
    );
    const secret = (
      await new SecretsManagerClient(clientConfig(cloud)).send(new GetSecretValueCommand({ SecretId: NODE_APP.secret }))
    ).SecretString;
    const password = (JSON.parse(secret ?? '{}') as { password: string }).password;
    // What the test prints has the secret masked; the app itself logs only its length and digest.
    process.stdout.write(`# node-app log:\n${lines.map((l) => `#   ${l.replaceAll(password, '***')}`).join('\n')}\n`);
    assert.ok(!lines.some((l) => l.includes(password)), 'the app never logs the secret');
    const byName = new Map(lines.map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
    assert.match(byName.get('secret DB_PASSWORD') ?? '', new RegExp(`^${password.length} chars, sha256 `));
    assert.equal(byName.get('parameter APP_GREETING'), 'Hello from node-app, configured by SSM Parameter Store');
    assert.equal(
      byName.get('sts:GetCallerIdentity'),
      `arn:aws:sts::${cloud.accountId}:assumed-role/${NODE_APP.taskRole}/${taskId}`,
    );
    assert.equal(
      byName.get('ssm:GetParameter /node-app/greeting'),
      'Hello from node-app, configured by SSM Parameter Store',
    );
    report = byName;
  });

  // DescribeTasks' private IP is today a proxy address on the host's loopback, which a task's own
  // namespace cannot reach; issue 13.4 (tasks on a network of their own, private IPs the addresses
  // tasks use) makes it pass.
  it('the app reached the worker at its private IP', () => {
    assert.match(report.get('worker') ?? '', /^\d+\.\d+\.\d+\.\d+:8080 answered 200: worker arn:aws:ecs:/);
  });

  it("stops the next task with ECS's message once the execution role may not read the secret", async () => {
    // The execution role loses its secrets permission: the next task stops with ECS's message.
    await new IAMClient(clientConfig(cloud)).send(
      new DeleteRolePolicyCommand({ RoleName: NODE_APP.executionRole, PolicyName: 'read-app-secrets' }),
    );
    const since = Date.now() - 1000;
    await ecs.send(
      new UpdateServiceCommand({ cluster: NODE_APP.cluster, service: NODE_APP.service, forceNewDeployment: true }),
    );
    const reason = await waitFor(
      'a new task stopped for its secrets',
      async () => {
        const arns = (
          await ecs.send(
            new ListTasksCommand({
              cluster: NODE_APP.cluster,
              serviceName: NODE_APP.service,
              desiredStatus: 'STOPPED',
            }),
          )
        ).taskArns;
        if (!arns?.length) return undefined;
        const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: NODE_APP.cluster, tasks: arns }))).tasks;
        // Not the tasks that failed before the first deployment (no image yet): a task created since.
        return tasks?.find((t) => t.stopCode === 'TaskFailedToStart' && (t.createdAt?.getTime() ?? 0) >= since)
          ?.stoppedReason;
      },
      { timeoutMs: 120_000 },
    );
    assert.match(
      reason,
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: .*AccessDeniedException: User: arn:aws:sts::\d+:assumed-role\/node-app-execution-role\/[0-9a-f]+ is not authorized to perform: secretsmanager:GetSecretValue/,
    );
  });
});
