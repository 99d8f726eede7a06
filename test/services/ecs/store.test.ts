/**
 * The store API the scheduler uses: services to reconcile, read-modify-write of tasks and
 * deployments, task filters, purging stopped tasks and transactions that roll back whole.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTask } from '../../../src/services/ecs/index.js';
import { ECS_ARN, NETWORK, START, createHarness, createSeedService, seedCluster, type EcsHarness } from './fixtures.js';

let h: EcsHarness;
beforeEach(async () => {
  h = createHarness();
  await seedCluster(h);
});
afterEach(() => h.dispose());

describe('EcsStore for the scheduler', () => {
  it('lists services to reconcile and updates their tasks and deployments', async () => {
    const created = await createSeedService(h);
    const [service] = h.store.services.listForReconcile();
    assert.equal(service?.serviceArn, created.serviceArn);
    const deploymentId = created.deployments[0]?.id ?? '';
    const cluster = h.store.clusters.get('my-app-cluster');
    const definition = h.store.taskDefinitions.get('my-app-task', 1);
    assert.ok(cluster && definition);
    const task = h.store.tasks.put(
      newTask(h.store.partition, {
        cluster,
        definition,
        group: 'service:my-app-service',
        startedBy: deploymentId,
        networkConfiguration: NETWORK,
        now: START,
      }),
    );
    const running = h.store.tasks.update(task.taskArn, (t) => ({
      ...t,
      lastStatus: 'RUNNING',
      startedAt: START,
      containers: t.containers.map((c) => ({ ...c, lastStatus: 'RUNNING', runtimeId: 'abc123' })),
    }));
    assert.equal(running?.version, 2);
    assert.deepEqual(
      h.store.tasks
        .list({ startedByAny: [deploymentId], live: true })
        .map((t) => [t.lastStatus, t.containers[0]?.runtimeId, t.startedAt]),
      [['RUNNING', 'abc123', START]],
    );
    assert.equal(
      h.store.tasks.update(ECS_ARN('task/my-app-cluster/none'), (t) => t),
      undefined,
    );

    h.store.services.updateDeployment(deploymentId, (d) => ({
      ...d,
      rolloutState: 'COMPLETED',
      rolloutStateReason: `ECS deployment ${d.id} completed.`,
    }));
    assert.equal(h.store.services.deployment(deploymentId)?.rolloutState, 'COMPLETED');
    assert.deepEqual(h.store.serviceCounts(service).byDeployment.get(deploymentId), { running: 1, pending: 0 });

    h.store.tasks.update(task.taskArn, (t) => ({ ...t, lastStatus: 'STOPPED', stoppedAt: START }));
    assert.equal(h.store.tasks.deleteStoppedBefore(new Date(START.getTime() + 1)), 1);
    assert.equal(h.store.tasks.get(task.taskArn), undefined);
  });

  it('rolls a transaction back whole', async () => {
    const created = await createSeedService(h);
    assert.throws(() =>
      h.store.transaction(() => {
        h.store.services.appendEvent(created.serviceArn, 'lost', START);
        throw new Error('scheduler crashed');
      }),
    );
    assert.deepEqual(h.store.services.events(created.serviceArn), []);
  });
});

describe('EcsStore change feed', () => {
  it('announces task definitions registered and deregistered, after the write', async () => {
    const heard: string[] = [];
    const stop = h.store.changes.subscribe((change) => {
      if (change.type === 'task-definition')
        heard.push(`${change.definition.family}:${change.definition.revision} ${change.definition.status}`);
    });
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:1' });
    await seedCluster(h, 'other-cluster');
    await Promise.resolve();
    stop();
    assert.deepEqual(heard, ['my-app-task:1 INACTIVE', 'my-app-task:2 ACTIVE']);
  });
});
