/**
 * RunTask, StopTask, DescribeTasks and ListTasks, and DescribeServices' counts computed from
 * the tasks the scheduler writes (running and pending per deployment).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTask, type Task } from '../../../src/services/ecs/index.js';
import {
  ECS_ARN,
  NETWORK,
  START,
  createHarness,
  createSeedService,
  rejectsWith,
  seedCluster,
  type EcsHarness,
  type ServiceOut,
  type TaskOut,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(async () => {
  h = createHarness();
  await seedCluster(h);
});
afterEach(() => h.dispose());

const run = (extra: Record<string, unknown> = {}) =>
  h.call<{ tasks: TaskOut[]; failures: unknown[] }>('RunTask', {
    cluster: 'my-app-cluster',
    taskDefinition: 'my-app-task',
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    ...extra,
  });
const list = async (extra: Record<string, unknown> = {}) =>
  (await h.call<{ taskArns: string[] }>('ListTasks', { cluster: 'my-app-cluster', ...extra })).taskArns;

describe('RunTask', () => {
  it('creates PROVISIONING tasks for the scheduler to start', async () => {
    const { tasks, failures } = await run({ count: 2 });
    assert.deepEqual(failures, []);
    assert.equal(tasks.length, 2);
    const [task] = tasks;
    assert.ok(task);
    assert.match(task.taskArn, /^arn:aws:ecs:us-east-1:123456789012:task\/my-app-cluster\/[0-9a-f]{32}$/);
    assert.equal(task.clusterArn, ECS_ARN('cluster/my-app-cluster'));
    assert.equal(task.taskDefinitionArn, ECS_ARN('task-definition/my-app-task:1'));
    assert.equal(task.group, 'family:my-app-task');
    assert.equal(task.lastStatus, 'PROVISIONING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(task.launchType, 'FARGATE');
    assert.equal(task.platformVersion, '1.4.0');
    assert.equal(task.cpu, '256');
    assert.equal(task.memory, '512');
    assert.deepEqual(
      task.containers.map((c) => [c.name, c.lastStatus, c.healthStatus]),
      [['my-app', 'PENDING', 'UNKNOWN']],
    );
    assert.deepEqual(
      task.attachments.map((a) => [a.type, a.status, a.details]),
      [['ElasticNetworkInterface', 'PRECREATED', [{ name: 'subnetId', value: 'subnet-aaa' }]]],
    );
    assert.deepEqual(tasks[1]?.attachments[0]?.details, [{ name: 'subnetId', value: 'subnet-bbb' }]);
    assert.equal('networkConfiguration' in task, false);
  });

  it('takes group, startedBy, overrides and tags', async () => {
    const { tasks } = await run({
      group: 'migrations',
      startedBy: 'ci',
      overrides: { containerOverrides: [{ name: 'my-app', command: ['migrate'] }] },
      tags: [{ key: 'job', value: '42' }],
    });
    assert.equal(tasks[0]?.group, 'migrations');
    assert.equal(tasks[0]?.startedBy, 'ci');
    assert.deepEqual(tasks[0]?.tags, [{ key: 'job', value: '42' }]);
    const stored = h.store.tasks.get(tasks[0]?.taskArn ?? '');
    assert.deepEqual(stored?.overrides.containerOverrides, [{ name: 'my-app', command: ['migrate'] }]);
    assert.deepEqual(stored?.networkConfiguration, NETWORK);
  });

  it('refuses what ECS refuses', async () => {
    await rejectsWith(
      run({ networkConfiguration: undefined }),
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
    await rejectsWith(run({ cluster: 'nope' }), 'ClusterNotFoundException', 'Cluster not found.');
    await rejectsWith(run({ taskDefinition: 'nope' }), 'ClientException', 'Unable to describe task definition.');
    await rejectsWith(
      run({ count: 11 }),
      'InvalidParameterException',
      /Member must have value less than or equal to 10/,
    );
    await rejectsWith(run({ launchType: 'EC2' }), 'InvalidParameterException', /FARGATE only/);
    await rejectsWith(
      run({ overrides: { containerOverrides: [{ name: 'other' }] } }),
      'InvalidParameterException',
      /other/,
    );
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:1' });
    await rejectsWith(
      run({ taskDefinition: 'my-app-task:1' }),
      'InvalidParameterException',
      'TaskDefinition is inactive',
    );
  });
});

describe('StopTask, DescribeTasks and ListTasks', () => {
  it('stops a task as the user asked', async () => {
    const { tasks } = await run({ count: 2 });
    const [a, b] = tasks;
    assert.ok(a && b);
    const stopped = (await h.call<{ task: TaskOut }>('StopTask', { cluster: 'my-app-cluster', task: a.taskArn })).task;
    assert.equal(stopped.desiredStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'Task stopped by user');
    const id = b.taskArn.slice(b.taskArn.lastIndexOf('/') + 1);
    const byId = (
      await h.call<{ task: TaskOut }>('StopTask', { cluster: 'my-app-cluster', task: id, reason: 'Rolling back' })
    ).task;
    assert.equal(byId.stoppedReason, 'Rolling back');
    await rejectsWith(
      h.call('StopTask', { cluster: 'my-app-cluster', task: 'ffffffffffffffffffffffffffffffff' }),
      'InvalidParameterException',
      'The referenced task was not found.',
    );
  });

  it('describes tasks by ARN or id, with MISSING failures', async () => {
    const { tasks } = await run({ tags: [{ key: 'k', value: 'v' }] });
    const arn = tasks[0]?.taskArn ?? '';
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const missing = ECS_ARN('task/my-app-cluster/00000000000000000000000000000000');
    const result = await h.call<{ tasks: TaskOut[]; failures: unknown[] }>('DescribeTasks', {
      cluster: 'my-app-cluster',
      tasks: [arn, id, missing],
      include: ['TAGS'],
    });
    assert.deepEqual(
      result.tasks.map((t) => t.taskArn),
      [arn, arn],
    );
    assert.deepEqual(result.tasks[0]?.tags, [{ key: 'k', value: 'v' }]);
    assert.deepEqual(result.failures, [{ arn: missing, reason: 'MISSING' }]);
    const untagged = await h.call<{ tasks: TaskOut[] }>('DescribeTasks', { cluster: 'my-app-cluster', tasks: [arn] });
    assert.equal(untagged.tasks[0]?.tags, undefined);
  });

  it('filters ListTasks by family, startedBy, service and desired status', async () => {
    const service = await createSeedService(h);
    const deployment = service.deployments[0]?.id ?? '';
    const cluster = h.store.clusters.get('my-app-cluster');
    const definition = h.store.taskDefinitions.get('my-app-task', 1);
    assert.ok(cluster && definition);
    const serviceTask = h.store.tasks.put(
      newTask(h.store.partition, {
        cluster,
        definition,
        group: 'service:my-app-service',
        startedBy: deployment,
        networkConfiguration: NETWORK,
        now: START,
      }),
    );
    const [manual] = (await run({ startedBy: 'ci' })).tasks;
    const [stopped] = (await run()).tasks;
    await h.call('StopTask', { cluster: 'my-app-cluster', task: stopped?.taskArn });
    assert.deepEqual(new Set(await list()), new Set([serviceTask.taskArn, manual?.taskArn]));
    assert.deepEqual(await list({ serviceName: 'my-app-service' }), [serviceTask.taskArn]);
    assert.deepEqual(await list({ startedBy: 'ci' }), [manual?.taskArn]);
    assert.deepEqual(await list({ desiredStatus: 'STOPPED' }), [stopped?.taskArn]);
    assert.equal((await list({ family: 'my-app-task' })).length, 2);
    assert.deepEqual(await list({ family: 'other' }), []);
    await rejectsWith(list({ serviceName: 'ghost' }), 'ServiceNotFoundException', 'Service not found.');
  });
});

describe('DescribeServices counts', () => {
  it('computes running and pending counts from tasks, per deployment', async () => {
    const service = await createSeedService(h, { desiredCount: 2 });
    const deployment = service.deployments[0]?.id ?? '';
    const cluster = h.store.clusters.get('my-app-cluster');
    const definition = h.store.taskDefinitions.get('my-app-task', 1);
    assert.ok(cluster && definition);
    const put = (lastStatus: Task['lastStatus']) =>
      h.store.tasks.put({
        ...newTask(h.store.partition, {
          cluster,
          definition,
          group: 'service:my-app-service',
          startedBy: deployment,
          now: START,
        }),
        lastStatus,
      });
    put('RUNNING');
    put('PROVISIONING');
    put('STOPPED');
    const { services } = await h.call<{ services: ServiceOut[] }>('DescribeServices', {
      cluster: 'my-app-cluster',
      services: ['my-app-service'],
    });
    assert.equal(services[0]?.runningCount, 1);
    assert.equal(services[0]?.pendingCount, 1);
    assert.deepEqual(
      services[0]?.deployments.map((d) => [d.runningCount, d.pendingCount]),
      [[1, 1]],
    );
    const clusters = await h.call<{
      clusters: { runningTasksCount: number; pendingTasksCount: number; activeServicesCount: number }[];
    }>('DescribeClusters', { clusters: ['my-app-cluster'] });
    assert.deepEqual(
      clusters.clusters.map((c) => [c.runningTasksCount, c.pendingTasksCount, c.activeServicesCount]),
      [[1, 1, 1]],
    );
  });

  it('bumps a task version on every write', async () => {
    const [task] = (await run()).tasks;
    const stored = h.store.tasks.get(task?.taskArn ?? '');
    assert.ok(stored);
    assert.equal(stored.version, 1);
    assert.equal(h.store.tasks.put({ ...stored, lastStatus: 'PENDING' }).version, 2);
  });
});
