/**
 * The rolling update as the console draws it (console/views/timeline.ts), from what ECS
 * records of each task: pending from creation, running from startedAt, healthy from healthyAt
 * (or at once without health checks, as the scheduler counts it), draining from stoppingAt,
 * ending at stoppedAt or, while the task lives, now; the newest lanes only.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildTimeline, MAX_LANES } from '../../src/console/views/timeline.js';
import { newTask, type Task } from '../../src/services/ecs/index.js';
import {
  createHarness,
  createSeedService,
  NETWORK,
  seedCluster,
  START,
  type EcsHarness,
} from '../services/ecs/fixtures.js';

const at = (seconds: number) => new Date(START.getTime() + seconds * 1000);

describe('console: the rolling update drawn over time', () => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = createHarness();
    await seedCluster(h);
  });
  afterEach(() => h.dispose());

  async function fixture() {
    const created = await createSeedService(h);
    const deployment = h.store.services.deployment(created.deployments[0]?.id ?? '');
    const cluster = h.store.clusters.get('my-app-cluster');
    const definition = h.store.taskDefinitions.get('my-app-task', 1);
    assert.ok(deployment && cluster && definition);
    const task = (fields: Partial<Task>): Task => ({
      ...newTask(h.store.partition, {
        cluster,
        definition,
        group: 'service:my-app-service',
        startedBy: deployment.id,
        networkConfiguration: NETWORK,
        now: fields.createdAt ?? START,
      }),
      ...fields,
    });
    return { deployment: { ...deployment, createdAt: START }, task };
  }

  it('draws each phase of a replaced task and of its running replacement', async () => {
    const { deployment, task } = await fixture();
    const old = task({
      createdAt: at(0),
      startedAt: at(2),
      healthyAt: at(5),
      stoppingAt: at(20),
      stoppedAt: at(22),
      lastStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
    });
    const fresh = task({ createdAt: at(10), startedAt: at(12), healthyAt: at(15), lastStatus: 'RUNNING' });
    const drawn = buildTimeline([deployment], [fresh, old], at(30), () => true);
    assert.equal(drawn.from, at(0).toISOString());
    assert.equal(drawn.to, at(30).toISOString());
    assert.deepEqual(
      drawn.lanes.map((lane) => lane.segments.map((s) => [s.phase, s.from.slice(17, 19), s.to.slice(17, 19)])),
      [
        [
          ['pending', '00', '02'],
          ['running', '02', '05'],
          ['healthy', '05', '20'],
          ['draining', '20', '22'],
        ],
        [
          ['pending', '10', '12'],
          ['running', '12', '15'],
          ['healthy', '15', '30'],
        ],
      ],
      'oldest first; a live task runs on to now',
    );
    assert.equal(drawn.lanes[0]?.stoppedAt, at(22).toISOString());
    assert.equal(drawn.lanes[0]?.abnormal, false, 'replaced by a deployment is a normal stop');
    assert.equal(drawn.lanes[1]?.stoppedAt, undefined);
  });

  it('counts a task without health checks healthy once running; a task that never started is pending to its stop', async () => {
    const { deployment, task } = await fixture();
    const unchecked = task({ createdAt: at(0), startedAt: at(3), lastStatus: 'RUNNING' });
    const failed = task({
      createdAt: at(1),
      stoppedAt: at(4),
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull access denied',
    });
    const drawn = buildTimeline([deployment], [unchecked, failed], at(10), () => false);
    assert.deepEqual(
      drawn.lanes.map((lane) => lane.segments.map((s) => s.phase)),
      [['pending', 'healthy'], ['pending']],
    );
    assert.equal(drawn.lanes[1]?.abnormal, true);
  });

  it(`draws the newest ${MAX_LANES} tasks and counts the rest; tasks of other deployments are left out`, async () => {
    const { deployment, task } = await fixture();
    const tasks = Array.from({ length: MAX_LANES + 7 }, (_, i) =>
      task({ createdAt: at(i), startedAt: at(i + 1), stoppedAt: at(i + 2), lastStatus: 'STOPPED' }),
    );
    const stranger = task({ createdAt: at(0), startedBy: 'ecs-svc/other' });
    const drawn = buildTimeline([deployment], [stranger, ...tasks], at(100), () => false);
    assert.equal(drawn.lanes.length, MAX_LANES);
    assert.equal(drawn.omitted, 7);
    assert.equal(drawn.lanes[0]?.segments[0]?.from, at(7).toISOString());
  });
});
