/**
 * Create/Update/Describe/List/DeleteService: deployments and their states, events (newest
 * first, at most 100, duplicates suppressed), MISSING failures, idempotency, and the errors
 * AWS gives for each misuse.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ECS_ARN,
  NETWORK,
  START,
  createHarness,
  createSeedService,
  rejectsWith,
  seedCluster,
  seedTaskDefinition,
  type EcsHarness,
  type ServiceOut,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(async () => {
  h = createHarness();
  await seedCluster(h);
});
afterEach(() => h.dispose());

const SERVICE_ARN = ECS_ARN('service/my-app-cluster/my-app-service');
const describeOne = async (extra: Record<string, unknown> = {}) =>
  (
    await h.call<{ services: ServiceOut[] }>('DescribeServices', {
      cluster: 'my-app-cluster',
      services: ['my-app-service'],
      ...extra,
    })
  ).services[0];
const update = (input: Record<string, unknown>) =>
  h.call<{ service: ServiceOut }>('UpdateService', { cluster: 'my-app-cluster', service: 'my-app-service', ...input });

describe('CreateService', () => {
  it("creates the seed's service with its first PRIMARY deployment in progress", async () => {
    const service = await createSeedService(h);
    assert.equal(service.serviceArn, SERVICE_ARN);
    assert.equal(service.clusterArn, ECS_ARN('cluster/my-app-cluster'));
    assert.equal(service.status, 'ACTIVE');
    assert.equal(service.desiredCount, 1);
    assert.equal(service.runningCount, 0);
    assert.equal(service.pendingCount, 0);
    assert.equal(service.launchType, 'FARGATE');
    assert.equal(service.taskDefinition, ECS_ARN('task-definition/my-app-task:1'));
    assert.deepEqual(service.deploymentController, { type: 'ECS' });
    assert.deepEqual(service.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    assert.deepEqual(service.networkConfiguration, NETWORK);
    assert.deepEqual(service.events, []);
    assert.equal(service.deployments.length, 1);
    const [deployment] = service.deployments;
    assert.match(deployment?.id ?? '', /^ecs-svc\/[1-9]\d{18}$/);
    assert.deepEqual(deployment, {
      id: deployment?.id,
      status: 'PRIMARY',
      taskDefinition: ECS_ARN('task-definition/my-app-task:1'),
      desiredCount: 1,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: START,
      updatedAt: START,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${deployment?.id ?? ''} in progress.`,
      networkConfiguration: NETWORK,
    });
  });

  it('is idempotent for the same request, and refuses a different one', async () => {
    const first = await createSeedService(h);
    const again = await createSeedService(h);
    assert.equal(again.deployments[0]?.id, first.deployments[0]?.id);
    await rejectsWith(
      createSeedService(h, { desiredCount: 2 }),
      'InvalidParameterException',
      'Creation of service was not idempotent.',
    );
  });

  it('takes a deployment configuration with the circuit breaker', async () => {
    const service = await createSeedService(h, {
      deploymentConfiguration: {
        minimumHealthyPercent: 0,
        maximumPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      healthCheckGracePeriodSeconds: 30,
    });
    assert.deepEqual(service.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 100,
      minimumHealthyPercent: 0,
    });
  });

  const refusals: [string, Record<string, unknown>, string, string | RegExp][] = [
    ['a missing cluster', { cluster: 'nope' }, 'ClusterNotFoundException', 'Cluster not found.'],
    [
      'no network configuration',
      { networkConfiguration: undefined },
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    ],
    [
      'empty subnets',
      { networkConfiguration: { awsvpcConfiguration: { subnets: [] } } },
      'InvalidParameterException',
      'subnets can not be empty.',
    ],
    [
      'a subnet EC2 does not know',
      { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-zzz'] } } },
      'InvalidParameterException',
      /The subnet ID 'subnet-zzz' does not exist/,
    ],
    [
      'launch type and strategy',
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
      'InvalidParameterException',
      'Specify either Launch Type or Capacity Provider Strategy, but not both.',
    ],
    ['launch type EC2', { launchType: 'EC2' }, 'InvalidParameterException', /FARGATE only/],
    ['no launch type', { launchType: undefined }, 'InvalidParameterException', /FARGATE only/],
    ['no desired count', { desiredCount: undefined }, 'InvalidParameterException', /desiredCount/],
    ['a missing task definition', { taskDefinition: 'nope' }, 'ClientException', 'Unable to describe task definition.'],
    [
      'a load balancer',
      { loadBalancers: [{ targetGroupArn: 'arn:tg', containerName: 'my-app', containerPort: 80 }] },
      'InvalidParameterException',
      /Elastic Load Balancing/,
    ],
    [
      'platform 1.3.0',
      { platformVersion: '1.3.0' },
      'PlatformUnknownException',
      'The specified platform version does not exist.',
    ],
    ['a bad member type', { desiredCount: 'one' }, 'InvalidParameterException', /Value 'one' at 'desiredCount'/],
  ];
  for (const [name, extra, code, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await rejectsWith(createSeedService(h, extra), code, message);
    });
  }

  it('refuses an INACTIVE or non-Fargate task definition', async () => {
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:1' });
    await rejectsWith(
      createSeedService(h, { taskDefinition: 'my-app-task:1' }),
      'InvalidParameterException',
      'TaskDefinition is inactive',
    );
    await h.call('RegisterTaskDefinition', {
      family: 'bridge',
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }],
    });
    await rejectsWith(
      createSeedService(h, { taskDefinition: 'bridge' }),
      'InvalidParameterException',
      'Task definition does not support launch_type FARGATE.',
    );
  });
});

describe('UpdateService', () => {
  it('starts a new PRIMARY deployment for a new task definition; the old one becomes ACTIVE', async () => {
    const created = await createSeedService(h);
    await h.call('RegisterTaskDefinition', seedTaskDefinition());
    h.clock.advance(60_000);
    const { service } = await update({ taskDefinition: 'my-app-task' });
    assert.equal(service.taskDefinition, ECS_ARN('task-definition/my-app-task:2'));
    assert.deepEqual(
      service.deployments.map((d) => [d.status, d.taskDefinition, d.rolloutState]),
      [
        ['PRIMARY', ECS_ARN('task-definition/my-app-task:2'), 'IN_PROGRESS'],
        ['ACTIVE', ECS_ARN('task-definition/my-app-task:1'), 'IN_PROGRESS'],
      ],
    );
    assert.equal(service.deployments[1]?.id, created.deployments[0]?.id);
    assert.deepEqual(service.deployments[1]?.updatedAt, new Date(START.getTime() + 60_000));
  });

  it('rescales the PRIMARY deployment for a desired count alone, and redeploys when forced', async () => {
    const created = await createSeedService(h);
    const scaled = (await update({ desiredCount: 3 })).service;
    assert.equal(scaled.desiredCount, 3);
    assert.deepEqual(
      scaled.deployments.map((d) => [d.id, d.desiredCount]),
      [[created.deployments[0]?.id, 3]],
    );
    const same = (await update({ taskDefinition: 'my-app-task:1' })).service;
    assert.equal(same.deployments.length, 1);
    const forced = (await update({ forceNewDeployment: true })).service;
    assert.equal(forced.deployments.length, 2);
    assert.equal(forced.deployments[0]?.desiredCount, 3);
  });

  it('merges deployment configuration members', async () => {
    await createSeedService(h);
    const { service } = await update({
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    assert.deepEqual(service.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    const again = (await update({ deploymentConfiguration: { minimumHealthyPercent: 50 } })).service;
    assert.deepEqual(again.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 50,
    });
  });

  it('refuses a missing service, an inactive one and an inactive task definition', async () => {
    await rejectsWith(update({ desiredCount: 2 }), 'ServiceNotFoundException', 'Service not found.');
    await createSeedService(h);
    await h.call('RegisterTaskDefinition', seedTaskDefinition());
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:2' });
    await rejectsWith(
      update({ taskDefinition: 'my-app-task:2' }),
      'InvalidParameterException',
      'TaskDefinition is inactive',
    );
    await h.call('DeleteService', { cluster: 'my-app-cluster', service: 'my-app-service', force: true });
    await rejectsWith(update({ desiredCount: 2 }), 'ServiceNotActiveException', 'Service was not ACTIVE.');
  });
});

describe('DescribeServices, ListServices and events', () => {
  it('answers unknown services with MISSING failures and a missing cluster with ClusterNotFoundException', async () => {
    await createSeedService(h);
    const result = await h.call<{ services: ServiceOut[]; failures: unknown[] }>('DescribeServices', {
      cluster: 'my-app-cluster',
      services: ['my-app-service', 'ghost', SERVICE_ARN],
    });
    assert.deepEqual(
      result.services.map((s) => s.serviceName),
      ['my-app-service', 'my-app-service'],
    );
    assert.deepEqual(result.failures, [{ arn: ECS_ARN('service/my-app-cluster/ghost'), reason: 'MISSING' }]);
    await rejectsWith(
      h.call('DescribeServices', { cluster: 'nope', services: ['x'] }),
      'ClusterNotFoundException',
      'Cluster not found.',
    );
    await rejectsWith(
      h.call('DescribeServices', { cluster: 'my-app-cluster' }),
      'InvalidParameterException',
      /Value null at 'services'/,
    );
  });

  it('shows tags only with include TAGS', async () => {
    await createSeedService(h, { tags: [{ key: 'env', value: 'dev' }] });
    assert.equal((await describeOne())?.tags, undefined);
    assert.deepEqual((await describeOne({ include: ['TAGS'] }))?.tags, [{ key: 'env', value: 'dev' }]);
  });

  it('shows events newest first, at most 100, without identical consecutive ones', async () => {
    await createSeedService(h);
    const at = (s: number) => new Date(START.getTime() + s * 1000);
    assert.equal(
      h.store.services.appendEvent(SERVICE_ARN, '(service my-app-service) has reached a steady state.', at(1)),
      true,
    );
    assert.equal(
      h.store.services.appendEvent(SERVICE_ARN, '(service my-app-service) has reached a steady state.', at(2)),
      false,
    );
    assert.equal(
      h.store.services.appendEvent(SERVICE_ARN, '(service my-app-service) has reached a steady state.', at(7 * 3600)),
      true,
    );
    for (let i = 0; i < 120; i++)
      h.store.services.appendEvent(
        SERVICE_ARN,
        `(service my-app-service) has started 1 tasks: (task ${i}).`,
        at(8 * 3600 + i),
      );
    const events = (await describeOne())?.events ?? [];
    assert.equal(events.length, 100);
    assert.equal(events[0]?.message, '(service my-app-service) has started 1 tasks: (task 119).');
    assert.match(events[0]?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(events[0]?.createdAt, at(8 * 3600 + 119));
  });

  it('lists ACTIVE and DRAINING services by name, paged', async () => {
    await createSeedService(h);
    await createSeedService(h, { serviceName: 'a-service' });
    const first = await h.call<{ serviceArns: string[]; nextToken?: string }>('ListServices', {
      cluster: 'my-app-cluster',
      maxResults: 1,
    });
    assert.deepEqual(first.serviceArns, [ECS_ARN('service/my-app-cluster/a-service')]);
    const second = await h.call<{ serviceArns: string[]; nextToken?: string }>('ListServices', {
      cluster: 'my-app-cluster',
      nextToken: first.nextToken,
    });
    assert.deepEqual(second.serviceArns, [SERVICE_ARN]);
    assert.equal(second.nextToken, undefined);
  });
});

describe('DeleteService', () => {
  it('refuses a service scaled above 0 unless forced, then drains it', async () => {
    await createSeedService(h);
    await rejectsWith(
      h.call('DeleteService', { cluster: 'my-app-cluster', service: 'my-app-service' }),
      'InvalidParameterException',
      'The service cannot be stopped while it is scaled above 0.',
    );
    const { service } = await h.call<{ service: ServiceOut }>('DeleteService', {
      cluster: 'my-app-cluster',
      service: 'my-app-service',
      force: true,
    });
    assert.equal(service.status, 'DRAINING');
    assert.equal(service.desiredCount, 0);
    assert.deepEqual(
      service.deployments.map((d) => d.desiredCount),
      [0],
    );
    await rejectsWith(
      createSeedService(h),
      'InvalidParameterException',
      'Unable to Start a service that is still Draining.',
    );
    await rejectsWith(
      h.call('DeleteService', { cluster: 'my-app-cluster', service: 'my-app-service' }),
      'ServiceNotActiveException',
      'Service was not ACTIVE.',
    );
    // The scheduler completes the deletion; the name can then be used again.
    h.store.services.setStatus(SERVICE_ARN, 'INACTIVE');
    assert.equal((await describeOne())?.status, 'INACTIVE');
    assert.deepEqual(
      (await h.call<{ serviceArns: string[] }>('ListServices', { cluster: 'my-app-cluster' })).serviceArns,
      [],
    );
    const again = await createSeedService(h);
    assert.equal(again.status, 'ACTIVE');
    assert.equal(again.deployments.length, 1);
  });

  it('deletes a service scaled to 0 without force', async () => {
    await createSeedService(h, { desiredCount: 0 });
    const { service } = await h.call<{ service: ServiceOut }>('DeleteService', {
      cluster: 'my-app-cluster',
      service: SERVICE_ARN,
    });
    assert.equal(service.status, 'DRAINING');
    await rejectsWith(
      h.call('DeleteService', { cluster: 'my-app-cluster', service: 'ghost' }),
      'ServiceNotFoundException',
      'Service not found.',
    );
  });
});
