/**
 * CreateCluster, DescribeClusters, ListClusters, DeleteCluster, and tagging every kind of
 * resource: clusters, services, task definitions and tasks.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECS_ARN,
  NETWORK,
  createHarness,
  createSeedService,
  rejectsWith,
  seedCluster,
  type EcsHarness,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

interface ClusterOut {
  clusterArn: string;
  clusterName: string;
  status: string;
  tags?: unknown;
}

describe('clusters', () => {
  it('creates a cluster (idempotently), describes it, lists and deletes it', async () => {
    const { cluster } = await h.call<{ cluster: ClusterOut }>('CreateCluster', {
      clusterName: 'my-app-cluster',
      tags: [{ key: 'team', value: 'web' }],
    });
    assert.deepEqual(cluster, {
      clusterArn: ECS_ARN('cluster/my-app-cluster'),
      clusterName: 'my-app-cluster',
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
      tags: [{ key: 'team', value: 'web' }],
    });
    await h.call('CreateCluster', { clusterName: 'my-app-cluster' });
    await h.call('CreateCluster');
    assert.deepEqual((await h.call<{ clusterArns: string[] }>('ListClusters')).clusterArns, [
      ECS_ARN('cluster/default'),
      ECS_ARN('cluster/my-app-cluster'),
    ]);

    const described = await h.call<{ clusters: ClusterOut[]; failures: unknown[] }>('DescribeClusters', {
      clusters: [ECS_ARN('cluster/my-app-cluster'), 'ghost'],
      include: ['TAGS'],
    });
    assert.deepEqual(
      described.clusters.map((c) => [c.clusterName, c.tags]),
      [['my-app-cluster', [{ key: 'team', value: 'web' }]]],
    );
    assert.deepEqual(described.failures, [{ arn: ECS_ARN('cluster/ghost'), reason: 'MISSING' }]);
    assert.deepEqual(
      (await h.call<{ clusters: ClusterOut[] }>('DescribeClusters')).clusters.map((c) => c.clusterName),
      ['default'],
    );

    const deleted = await h.call<{ cluster: ClusterOut }>('DeleteCluster', { cluster: 'my-app-cluster' });
    assert.equal(deleted.cluster.status, 'INACTIVE');
    assert.equal(
      (await h.call<{ clusters: ClusterOut[] }>('DescribeClusters', { clusters: ['my-app-cluster'] })).clusters[0]
        ?.status,
      'INACTIVE',
    );
    assert.deepEqual((await h.call<{ clusterArns: string[] }>('ListClusters')).clusterArns, [
      ECS_ARN('cluster/default'),
    ]);
    await rejectsWith(
      h.call('DeleteCluster', { cluster: 'my-app-cluster' }),
      'ClusterNotFoundException',
      'Cluster not found.',
    );
    const again = await h.call<{ cluster: ClusterOut }>('CreateCluster', { clusterName: 'my-app-cluster' });
    assert.equal(again.cluster.status, 'ACTIVE');
  });

  it('refuses to delete a cluster with services or tasks', async () => {
    await seedCluster(h);
    await createSeedService(h, { desiredCount: 0 });
    await rejectsWith(h.call('DeleteCluster', { cluster: 'my-app-cluster' }), 'ClusterContainsServicesException');
    await h.call('DeleteService', { cluster: 'my-app-cluster', service: 'my-app-service' });
    h.store.services.setStatus(ECS_ARN('service/my-app-cluster/my-app-service'), 'INACTIVE');
    await h.call('RunTask', {
      cluster: 'my-app-cluster',
      taskDefinition: 'my-app-task',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
    });
    await rejectsWith(h.call('DeleteCluster', { cluster: 'my-app-cluster' }), 'ClusterContainsTasksException');
  });

  it('refuses a cluster name ECS does not allow', async () => {
    await rejectsWith(h.call('CreateCluster', { clusterName: 'my cluster' }), 'InvalidParameterException');
  });
});

describe('tags', () => {
  it('tags, lists and untags clusters, services, task definitions and tasks', async () => {
    await seedCluster(h);
    await createSeedService(h);
    const { tasks } = await h.call<{ tasks: { taskArn: string }[] }>('RunTask', {
      cluster: 'my-app-cluster',
      taskDefinition: 'my-app-task',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
    });
    const arns = [
      ECS_ARN('cluster/my-app-cluster'),
      ECS_ARN('service/my-app-cluster/my-app-service'),
      ECS_ARN('task-definition/my-app-task:1'),
      tasks[0]?.taskArn ?? '',
    ];
    for (const resourceArn of arns) {
      await h.call('TagResource', {
        resourceArn,
        tags: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      });
      await h.call('TagResource', { resourceArn, tags: [{ key: 'a', value: '3' }] });
      await h.call('UntagResource', { resourceArn, tagKeys: ['b', 'absent'] });
      assert.deepEqual(
        (await h.call<{ tags: unknown[] }>('ListTagsForResource', { resourceArn })).tags,
        [{ key: 'a', value: '3' }],
        resourceArn,
      );
    }
  });

  it('refuses reserved keys, too many tags and unknown resources', async () => {
    await h.call('CreateCluster', { clusterName: 'c' });
    const resourceArn = ECS_ARN('cluster/c');
    await rejectsWith(
      h.call('TagResource', { resourceArn, tags: [{ key: 'aws:x', value: '1' }] }),
      'InvalidParameterException',
    );
    const many = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await h.call('TagResource', { resourceArn, tags: many });
    await rejectsWith(
      h.call('TagResource', { resourceArn, tags: many.map((t) => ({ ...t, key: `x${t.key}` })) }),
      'InvalidParameterException',
    );
    await rejectsWith(
      h.call('ListTagsForResource', { resourceArn: ECS_ARN('cluster/ghost') }),
      'ClusterNotFoundException',
    );
    await rejectsWith(
      h.call('ListTagsForResource', { resourceArn: ECS_ARN('service/c/ghost') }),
      'ServiceNotFoundException',
    );
    await rejectsWith(
      h.call('ListTagsForResource', { resourceArn: ECS_ARN('task-definition/ghost:1') }),
      'ResourceNotFoundException',
    );
    await rejectsWith(
      h.call('ListTagsForResource', { resourceArn: 'arn:aws:s3:::bucket' }),
      'InvalidParameterException',
    );
  });
});
