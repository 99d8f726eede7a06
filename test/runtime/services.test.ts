/**
 * The service loop with real containers: a service reaches steady state (one deployment,
 * runningCount == desiredCount, "has started 1 tasks" and "has reached a steady state."
 * events), is served by its stable endpoint, rolls to a new revision with no failed request
 * through that endpoint from keep-alive and connection-per-request clients (the old task
 * drained, then stopped by the scheduler), also right after a deployment, DeleteService
 * drains it to INACTIVE with no container left; and a crashing revision trips the circuit
 * breaker, which rolls back to the last COMPLETED deployment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import type { Cloud } from '../../src/cloud/cloud.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { LABEL, cloudLabelFor } from '../../src/runtime/runtime.js';

import {
  addressOf,
  assertAllOk,
  CONTAINER_PORT,
  describeTask,
  httpGet,
  loadBoth,
  registerWeb,
  startRuntimeSuite,
  stopRuntimeSuite,
  type Fixture,
} from './support.js';
import { waitFor } from '../support/wait-for.js';
import { FollowingClock } from '../support/following-clock.js';

describe('runtime: services', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runtime-svc-'));
  // Wall time, which a test can also skip ahead (the start throttle's window).
  const clock = new FollowingClock();
  let cloud: Cloud;
  let f: Fixture;

  before(
    async () =>
      ({ cloud, f } = await startRuntimeSuite(engine, dataDir, { timings: { noHealthCheckGraceMs: 1500 }, clock })),
  );
  after(async () => {
    await stopRuntimeSuite({ engine, dataDir, cloud, f });
    clock.stop();
  });

  async function service(name = 'web'): Promise<Service> {
    const out = await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: [name] }));
    const s = out.services?.[0];
    assert.ok(s, JSON.stringify(out.failures));
    return s;
  }

  const stable = (taskDefinition: string, name = 'web') =>
    waitFor(
      'service steady',
      async () => {
        const s = await service(name);
        const primary = s.deployments?.[0];
        return s.deployments?.length === 1 &&
          s.runningCount === 1 &&
          primary?.taskDefinition === taskDefinition &&
          primary.rolloutState === 'COMPLETED'
          ? s
          : undefined;
      },
      { timeoutMs: 60_000 },
    );

  /** A FARGATE service of one task on the fixture's subnet and group, with a public IP. */
  async function createService(
    name: string,
    taskDefinition: string,
    extra: Partial<CreateServiceCommandInput> = {},
  ): Promise<void> {
    await f.ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: name,
        taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [f.subnet], securityGroups: [f.group], assignPublicIp: 'ENABLED' },
        },
        ...extra,
      }),
    );
  }

  async function runningTaskArns(): Promise<string[]> {
    const out = await f.ecs.send(
      new ListTasksCommand({ cluster: 'apps', serviceName: 'web', desiredStatus: 'RUNNING' }),
    );
    return out.taskArns ?? [];
  }

  it('reaches steady state, rolls to a new revision and drains on delete', async () => {
    const v1 = await registerWeb(cloud, f.ecs, 'web', 'exec');
    await createService('web', v1);
    const first = await stable(v1);
    const messages = (first.events ?? []).map((e) => e.message ?? '');
    assert.ok(
      messages.some((m) => /^\(service web\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$/.test(m)),
      messages.join('\n'),
    );
    await waitFor(
      'steady-state event',
      async () =>
        ((await service()).events ?? []).some((e) => e.message === '(service web) has reached a steady state.') ||
        undefined,
    );
    const [oldArn] = await runningTaskArns();
    assert.ok(oldArn);
    const oldTask = await describeTask(f.ecs, oldArn);
    assert.equal(
      await waitFor('v1 answers', () => httpGet(addressOf(oldTask) ?? '', CONTAINER_PORT), { timeoutMs: 20_000 }),
      'hello',
    );

    // The stable endpoint routes to the RUNNING, healthy task.
    const url = new URL(cloud.runtime?.endpoints?.url(first.serviceArn ?? '') ?? 'http://127.0.0.1:1');
    const viaEndpoint = () => httpGet(url.hostname, Number(url.port));
    assert.equal(await waitFor('endpoint answers', viaEndpoint, { timeoutMs: 20_000 }), 'hello');

    // Rolling to v2 (no health check) while keep-alive and connection-per-request clients keep
    // requesting through the endpoint: every request is answered 200.
    const v2 = await registerWeb(cloud, f.ecs, 'web', 'exec', { environment: [{ name: 'VERSION', value: '2' }] });
    const load = loadBoth(url);
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'web', taskDefinition: v2 }));
    await stable(v2);
    const old = await waitFor('old task stopped', async () => {
      const t = await describeTask(f.ecs, oldArn);
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
    assertAllOk(await load.stop(), 20);
    assert.equal(old.stopCode, 'ServiceSchedulerInitiated');
    assert.match(old.stoppedReason ?? '', /^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/);
    const [newArn] = await runningTaskArns();
    assert.ok(newArn && newArn !== oldArn);
    assert.equal((await describeTask(f.ecs, newArn)).taskDefinitionArn, v2);

    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'web', force: true }));
    await waitFor('service INACTIVE', async () => ((await service()).status === 'INACTIVE' ? true : undefined), {
      timeoutMs: 60_000,
    });
    assert.equal((await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } })).length, 0);
  });

  it('trips the circuit breaker on a crashing revision and rolls back to the last completed one', async () => {
    const good = await registerWeb(cloud, f.ecs, 'breaker', 'exec');
    await createService('breaker', good, {
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
    });
    await stable(good, 'breaker');
    const crashing = await registerWeb(cloud, f.ecs, 'breaker', 'exec', {
      entryPoint: ['/bin/sh'],
      command: ['-c', 'exit 1'],
    });
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'breaker', taskDefinition: crashing }));
    const failed = await waitFor(
      'rollback begun',
      async () => {
        const s = await service('breaker');
        return (s.events ?? []).some((e) =>
          /^\(service breaker\) rolling back to deployment ecs-svc\/\d{19}\.$/.test(e.message ?? ''),
        )
          ? s
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(failed.deployments?.[0]?.taskDefinition, good, 'the rollback deployment is PRIMARY');
    const rolledBack = await stable(good, 'breaker');
    assert.equal(rolledBack.taskDefinition, good);
    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'breaker', force: true }));
    await waitFor(
      'service INACTIVE',
      async () => ((await service('breaker')).status === 'INACTIVE' ? true : undefined),
      { timeoutMs: 60_000 },
    );
  });
  it('throttles restarts of tasks that cannot start, and a new revision starts at once', async () => {
    const missing = await registerWeb(cloud, f.ecs, 'nopull', 'exec', {
      image: `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/tiny:no-such-tag`,
    });
    await createService('nopull', missing);
    const started = (s: Awaited<ReturnType<typeof service>>) =>
      (s.events ?? []).filter((e) => /has started 1 tasks/.test(e.message ?? '')).length;
    const throttled = await waitFor(
      'the throttle event',
      async () => {
        const s = await service('nopull');
        return (s.events ?? []).some(
          (e) => e.message === '(service nopull) is unable to consistently start tasks successfully.',
        )
          ? s
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // Two failures retried at once, the third waits 10 s: no new task meanwhile. Skipping three
    // seconds runs the loop's sixty ticks of them at once, and none starts a task.
    assert.equal(started(throttled), 3);
    clock.advance(3_000);
    assert.equal(started(await service('nopull')), 3);
    const good = await registerWeb(cloud, f.ecs, 'nopull', 'exec');
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'nopull', taskDefinition: good }));
    await stable(good, 'nopull');
    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'nopull', force: true }));
    await waitFor(
      'service INACTIVE',
      async () => ((await service('nopull')).status === 'INACTIVE' ? true : undefined),
      { timeoutMs: 60_000 },
    );
  });

  it('replaces a task whose container is killed', async () => {
    const td = await registerWeb(cloud, f.ecs, 'healer', 'exec');
    await createService('healer', td);
    await stable(td, 'healer');
    const [first] = (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'healer' }))).taskArns ?? [];
    assert.ok(first);
    const victim = await describeTask(f.ecs, first);
    await engine.killContainer(victim.containers?.[0]?.runtimeId ?? '', 'SIGKILL');
    const replacement = await waitFor(
      'a replacement task',
      async () => {
        const tasks =
          (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'healer' }))).taskArns ?? [];
        const other = tasks.find((t) => t !== first);
        if (!other) return undefined;
        const task = await describeTask(f.ecs, other);
        return task.lastStatus === 'RUNNING' ? task : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const stopped = await describeTask(f.ecs, first);
    assert.equal(stopped.lastStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    const address = addressOf(replacement);
    assert.ok(address);
    assert.equal(
      await waitFor('the replacement to answer', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 10_000 }),
      'hello',
    );
    await stable(td, 'healer');
    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'healer', force: true }));
    await waitFor(
      'service INACTIVE',
      async () => ((await service('healer')).status === 'INACTIVE' ? true : undefined),
      { timeoutMs: 60_000 },
    );
  });

  it('with minimum 0 / maximum 100 stops the old task before starting the new one', async () => {
    const v1 = await registerWeb(cloud, f.ecs, 'stopfirst', 'exec');
    await createService('stopfirst', v1, {
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
    await stable(v1, 'stopfirst');
    const [oldArn] =
      (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'stopfirst' }))).taskArns ?? [];
    assert.ok(oldArn);
    const v2 = await registerWeb(cloud, f.ecs, 'stopfirst', 'exec', { environment: [{ name: 'VERSION', value: '2' }] });
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'stopfirst', taskDefinition: v2 }));
    // upper = floor(1 × 100%) = 1 and lower = 0: nothing can start while the old task holds the only slot.
    const during = await waitFor(
      'the old task stopping',
      async () => {
        const s = await service('stopfirst');
        return s.deployments?.length === 2 && (await describeTask(f.ecs, oldArn)).desiredStatus === 'STOPPED'
          ? s
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const newPrimary = during.deployments?.find((d) => d.status === 'PRIMARY');
    assert.equal(newPrimary?.taskDefinition, v2);
    assert.equal(during.deployments?.find((d) => d.status === 'ACTIVE')?.taskDefinition, v1);
    const done = await stable(v2, 'stopfirst');
    const [newArn] =
      (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'stopfirst', desiredStatus: 'RUNNING' })))
        .taskArns ?? [];
    assert.ok(newArn && newArn !== oldArn);
    const old = await describeTask(f.ecs, oldArn);
    const fresh = await describeTask(f.ecs, newArn);
    assert.equal(old.lastStatus, 'STOPPED');
    assert.ok(
      old.stoppedAt && fresh.createdAt && old.stoppedAt.getTime() <= fresh.createdAt.getTime(),
      `old stopped ${old.stoppedAt?.toISOString()}, new created ${fresh.createdAt?.toISOString()}`,
    );
    // Events, newest first: stopped the old task, then started the new one.
    const messages = (done.events ?? []).map((e) => e.message ?? '');
    const id = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
    const stoppedAt = messages.findIndex(
      (m) => m === `(service stopfirst) has stopped 1 running tasks: (task ${id(oldArn)}).`,
    );
    const startedAt = messages.findIndex((m) => m === `(service stopfirst) has started 1 tasks: (task ${id(newArn)}).`);
    assert.ok(stoppedAt > 0 && startedAt >= 0 && startedAt < stoppedAt, messages.join('\n'));
    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'stopfirst', force: true }));
    await waitFor(
      'service INACTIVE',
      async () => ((await service('stopfirst')).status === 'INACTIVE' ? true : undefined),
      { timeoutMs: 60_000 },
    );
  });
});

