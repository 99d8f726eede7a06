/**
 * Everything ECS stores survives a restart: clusters, task definitions and their revisions,
 * services with deployments and events, and tasks, read back through a reopened database.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECS_ARN,
  NETWORK,
  START,
  createHarness,
  createSeedService,
  seedCluster,
  seedTaskDefinition,
  type EcsHarness,
  type ServiceOut,
  type TaskOut,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

describe('persistence', () => {
  it('reads back clusters, task definitions, services, deployments, events and tasks after reopening', async () => {
    await seedCluster(h);
    const created = await createSeedService(h, { tags: [{ key: 'env', value: 'dev' }] });
    h.store.services.appendEvent(created.serviceArn, '(service my-app-service) has reached a steady state.', START);
    const { tasks } = await h.call<{ tasks: TaskOut[] }>('RunTask', {
      cluster: 'my-app-cluster',
      taskDefinition: 'my-app-task',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
    });
    await h.call('StopTask', { cluster: 'my-app-cluster', task: tasks[0]?.taskArn });

    h.reopen();

    assert.deepEqual((await h.call<{ clusterArns: string[] }>('ListClusters')).clusterArns, [
      ECS_ARN('cluster/my-app-cluster'),
    ]);
    const { services } = await h.call<{ services: ServiceOut[] }>('DescribeServices', {
      cluster: 'my-app-cluster',
      services: ['my-app-service'],
      include: ['TAGS'],
    });
    const [service] = services;
    assert.ok(service);
    assert.deepEqual(service.deployments, created.deployments);
    assert.deepEqual(service.tags, [{ key: 'env', value: 'dev' }]);
    assert.deepEqual(
      service.events.map((e) => [e.message, e.createdAt]),
      [['(service my-app-service) has reached a steady state.', START]],
    );
    assert.ok(service.deployments[0]?.createdAt instanceof Date);
    const described = await h.call<{ tasks: TaskOut[] }>('DescribeTasks', {
      cluster: 'my-app-cluster',
      tasks: [tasks[0]?.taskArn],
    });
    assert.equal(described.tasks[0]?.desiredStatus, 'STOPPED');
    assert.equal(described.tasks[0]?.stopCode, 'UserInitiated');
    // The service remains idempotent across the restart.
    assert.equal((await createSeedService(h, { tags: [{ key: 'env', value: 'dev' }] })).deployments.length, 1);
    // Revisions continue where they were.
    const { taskDefinition } = await h.call<{ taskDefinition: { revision: number } }>(
      'RegisterTaskDefinition',
      seedTaskDefinition(),
    );
    assert.equal(taskDefinition.revision, 2);
    assert.equal(h.store.services.listForReconcile().length, 1);
  });
});
