/**
 * A job in a container reaches an ECS task at the task's own addresses, as a host client does
 * (its private address, DescribeTasks', and its public one, `http://127.K.x.y:8080/`), also when
 * the task started after the job did (the job's routes follow the tasks); any other port on the
 * engine's bridges stays refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { Ec2Store } from '../../src/services/ec2/store.js';
import {
  addressOf,
  CONTAINER_PORT,
  portOf,
  registerWeb,
  runTask,
  startRuntimeSuite,
  stopRuntimeSuite,
  untilStatus,
  type Fixture,
} from '../runtime/support.js';
import { finishedRun, pushFiles } from '../support/git-push.js';
import { waitFor } from '../support/wait-for.js';

describe('a job reaches ECS tasks at their addresses', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-task-addresses-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-task-addresses-work-'));
  let cloud: Cloud;
  let f: Fixture;

  before(async () => {
    ({ cloud, f } = await startRuntimeSuite(engine, dataDir));
    await cloud.ci.repositories.create('mona/probe');
  });
  after(async () => {
    await stopRuntimeSuite({ engine, dataDir, cloud, f });
    rmSync(work, { recursive: true, force: true });
  });

  it('a task started while the job runs answers at its addresses; other ports of the task network do not', async () => {
    const pushed = pushFiles({ port: portOf(cloud), admin: cloud.state.admin }, work, 'mona/probe', {
      '.github/workflows/probe.yml': [
        'on: push',
        'jobs:',
        '  probe:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          echo "WAITING for the task"',
        // The test writes the task's URL into the workspace once the task runs.
        '          for i in $(seq 1 600); do [ -f task-url ] && break; sleep 0.1; done',
        '          url=$(cat task-url)',
        '          for i in $(seq 1 50); do curl -sf "$url" >/dev/null && break; sleep 0.2; done',
        '          echo "TASK says: $(curl -sf "$url")"',
        '          echo "PUBLIC says: $(curl -sf "$(cat task-public-url)")"',
        '          if curl -sf --max-time 3 "http://$(cat task-container-ip):8081/"; then echo "REACHED the task network directly"; else echo "other ports refused"; fi',
        '',
      ].join('\n'),
    });
    const runId = await waitFor(
      'the job to wait for the task',
      async () => {
        const run = cloud.ci.runner.listRuns({ repository: 'mona/probe', limit: 1 })[0];
        return run !== undefined && /Z WAITING for the task$/m.test(cloud.ci.runner.readLog(run.id))
          ? run.id
          : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const taskDefinition = await registerWeb(cloud, f.ecs, 'probe', 'exec');
    const task = await untilStatus(f.ecs, await runTask(f, taskDefinition), 'RUNNING');
    const address = addressOf(task);
    assert.ok(address);
    const containerId = task.containers?.[0]?.runtimeId ?? '';
    const containerIp = (await engine.inspectContainer(containerId)).ipAddress ?? '';
    assert.notEqual(containerIp, '');
    const workspace = join(dataDir, 'work', `${runId}-probe`, 'probe', 'probe');
    writeFileSync(join(workspace, 'task-container-ip'), `${containerIp}\n`);
    const eniId = task.attachments?.[0]?.details?.find((d) => d.name === 'networkInterfaceId')?.value ?? '';
    const ec2 = new Ec2Store(cloud.state.db, { accountId: cloud.accountId, region: cloud.region });
    const publicIp = ec2.getNetworkInterface(eniId)?.publicIp ?? '';
    assert.match(publicIp, /^127\./);
    writeFileSync(join(workspace, 'task-public-url'), `http://${publicIp}:${CONTAINER_PORT}/\n`);
    writeFileSync(join(workspace, 'task-url'), `http://${address}:${CONTAINER_PORT}/\n`);
    await pushed;
    const { run, log } = await finishedRun(cloud.ci.runner, 'mona/probe');
    assert.equal(run.conclusion, 'success', log);
    assert.match(log, /Z TASK says: hello$/m);
    assert.match(log, /Z PUBLIC says: hello$/m);
    assert.match(log, /Z other ports refused$/m);
  });
});
