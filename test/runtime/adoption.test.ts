/**
 * Adoption after a restart: the runtime leaves containers running when the cloud stops; the next
 * start on the same data directory adopts those of tasks still wanted (their address answers
 * again), removes labelled containers no task wants, and stops tasks whose containers vanished;
 * a start the dead process left half done (a container created, not yet recorded) is stopped
 * as the host's failure, its container removed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { systemClock } from '../../src/core/clock.js';
import { DEFAULTS } from '../../src/cloud/config.js';
import { CloudState } from '../../src/cloud/state.js';
import { EcsStore } from '../../src/services/ecs/store.js';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL, cloudLabelFor } from '../../src/runtime/runtime.js';

import {
  addressOf,
  clientConfig,
  CONTAINER_PORT,
  describeTask,
  httpGet,
  portOf,
  prepare,
  registerWeb,
  runTask,
  startRuntimeCloud,
  untilStatus,
  type Fixture,
} from './support.js';
import { removeImages } from '../support/engine-cleanup.js';
import { waitFor } from '../support/wait-for.js';

/** The cloud's port: its restarts take it again (the registry is localhost:PORT to the engine). */
let port = 0;

describe('runtime: adoption after a restart', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runtime-adopt-'));
  const label = cloudLabelFor(dataDir);
  let cloud: Cloud;
  let f: Fixture;

  before(async () => {
    await engine.ping(AbortSignal.timeout(5000));
    cloud = await startRuntimeCloud(engine, dataDir);
    port = portOf(cloud);
    f = await prepare(cloud, engine);
  });

  after(async () => {
    await cloud.stop();
    for (const c of await engine.listContainers({ labels: { [LABEL.cloud]: label } }))
      await engine.removeContainer(c.id, { force: true });
    await removeImages(`localhost:${port}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adopts wanted containers, removes orphans and stops tasks whose containers vanished', async () => {
    const definition = await registerWeb(cloud, f.ecs, 'web', 'exec');
    const kept = await runTask(f, definition);
    const lost = await runTask(f, definition);
    const keptTask = await untilStatus(f.ecs, kept, 'RUNNING');
    const lostTask = await untilStatus(f.ecs, lost, 'RUNNING');
    const address = addressOf(keptTask) ?? '';
    assert.equal(
      await waitFor('kept task answers', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 20_000 }),
      'hello',
    );

    const kernel = cloud.runtime?.firewallSupport?.kernel === true;
    await cloud.stop();
    // While the cloud is down: one task's container disappears, and an orphan appears.
    await engine.removeContainer(lostTask.containers?.[0]?.runtimeId ?? '', { force: true });
    const orphan = await engine.createContainer({
      name: `orphan-${label}`,
      image: f.localImage,
      command: ['/bin/sleep', '60'],
      labels: {
        [LABEL.cloud]: label,
        [LABEL.task]: 'arn:aws:ecs:us-east-1:000000000000:task/apps/gone',
        [LABEL.container]: 'web',
      },
    });
    // Security groups in the kernel outlive the cloud process, as a task outlives ECS's control
    // plane; per-port proxies die with it.
    assert.equal(
      await httpGet(address, CONTAINER_PORT),
      kernel ? 'hello' : undefined,
      kernel ? 'the task answers at its address while the cloud is down' : 'nothing listens while the cloud is down',
    );

    cloud = await startRuntimeCloud(engine, dataDir, { port });
    f = { ...f, ecs: new ECSClient(clientConfig(cloud)) };
    assert.equal((await describeTask(f.ecs, kept)).lastStatus, 'RUNNING');
    assert.equal(
      await waitFor('adopted task answers', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 20_000 }),
      'hello',
    );
    const stopped = await untilStatus(f.ecs, lost, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    const remaining = await engine.listContainers({ labels: { [LABEL.cloud]: label } });
    assert.deepEqual(
      remaining.map((c) => c.labels[LABEL.task]),
      [kept],
    );
    assert.ok(!remaining.some((c) => c.id === orphan));
  });

  it('stops a task whose start the dead process left half done, and removes its unrecorded container', async () => {
    const definition = await registerWeb(cloud, f.ecs, 'web', 'exec');
    const arn = await runTask(f, definition);
    const running = await untilStatus(f.ecs, arn, 'RUNNING');
    const containerId = running.containers?.[0]?.runtimeId ?? '';

    await cloud.stop();
    // As if the process died right after creating the container, before recording it.
    const state = new CloudState({ dataDir, issuer: DEFAULTS.issuer }, systemClock);
    try {
      const store = new EcsStore(state.db, { region: state.region, accountId: state.accountId });
      store.tasks.update(arn, (t) => ({
        ...t,
        lastStatus: 'PENDING',
        containers: t.containers.map(({ runtimeId: _dropped, ...c }) => ({ ...c, lastStatus: 'PENDING' })),
      }));
    } finally {
      state.close();
    }

    cloud = await startRuntimeCloud(engine, dataDir, { port });
    f = { ...f, ecs: new ECSClient(clientConfig(cloud)) };
    const stopped = await untilStatus(f.ecs, arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'InfrastructureHealth');
    assert.match(stopped.stoppedReason ?? '', /restarted while the task was starting/);
    await waitFor(
      'the unrecorded container to be removed',
      async () =>
        (await engine.listContainers({ labels: { [LABEL.task]: arn } })).some((c) => c.id === containerId)
          ? undefined
          : true,
      { timeoutMs: 20_000 },
    );
  });
});
