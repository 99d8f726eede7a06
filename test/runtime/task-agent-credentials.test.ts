/**
 * The agent's credentials endpoint in-process over a cloud with a manual clock (no engine): the
 * task role's session (STS GetCallerIdentity with it answers assumed-role/<role>/<task id>), the
 * same credentials while more than an hour is left, fresh ones after, and refusals: an unknown
 * id, another address than the task's, a task without a task role.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, CreateClusterCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { TaskAgent } from '../../src/runtime/task-agent.js';
import { Ec2Store } from '../../src/services/ec2/store.js';
import { EcsStore } from '../../src/services/ecs/store.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { TRUST } from './support.js';

/** GET from `localAddress`; the status and parsed body. */
function fetchFrom(port: number, path: string, localAddress = '127.0.0.1'): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, localAddress }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    }).on('error', reject);
  });
}

describe('task agent: task role credentials', () => {
  const clock = new ManualClock(Date.now());
  const scratch = mkdtempSync(join(tmpdir(), 'dockyard-agent-creds-'));
  let t: TestCloud;
  let agent: TaskAgent;
  let engine: DockerApiEngine;
  let withRole = '';
  let withoutRole = '';
  let port = 0;

  before(async () => {
    t = await startTestCloud({ clock });
    const config = sdkConfig(t);
    await new IAMClient(config).send(new CreateRoleCommand({ RoleName: 'app-task', AssumeRolePolicyDocument: TRUST }));
    const ecs = new ECSClient(config);
    await ecs.send(new CreateClusterCommand({ clusterName: 'apps' }));
    const ec2 = new Ec2Store(t.cloud.state.db, { accountId: t.accountId, region: t.region });
    const subnet = ec2.subnets()[0]?.id ?? '';
    const run = async (family: string, taskRoleArn?: string) => {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          ...(taskRoleArn ? { taskRoleArn } : {}),
          containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
        }),
      );
      const out = await ecs.send(
        new RunTaskCommand({
          cluster: 'apps',
          taskDefinition: family,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
        }),
      );
      return out.tasks?.[0]?.taskArn ?? '';
    };
    withRole = await run('with-role', `arn:aws:iam::${t.accountId}:role/app-task`);
    withoutRole = await run('without-role');
    engine = new DockerApiEngine();
    const store = new EcsStore(t.cloud.state.db, { accountId: t.accountId, region: t.region });
    agent = new TaskAgent({
      storeOf: () => store,
      engine,
      roles: t.cloud.state.iam,
      credentials: t.cloud.state.credentials,
      clock,
      logger: silentLogger,
      accountId: t.accountId,
      cloudPort: t.port,
      listenOn: () => Promise.resolve(),
      statePath: join(scratch, 'task-agent.json'),
      caCertPath: join(scratch, 'ca.crt'),
      caBundlePath: join(scratch, 'bundle.crt'),
    });
    // Both tasks' "containers" are this process on the loopback: 127.0.0.1 and 127.0.0.3.
    const base = { id: 'c', name: 'c', image: 'i', imageId: 'i', labels: {}, status: 'running' as const };
    const details = { ...base, running: true, oomKilled: false, ports: [], gateway: '127.0.0.1' };
    await agent.attach(withRole, { ...details, ipAddress: '127.0.0.1' }, { install: false });
    await agent.attach(withoutRole, { ...details, ipAddress: '127.0.0.3' }, { install: false });
    port = (JSON.parse(readFileSync(join(scratch, 'task-agent.json'), 'utf8')) as { port: number }).port;
  });

  after(async () => {
    await agent.close();
    await engine.close();
    await t.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("serves the task role's session, the same one while an hour is left, a fresh one after", async () => {
    const path = `/v2/credentials/${agent.credentialsId(withRole)}`;
    const first = await fetchFrom(port, path);
    assert.equal(first.status, 200);
    const creds = first.body as Record<string, string>;
    assert.equal(creds.RoleArn, `arn:aws:iam::${t.accountId}:role/app-task`);
    assert.equal(Date.parse(creds.Expiration ?? ''), Math.floor((clock.now().getTime() + 6 * 3600_000) / 1000) * 1000);
    const sts = new STSClient({
      ...sdkConfig(t),
      credentials: {
        accessKeyId: creds.AccessKeyId ?? '',
        secretAccessKey: creds.SecretAccessKey ?? '',
        sessionToken: creds.Token ?? '',
      },
    });
    const taskId = withRole.slice(withRole.lastIndexOf('/') + 1);
    assert.equal(
      (await sts.send(new GetCallerIdentityCommand({}))).Arn,
      `arn:aws:sts::${t.accountId}:assumed-role/app-task/${taskId}`,
    );

    clock.advance(4 * 3600_000);
    const again = (await fetchFrom(port, path)).body as Record<string, string>;
    assert.equal(again.AccessKeyId, creds.AccessKeyId, 'two hours left: the same session');
    clock.advance(3600_000 + 1000);
    const fresh = (await fetchFrom(port, path)).body as Record<string, string>;
    assert.notEqual(fresh.AccessKeyId, creds.AccessKeyId, 'under an hour left: a new session');
    assert.ok(Date.parse(fresh.Expiration ?? '') > Date.parse(creds.Expiration ?? ''));
  });

  it('refuses an unknown id, another address, and a task without a task role', async () => {
    const refused = { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' };
    assert.deepEqual(await fetchFrom(port, '/v2/credentials/00000000-0000-0000-0000-000000000000'), {
      status: 400,
      body: refused,
    });
    // The other task's address asking for this task's credentials.
    assert.deepEqual(await fetchFrom(port, `/v2/credentials/${agent.credentialsId(withRole)}`, '127.0.0.3'), {
      status: 400,
      body: refused,
    });
    assert.deepEqual(await fetchFrom(port, `/v2/credentials/${agent.credentialsId(withoutRole)}`, '127.0.0.3'), {
      status: 400,
      body: refused,
    });
    assert.equal((await fetchFrom(port, '/v2/other')).status, 404);
  });
});
