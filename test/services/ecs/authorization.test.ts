/**
 * The IAM action, resource and condition keys each operation asks for (Service
 * Authorization Reference), iam:PassRole for the roles a task definition hands to ECS,
 * and ecs:TagResource for tags on create.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECS_ARN,
  EXECUTION_ROLE,
  NETWORK,
  TASK_ROLE,
  createHarness,
  createSeedService,
  seedCluster,
  seedTaskDefinition,
  type EcsHarness,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(async () => {
  h = createHarness();
  await seedCluster(h);
  await createSeedService(h);
});
afterEach(() => h.dispose());

const CLUSTER = ECS_ARN('cluster/my-app-cluster');
const SERVICE = ECS_ARN('service/my-app-cluster/my-app-service');
const PASS = { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' };

describe('authorization', () => {
  it('names the cluster ARN for cluster operations and * for lists', async () => {
    assert.deepEqual(await h.authorize('CreateCluster', { clusterName: 'c' }), [
      { action: 'ecs:CreateCluster', resource: ECS_ARN('cluster/c') },
    ]);
    assert.deepEqual(await h.authorize('CreateCluster', { clusterName: 'c', tags: [{ key: 'k', value: 'v' }] }), [
      {
        action: 'ecs:CreateCluster',
        resource: ECS_ARN('cluster/c'),
        context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' },
      },
      {
        action: 'ecs:TagResource',
        resource: ECS_ARN('cluster/c'),
        context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v', 'ecs:CreateAction': 'CreateCluster' },
      },
    ]);
    assert.deepEqual(await h.authorize('DescribeClusters', { clusters: ['my-app-cluster', ECS_ARN('cluster/x')] }), [
      { action: 'ecs:DescribeClusters', resource: CLUSTER },
      { action: 'ecs:DescribeClusters', resource: ECS_ARN('cluster/x') },
    ]);
    assert.deepEqual(await h.authorize('DescribeClusters'), [
      { action: 'ecs:DescribeClusters', resource: ECS_ARN('cluster/default') },
    ]);
    assert.deepEqual(await h.authorize('DeleteCluster', { cluster: 'my-app-cluster' }), [
      { action: 'ecs:DeleteCluster', resource: CLUSTER },
    ]);
    assert.deepEqual(await h.authorize('ListClusters'), [{ action: 'ecs:ListClusters', resource: '*' }]);
    assert.deepEqual(await h.authorize('ListServices', { cluster: 'my-app-cluster' }), [
      { action: 'ecs:ListServices', resource: '*', context: { 'ecs:cluster': CLUSTER } },
    ]);
    assert.deepEqual(await h.authorize('ListTasks', {}), [
      { action: 'ecs:ListTasks', resource: '*', context: { 'ecs:cluster': ECS_ARN('cluster/default') } },
    ]);
    for (const op of ['ListTaskDefinitions', 'ListTaskDefinitionFamilies'] as const)
      assert.deepEqual(await h.authorize(op), [{ action: `ecs:${op}`, resource: '*' }]);
    assert.deepEqual(await h.authorize('DescribeTaskDefinition', { taskDefinition: 'my-app-task' }), [
      { action: 'ecs:DescribeTaskDefinition', resource: '*' },
    ]);
    assert.deepEqual(await h.authorize('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:1' }), [
      { action: 'ecs:DeregisterTaskDefinition', resource: '*' },
    ]);
  });

  it('checks iam:PassRole for the roles a task definition registers', async () => {
    assert.deepEqual(
      await h.authorize('RegisterTaskDefinition', {
        ...seedTaskDefinition(),
        taskRoleArn: TASK_ROLE,
        tags: [{ key: 'k', value: 'v' }],
      }),
      [
        {
          action: 'ecs:RegisterTaskDefinition',
          resource: '*',
          context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' },
        },
        {
          action: 'ecs:TagResource',
          resource: ECS_ARN('task-definition/my-app-task:2'),
          context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v', 'ecs:CreateAction': 'RegisterTaskDefinition' },
        },
        { action: 'iam:PassRole', resource: TASK_ROLE, context: PASS },
        { action: 'iam:PassRole', resource: EXECUTION_ROLE, context: PASS },
      ],
    );
    const withoutRoles = { ...seedTaskDefinition(), executionRoleArn: undefined };
    assert.deepEqual(await h.authorize('RegisterTaskDefinition', withoutRoles), [
      { action: 'ecs:RegisterTaskDefinition', resource: '*' },
    ]);
  });

  it('names the service ARN with ecs:cluster and ecs:task-definition for service operations', async () => {
    assert.deepEqual(
      await h.authorize('CreateService', {
        cluster: 'my-app-cluster',
        serviceName: 'web',
        taskDefinition: 'my-app-task',
        desiredCount: 1,
      }),
      [
        {
          action: 'ecs:CreateService',
          resource: ECS_ARN('service/my-app-cluster/web'),
          context: { 'ecs:cluster': CLUSTER, 'ecs:task-definition': ECS_ARN('task-definition/my-app-task:1') },
        },
      ],
    );
    assert.deepEqual(
      await h.authorize('UpdateService', { cluster: 'my-app-cluster', service: 'my-app-service', desiredCount: 2 }),
      [{ action: 'ecs:UpdateService', resource: SERVICE, context: { 'ecs:cluster': CLUSTER } }],
    );
    assert.deepEqual(
      await h.authorize('DescribeServices', { cluster: 'my-app-cluster', services: ['my-app-service', SERVICE] }),
      [
        { action: 'ecs:DescribeServices', resource: SERVICE, context: { 'ecs:cluster': CLUSTER } },
        { action: 'ecs:DescribeServices', resource: SERVICE, context: { 'ecs:cluster': CLUSTER } },
      ],
    );
    assert.deepEqual(await h.authorize('DeleteService', { cluster: 'my-app-cluster', service: 'my-app-service' }), [
      { action: 'ecs:DeleteService', resource: SERVICE, context: { 'ecs:cluster': CLUSTER } },
    ]);
  });

  it('authorizes RunTask on the task definition as named, with iam:PassRole', async () => {
    const input = {
      cluster: 'my-app-cluster',
      taskDefinition: 'my-app-task',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
    };
    assert.deepEqual(await h.authorize('RunTask', input), [
      { action: 'ecs:RunTask', resource: ECS_ARN('task-definition/my-app-task'), context: { 'ecs:cluster': CLUSTER } },
      { action: 'iam:PassRole', resource: EXECUTION_ROLE, context: PASS },
    ]);
    assert.equal(
      (await h.authorize('RunTask', { ...input, taskDefinition: 'my-app-task:1' }))[0]?.resource,
      ECS_ARN('task-definition/my-app-task:1'),
    );
  });

  it('names the task ARN for StopTask and DescribeTasks, and the resource for tagging', async () => {
    const { tasks } = await h.call<{ tasks: { taskArn: string }[] }>('RunTask', {
      cluster: 'my-app-cluster',
      taskDefinition: 'my-app-task',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      tags: [{ key: 'owner', value: 'ci' }],
    });
    const arn = tasks[0]?.taskArn ?? '';
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const expected = {
      action: 'ecs:StopTask',
      resource: arn,
      context: { 'aws:ResourceTag/owner': 'ci', 'ecs:cluster': CLUSTER },
    };
    assert.deepEqual(await h.authorize('StopTask', { cluster: 'my-app-cluster', task: id }), [expected]);
    assert.deepEqual(await h.authorize('DescribeTasks', { cluster: 'my-app-cluster', tasks: [arn] }), [
      { ...expected, action: 'ecs:DescribeTasks' },
    ]);
    assert.deepEqual(await h.authorize('TagResource', { resourceArn: SERVICE, tags: [{ key: 'a', value: 'b' }] }), [
      { action: 'ecs:TagResource', resource: SERVICE, context: { 'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b' } },
    ]);
    assert.deepEqual(await h.authorize('UntagResource', { resourceArn: arn, tagKeys: ['owner'] }), [
      {
        action: 'ecs:UntagResource',
        resource: arn,
        context: { 'aws:ResourceTag/owner': 'ci', 'aws:TagKeys': ['owner'] },
      },
    ]);
    assert.deepEqual(await h.authorize('ListTagsForResource', { resourceArn: CLUSTER }), [
      { action: 'ecs:ListTagsForResource', resource: CLUSTER },
    ]);
  });
});