/**
 * An old task without a health check that is still in its 40 s before counting healthy, but
 * serving: a deployment right after the previous one keeps it until its replacement serves, so
 * the endpoint is never without a target (it answered 503s meanwhile before). Its own cloud,
 * once the suite above has stopped, with the grace long enough that the old task is surely that
 * young when the deployment starts.
 */
describe('runtime: a deployment over a task not yet counted healthy', () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runtime-young-'));
  const GRACE_MS = 30_000;
  let cloud: Cloud;
  let f: Fixture;

  before(
    async () =>
      ({ cloud, f } = await startRuntimeSuite(engine, dataDir, { timings: { noHealthCheckGraceMs: GRACE_MS } })),
  );
  after(() => stopRuntimeSuite({ engine, dataDir, cloud, f }));

  it('keeps the serving old task until the new one serves: no request fails, keep-alive or not', async () => {
    const v1 = await registerWeb(cloud, f.ecs, 'young', 'exec');
    const created = await f.ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: 'young',
        taskDefinition: v1,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [f.subnet], securityGroups: [f.group], assignPublicIp: 'ENABLED' },
        },
      }),
    );
    const endpoint = await waitFor(
      'the endpoint',
      async () => cloud.runtime?.endpoints?.url(created.service?.serviceArn ?? ''),
      { timeoutMs: 30_000 },
    );
    const url = new URL(endpoint);
    await waitFor(
      'the endpoint answers',
      async () => ((await httpGet(url.hostname, Number(url.port))) === 'hello' ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const [oldArn] = (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'young' }))).taskArns ?? [];
    assert.ok(oldArn);

    const load = loadBoth(url);
    const v2 = await registerWeb(cloud, f.ecs, 'young', 'exec', { environment: [{ name: 'VERSION', value: '2' }] });
    await f.ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'young', taskDefinition: v2 }));
    const old = await waitFor(
      'the old task stopped',
      async () => {
        const t = await describeTask(f.ecs, oldArn);
        return t.lastStatus === 'STOPPED' ? t : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assertAllOk(await load.stop(), 20);
    const [newArn] =
      (await f.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'young', desiredStatus: 'RUNNING' })))
        .taskArns ?? [];
    assert.ok(newArn && newArn !== oldArn);
    const fresh = await describeTask(f.ecs, newArn);
    // The case at hand: the old task was told to stop while young, and only once the new one ran.
    assert.ok(
      old.startedAt && old.stoppingAt && old.stoppingAt.getTime() - old.startedAt.getTime() < GRACE_MS,
      'the old task stopped before it counted healthy',
    );
    assert.ok(
      fresh.startedAt && old.stoppingAt && fresh.startedAt.getTime() <= old.stoppingAt.getTime(),
      `new task running at ${fresh.startedAt?.toISOString()}, old told to stop at ${old.stoppingAt?.toISOString()}`,
    );

    await f.ecs.send(new DeleteServiceCommand({ cluster: 'apps', service: 'young', force: true }));
    await waitFor(
      'service INACTIVE',
      async () => {
        const s = (await f.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['young'] })))
          .services?.[0];
        return s?.status === 'INACTIVE' ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });
});
