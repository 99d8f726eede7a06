/**
 * The deployment circuit breaker: thresholds, what counts as a failure, tripping with and
 * without rollback, the reset on a healthy task, and a rollback that would roll back to itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { circuitBreakerThreshold, isTaskFailure, STOP, type StoppedTaskSnapshot } from '../../src/scheduler/index.js';
import { Simulation, T0 } from './simulation.js';

describe('circuitBreakerThreshold', () => {
  const cases: [number, number][] = [
    [0, 3],
    [1, 3],
    [5, 3],
    [6, 3],
    [7, 4],
    [25, 13],
    [399, 200],
    [400, 200],
    [800, 200],
  ];
  for (const [desired, threshold] of cases) {
    it(`desired ${desired} → ${threshold}`, () => assert.equal(circuitBreakerThreshold(desired), threshold));
  }
});

describe('isTaskFailure', () => {
  const started = new Date(T0.getTime() - 60_000);
  const base: StoppedTaskSnapshot = {
    taskArn: 't',
    deploymentId: 'ecs-svc/1',
    healthChecked: false,
    healthStatus: 'UNKNOWN',
  };
  const from = (event: { stopCode: StoppedTaskSnapshot['stopCode']; reason: string }): StoppedTaskSnapshot => ({
    ...base,
    stopCode: event.stopCode,
    stoppedReason: event.reason,
  });
  const cases: { name: string; task: StoppedTaskSnapshot; failure: boolean }[] = [
    { name: 'CannotPullContainerError', task: from(STOP.cannotPullContainer('denied')), failure: true },
    {
      name: 'failed container health checks',
      task: { ...from(STOP.failedHealthChecks()), startedAt: started, stoppingAt: T0 },
      failure: true,
    },
    { name: 'essential container exited before RUNNING', task: from(STOP.essentialContainerExited()), failure: true },
    {
      name: 'exited within the no-check grace',
      task: { ...from(STOP.essentialContainerExited()), startedAt: new Date(T0.getTime() - 1000), stoppingAt: T0 },
      failure: true,
    },
    {
      name: 'exited after counting healthy',
      task: { ...from(STOP.essentialContainerExited()), startedAt: started, stoppingAt: T0 },
      failure: false,
    },
    {
      name: 'exited after its check said HEALTHY',
      task: {
        ...from(STOP.essentialContainerExited()),
        healthChecked: true,
        healthStatus: 'HEALTHY',
        startedAt: T0,
        stoppingAt: T0,
      },
      failure: false,
    },
    { name: 'scaling', task: from(STOP.scaling('ecs-svc/1')), failure: false },
    { name: 'StopTask', task: from(STOP.byUser()), failure: false },
    { name: 'Spot interruption', task: { ...base, stopCode: 'SpotInterruption', startedAt: T0 }, failure: false },
  ];
  for (const c of cases)
    it(`${c.name} → ${c.failure}`, () =>
      assert.equal(isTaskFailure(c.task, { noHealthCheckGraceMs: 40_000 }), c.failure));
});

describe('tripping', () => {
  it('fails a crashing deployment at the threshold and rolls back to the last COMPLETED one', () => {
    const sim = new Simulation({
      desiredCount: 1,
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:2': 'crash' },
    });
    const good = sim.primary;
    const bad = sim.deploy('td:2');
    const failedCounts: number[] = [];
    const ticks = sim.runUntil((s) => {
      failedCounts.push(s.deployment(bad.id).failedTasks);
      return s.deployment(bad.id).rolloutState === 'FAILED';
    });
    assert.deepEqual([...new Set(failedCounts)], [0, 1, 2, 3]);
    const trip = ticks.at(-1);
    assert.ok(trip);
    assert.deepEqual(trip.rollback, { toDeploymentId: good.id, taskDefinition: 'td:1' });
    assert.deepEqual(trip.serviceUpdates, { taskDefinition: 'td:1' });
    assert.deepEqual(trip.start, [], 'nothing else happens on the tripping tick');
    assert.deepEqual(trip.events, [
      `(service web) (deployment ${bad.id}) deployment failed: tasks failed to start.`,
      `(service web) rolling back to deployment ${good.id}.`,
    ]);
    assert.equal(sim.deployment(bad.id).rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(sim.deployment(bad.id).failedTasks, 3);

    const rollback = sim.primary;
    assert.notEqual(rollback.id, good.id);
    assert.equal(rollback.taskDefinition, 'td:1');
    assert.equal(sim.deployment(bad.id).status, 'ACTIVE');
    sim.runUntil((s) => s.primary.rolloutState === 'COMPLETED');
    assert.equal(sim.deployment(bad.id).status, 'INACTIVE');
    assert.equal(sim.deployment(bad.id).rolloutState, 'FAILED');
    assert.equal(sim.live().length, 1);
    assert.equal(sim.live(rollback.id).length, 1);
    assert.equal(sim.messages().at(-1), '(service web) has reached a steady state.');
  });

  it('rolls back even when the old deployment is already INACTIVE (min 0 / max 100)', () => {
    const sim = new Simulation({
      desiredCount: 1,
      minimumHealthyPercent: 0,
      maximumPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:2': 'cannot-pull' },
    });
    const good = sim.primary;
    const bad = sim.deploy('td:2');
    const ticks = sim.runUntil((s) => s.deployment(bad.id).rolloutState === 'FAILED');
    assert.equal(sim.deployment(good.id).status, 'INACTIVE');
    assert.equal(ticks.at(-1)?.rollback?.toDeploymentId, good.id);
    sim.runUntil((s) => s.primary.rolloutState === 'COMPLETED');
    assert.equal(sim.primary.taskDefinition, 'td:1');
  });

  it('without rollback: FAILED, no new tasks for it, the old tasks keep serving', () => {
    const sim = new Simulation({
      desiredCount: 2,
      circuitBreaker: { enable: true, rollback: false },
      behaviour: { 'td:2': 'cannot-pull' },
    });
    const good = sim.primary;
    const bad = sim.deploy('td:2');
    const ticks = sim.runUntil((s) => s.deployment(bad.id).rolloutState === 'FAILED');
    assert.equal(ticks.at(-1)?.rollback, undefined);
    assert.deepEqual(ticks.at(-1)?.events, [
      `(service web) (deployment ${bad.id}) deployment failed: tasks failed to start.`,
    ]);
    for (let i = 0; i < 5; i++) {
      const a = sim.tick();
      assert.deepEqual([a.start, a.stop, a.events], [[], [], []]);
    }
    assert.equal(sim.live(good.id).length, 2);
    assert.equal(sim.primary.id, bad.id);
  });

  it('scales the threshold with desiredCount: 8 tasks need 4 failures', () => {
    const sim = new Simulation({
      desiredCount: 8,
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:2': 'cannot-pull' },
    });
    const bad = sim.deploy('td:2');
    sim.runUntil((s) => s.deployment(bad.id).rolloutState === 'FAILED');
    assert.equal(sim.deployment(bad.id).failedTasks >= 4, true);
    assert.equal(sim.tasks.filter((t) => t.deploymentId === bad.id).length, sim.deployment(bad.id).failedTasks);
  });

  it('counts failures but never trips with the breaker off', () => {
    const sim = new Simulation({ desiredCount: 1, behaviour: { 'td:2': 'crash' } });
    const bad = sim.deploy('td:2');
    for (let i = 0; i < 10; i++) sim.tick();
    assert.equal(sim.deployment(bad.id).rolloutState, 'IN_PROGRESS');
    assert.ok(sim.deployment(bad.id).failedTasks >= 5);
  });

  it('does not roll back when the first deployment fails (nothing COMPLETED)', () => {
    const sim = new Simulation({
      desiredCount: 1,
      fresh: true,
      taskDefinition: 'td:9',
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:9': 'crash' },
    });
    const ticks = sim.runUntil((s) => s.primary.rolloutState === 'FAILED');
    assert.equal(ticks.at(-1)?.rollback, undefined);
  });

  it('does not roll back to its own task definition (a failing rollback)', () => {
    const sim = new Simulation({
      desiredCount: 1,
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:1': 'crash' },
    });
    sim.deploy('td:1');
    const ticks = sim.runUntil((s) => s.primary.rolloutState === 'FAILED');
    assert.equal(ticks.at(-1)?.rollback, undefined);
  });
});

describe('reset', () => {
  it('resets failedTasks to 0 once the deployment has a task that counts healthy', () => {
    const sim = new Simulation({
      desiredCount: 1,
      circuitBreaker: { enable: true, rollback: true },
      behaviour: { 'td:2': 'crash' },
    });
    const bad = sim.deploy('td:2');
    sim.runUntil((s) => s.deployment(bad.id).failedTasks === 1);
    sim.deployment(bad.id).taskDefinition = 'td:3'; // the next attempt runs fine (one more crash is already reported)
    const seen: number[] = [];
    sim.runUntil((s) => {
      seen.push(s.deployment(bad.id).failedTasks);
      return s.deployment(bad.id).failedTasks === 0;
    });
    assert.ok(seen.includes(2), `failedTasks went ${seen.join(', ')}`);
    assert.equal(sim.deployment(bad.id).rolloutState, 'IN_PROGRESS');
    sim.runUntil((s) => s.primary.rolloutState === 'COMPLETED');
    assert.equal(sim.primary.id, bad.id);
  });
});
