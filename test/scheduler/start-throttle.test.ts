/**
 * The start throttle: tasks that keep stopping before RUNNING are restarted with a growing delay
 * (two at once, then 10 s doubling, capped at 15 minutes), the service says it "is unable to
 * consistently start tasks successfully", and a task that reached RUNNING resets the count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countStartFailures,
  reconcileService,
  startDelayMs,
  throttledUntil,
  type ServiceSnapshot,
} from '../../src/scheduler/index.js';

const T0 = new Date('2026-11-25T12:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const UNABLE = '(service web) is unable to consistently start tasks successfully.';

function service(startFailures?: ServiceSnapshot['startFailures']): ServiceSnapshot {
  return {
    serviceName: 'web',
    desiredCount: 1,
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
        desiredCount: 1,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: '',
      },
    ],
    tasks: [],
    ...(startFailures ? { startFailures } : {}),
  };
}

describe('the start throttle', () => {
  it('retries the first two failures at once, then waits 10 s, doubling up to 15 minutes', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 8, 20].map((n) => startDelayMs(n)),
      [0, 0, 0, 10_000, 20_000, 40_000, 320_000, 900_000],
    );
  });

  it('counts tasks that stopped before RUNNING since the latest one that ran', () => {
    const stopped = [
      { stoppedAt: at(1_000) },
      { startedAt: at(1_500), stoppedAt: at(2_000) },
      { stoppedAt: at(3_000) },
      { stoppedAt: at(4_000) },
    ];
    assert.deepEqual(countStartFailures(stopped, at(1_500)), { count: 2, lastAt: at(4_000) });
    assert.deepEqual(countStartFailures(stopped, undefined), { count: 3, lastAt: at(4_000) });
    assert.equal(countStartFailures(stopped, at(5_000)), undefined);
  });

  it('holds new tasks back while the delay runs, saying why, and starts one when it is over', () => {
    const failures = { count: 3, lastAt: at(0) };
    assert.deepEqual(throttledUntil(failures, at(1_000)), at(10_000));
    const held = reconcileService(service(failures), at(5_000));
    assert.deepEqual(held.start, []);
    assert.deepEqual(held.events, [UNABLE]);
    const released = reconcileService(service(failures), at(10_000));
    assert.equal(released.start[0]?.count, 1);
    assert.deepEqual(released.events, []);
  });

  it('does not hold back a service with fewer failures', () => {
    const actions = reconcileService(service({ count: 2, lastAt: at(0) }), at(1));
    assert.equal(actions.start[0]?.count, 1);
  });
});
