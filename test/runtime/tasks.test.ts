/**
 * The runtime loop with real containers through the engine's socket: a tiny image pushed to the
 * cloud's ECR, a task definition naming it in AWS's form, RunTask → RUNNING with the task's
 * address answering on the container port, StopTask → STOPPED with an exit code, an execution
 * role without ECR pull → STOPPED with CannotPullContainerError, an essential container's exit,
 * and awslogs. Every container the cloud creates carries its `dockyard.cloud` label and is
 * removed in `after`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL } from '../../src/runtime/runtime.js';
import { Ec2Store } from '../../src/services/ec2/store.js';
import { LogsStore } from '../../src/services/logs/store.js';

import {
  addressOf,
  CONTAINER_PORT,
  describeTask,
  httpGet,
  registerWeb,
  runTask,
  startRuntimeSuite,
  stopRuntimeSuite,
  untilStatus,
  type Fixture,
} from './support.js';
import { waitFor } from '../support/wait-for.js';

describe('runtime: tasks as containers', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runtime-'));
  let cloud: Cloud;
  let f: Fixture;

  before(async () => ({ cloud, f } = await startRuntimeSuite(engine, dataDir)));
  after(() => stopRuntimeSuite({ engine, dataDir, cloud, f }));

  it('runs a task from the local ECR, serves on its address, and stops it with an exit code', async () => {
    const arn = await runTask(f, await registerWeb(cloud, f.ecs, 'web', 'exec'));
    const running = await untilStatus(f.ecs, arn, 'RUNNING');
    const container = running.containers?.[0];
    assert.ok(container?.runtimeId, 'runtimeId recorded');
    const details = running.attachments?.[0]?.details ?? [];
    const address = addressOf(running);
    assert.ok(address, 'ENI address recorded');
    assert.ok(details.find((d) => d.name === 'networkInterfaceId')?.value?.startsWith('eni-'));
    assert.equal(
      await waitFor('the app at the task address', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 20_000 }),
      'hello',
    );
    // Revoking the ingress rule closes the address; authorizing it again reopens it.
    const ec2 = new Ec2Store(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const rule = ec2.rules().find((r) => r.groupId === f.group && !r.isEgress && r.fromPort === CONTAINER_PORT);
    assert.ok(rule);
    ec2.removeRules([rule.id]);
    await waitFor('address refuses', async () =>
      (await httpGet(address, CONTAINER_PORT)) === undefined ? true : undefined,
    );
    ec2.addRules([
      {
        groupId: f.group,
        isEgress: false,
        protocol: 'tcp',
        fromPort: CONTAINER_PORT,
        toPort: CONTAINER_PORT,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      },
    ]);
    assert.equal(await waitFor('address reopens', () => httpGet(address, CONTAINER_PORT)), 'hello');
    const labelled = await engine.listContainers({ labels: { [LABEL.task]: arn } });
    assert.equal(labelled.length, 1);

    await f.ecs.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.containers?.[0]?.lastStatus, 'STOPPED');
    assert.equal(stopped.containers?.[0]?.exitCode, 143, 'SIGTERM through the init');
    assert.equal(await httpGet(address, CONTAINER_PORT), undefined, 'address closed after stop');
    assert.equal((await engine.listContainers({ labels: { [LABEL.task]: arn } })).length, 0, 'container removed');
  });

  it('stops a task whose execution role cannot pull with CannotPullContainerError', async () => {
    const arn = await runTask(f, await registerWeb(cloud, f.ecs, 'nopull', 'nopull'));
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(
      stopped.stoppedReason ?? '',
      /^CannotPullContainerError: .*(denied|unauthorized|not authorized)/i,
      stopped.stoppedReason,
    );
    assert.equal((await engine.listContainers({ labels: { [LABEL.task]: arn } })).length, 0);
  });

  it('stops the task when its essential container exits', async () => {
    const arn = await runTask(f, await registerWeb(cloud, f.ecs, 'web2', 'exec'));
    const running = await untilStatus(f.ecs, arn, 'RUNNING');
    const id = running.containers?.[0]?.runtimeId ?? '';
    await engine.killContainer(id, 'SIGKILL');
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    assert.equal(stopped.containers?.[0]?.exitCode, 137);
  });
  it('sends container output to CloudWatch Logs with awslogs', async () => {
    const logConfiguration = {
      logDriver: 'awslogs' as const,
      options: {
        'awslogs-group': '/ecs/web',
        'awslogs-region': cloud.region,
        'awslogs-stream-prefix': 'ecs',
        'awslogs-create-group': 'true',
      },
    };
    const arn = await runTask(f, await registerWeb(cloud, f.ecs, 'logged', 'exec', { logConfiguration }));
    await untilStatus(f.ecs, arn, 'RUNNING');
    const logs = new LogsStore(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const stream = `ecs/web/${arn.slice(arn.lastIndexOf('/') + 1)}`;
    const lines = await waitFor('log events', () => {
      const events = logs.streamExists('/ecs/web', stream)
        ? logs.events('/ecs/web', { streams: [stream], direction: 'forward', limit: 100 })
        : [];
      return Promise.resolve(events.length > 0 ? events.map((e) => e.message) : undefined);
    });
    assert.deepEqual(lines, ['listening']);
    await f.ecs.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await untilStatus(f.ecs, arn, 'STOPPED');
  });

  it('fails the task when its awslogs group is missing and may not be created', async () => {
    const logConfiguration = {
      logDriver: 'awslogs' as const,
      options: { 'awslogs-group': '/ecs/missing', 'awslogs-region': cloud.region, 'awslogs-stream-prefix': 'ecs' },
    };
    const arn = await runTask(f, await registerWeb(cloud, f.ecs, 'nolog', 'exec', { logConfiguration }));
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /^ResourceInitializationError: .*log group does not exist/);
  });

  it('runs ECS health checks through exec: HEALTHY, and UNHEALTHY after the retries', async () => {
    const healthy = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'checked', 'exec', {
        healthCheck: { command: ['CMD-SHELL', 'exit 0'], interval: 5, timeout: 2, retries: 1 },
      }),
    );
    const failing = await runTask(
      f,
      await registerWeb(cloud, f.ecs, 'failing', 'exec', {
        healthCheck: { command: ['CMD', '/bin/sh', '-c', 'exit 3'], interval: 5, timeout: 2, retries: 1 },
      }),
    );
    const health = (arn: string, status: string) =>
      waitFor(
        `task ${status}`,
        async () => {
          const task = await describeTask(f.ecs, arn);
          return task.healthStatus === status ? task : undefined;
        },
        { timeoutMs: 20_000 },
      );
    const ok = await health(healthy, 'HEALTHY');
    assert.equal(ok.containers?.[0]?.healthStatus, 'HEALTHY');
    const bad = await health(failing, 'UNHEALTHY');
    assert.equal(bad.containers?.[0]?.healthStatus, 'UNHEALTHY');
    for (const arn of [healthy, failing]) await f.ecs.send(new StopTaskCommand({ cluster: 'apps', task: arn }));
    await untilStatus(f.ecs, healthy, 'STOPPED');
    await untilStatus(f.ecs, failing, 'STOPPED');
  });
});
