/**
 * The task state machine (paths, stop entries, first reason wins, timestamps), the stop
 * wording, container health evaluation and task health from essential containers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthCheck, HealthStatus, TaskStatus } from '../../src/services/ecs/model.js';
import {
  applyTaskEvent,
  evaluateHealth,
  STOP,
  taskHealthStatus,
  type ContainerHealth,
  type HealthCheckResult,
  type TaskLifecycle,
} from '../../src/scheduler/index.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
const advance = { type: 'advance' } as const;
/** A lifecycle value typed as the whole TaskLifecycle (not narrowed to its literals). */
const lc = (task: TaskLifecycle): TaskLifecycle => task;

function walk(task: TaskLifecycle, steps: number, start = 0): { task: TaskLifecycle; path: TaskStatus[] } {
  const path: TaskStatus[] = [];
  for (let i = 0; i < steps; i++) {
    task = applyTaskEvent(task, advance, at(start + i + 1));
    path.push(task.lastStatus);
  }
  return { task, path };
}

describe('applyTaskEvent', () => {
  const fresh: TaskLifecycle = { lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' };

  it('walks the start path to RUNNING, stamping startedAt, and stays there', () => {
    const { task, path } = walk(fresh, 4);
    assert.deepEqual(path, ['PENDING', 'ACTIVATING', 'RUNNING', 'RUNNING']);
    assert.deepEqual(task.startedAt, at(3));
  });

  const entries: { from: TaskStatus; path: TaskStatus[] }[] = [
    { from: 'PROVISIONING', path: ['DEPROVISIONING', 'STOPPED'] },
    { from: 'PENDING', path: ['STOPPING', 'DEPROVISIONING', 'STOPPED'] },
    { from: 'ACTIVATING', path: ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] },
    { from: 'RUNNING', path: ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] },
  ];
  for (const e of entries) {
    it(`stop from ${e.from} → ${e.path.join(' → ')}`, () => {
      let task = applyTaskEvent(
        lc({ lastStatus: e.from, desiredStatus: 'RUNNING' }),
        STOP.scaling('ecs-svc/7'),
        at(10),
      );
      const path: TaskStatus[] = [task.lastStatus];
      for (let i = 1; i < e.path.length; i++) {
        task = applyTaskEvent(task, advance, at(10 + i));
        path.push(task.lastStatus);
      }
      assert.deepEqual(path, e.path);
      assert.equal(task.desiredStatus, 'STOPPED');
      assert.equal(task.stopCode, 'ServiceSchedulerInitiated');
      assert.equal(task.stoppedReason, 'Scaling activity initiated by (deployment ecs-svc/7)');
      assert.deepEqual(task.stoppingAt, at(10));
      assert.deepEqual(task.stoppedAt, at(10 + e.path.length - 1));
      assert.ok(task.executionStoppedAt);
      assert.deepEqual(applyTaskEvent(task, advance, at(99)), task, 'STOPPED is final');
    });
  }

  it('keeps the first stop reason', () => {
    const exited = applyTaskEvent(
      lc({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }),
      STOP.essentialContainerExited(),
      at(1),
    );
    const again = applyTaskEvent(exited, STOP.byUser(), at(2));
    assert.equal(again, exited);
    assert.equal(again.stopCode, 'EssentialContainerExited');
    assert.equal(again.stoppedReason, 'Essential container in task exited');
  });

  it('a task whose desiredStatus was set to STOPPED while starting leaves the start path', () => {
    const task = applyTaskEvent(
      lc({
        lastStatus: 'PENDING',
        desiredStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: 'Task stopped by user',
      }),
      advance,
      at(1),
    );
    assert.equal(task.lastStatus, 'STOPPING');
    assert.equal(task.startedAt, undefined);
  });

  const wording: { name: string; event: ReturnType<typeof STOP.byUser>; code: string; reason: string }[] = [
    {
      name: 'essential exit',
      event: STOP.essentialContainerExited(),
      code: 'EssentialContainerExited',
      reason: 'Essential container in task exited',
    },
    {
      name: 'health checks',
      event: STOP.failedHealthChecks(),
      code: 'ServiceSchedulerInitiated',
      reason: 'Task failed container health checks',
    },
    { name: 'user', event: STOP.byUser(), code: 'UserInitiated', reason: 'Task stopped by user' },
    {
      name: 'scaling',
      event: STOP.scaling('ecs-svc/1234567890123456789'),
      code: 'ServiceSchedulerInitiated',
      reason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
    },
    {
      name: 'pull',
      event: STOP.cannotPullContainer('pull image manifest has been retried 1 time(s): not found'),
      code: 'TaskFailedToStart',
      reason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): not found',
    },
  ];
  for (const w of wording)
    it(`stop wording: ${w.name}`, () => assert.deepEqual([w.event.stopCode, w.event.reason], [w.code, w.reason]));
});

describe('evaluateHealth', () => {
  const check: HealthCheck = { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 3, startPeriod: 10 };
  const results = (...r: [number, boolean][]): HealthCheckResult[] => r.map(([s, ok]) => ({ at: at(s), ok }));
  const cases: {
    name: string;
    check?: HealthCheck;
    history: HealthCheckResult[];
    now: number;
    status: HealthStatus;
    failures: number;
  }[] = [
    { name: 'no result yet', history: [], now: 1, status: 'UNKNOWN', failures: 0 },
    {
      name: 'a success inside the start period is HEALTHY at once',
      history: results([2, true]),
      now: 3,
      status: 'HEALTHY',
      failures: 0,
    },
    {
      name: 'failures inside the start period do not count',
      history: results([2, false], [4, false], [6, false], [8, false]),
      now: 9,
      status: 'UNKNOWN',
      failures: 0,
    },
    {
      name: 'retries consecutive failures after it → UNHEALTHY',
      history: results([5, false], [10, false], [15, false], [20, false]),
      now: 21,
      status: 'UNHEALTHY',
      failures: 3,
    },
    {
      name: 'fewer than retries → still UNKNOWN',
      history: results([10, false], [15, false]),
      now: 16,
      status: 'UNKNOWN',
      failures: 2,
    },
    {
      name: 'a success resets the count',
      history: results([3, true], [10, false], [15, false], [20, true], [25, false]),
      now: 26,
      status: 'HEALTHY',
      failures: 1,
    },
    {
      name: 'after a success, start-period failures count',
      history: results([1, true], [2, false], [3, false], [4, false]),
      now: 5,
      status: 'UNHEALTHY',
      failures: 3,
    },
    {
      name: 'recovers from UNHEALTHY',
      history: results([10, false], [11, false], [12, false], [13, true]),
      now: 14,
      status: 'HEALTHY',
      failures: 0,
    },
    { name: 'results after now are not seen', history: results([2, true]), now: 1, status: 'UNKNOWN', failures: 0 },
    {
      name: 'defaults: 3 retries, no start period',
      check: { command: ['CMD', 'true'] },
      history: results([30, false], [60, false], [90, false]),
      now: 91,
      status: 'UNHEALTHY',
      failures: 3,
    },
    {
      name: 'retries 1',
      check: { command: ['CMD', 'true'], retries: 1 },
      history: results([30, false]),
      now: 31,
      status: 'UNHEALTHY',
      failures: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const health = evaluateHealth(c.check ?? check, c.history, T0, at(c.now));
      assert.deepEqual([health.status, health.consecutiveFailures], [c.status, c.failures]);
    });
  }

  it('schedules the next check an interval after the last result (or the start)', () => {
    assert.deepEqual(evaluateHealth(check, [], T0, at(4)), {
      status: 'UNKNOWN',
      consecutiveFailures: 0,
      nextCheckAt: at(5),
      due: false,
    });
    assert.equal(evaluateHealth(check, [], T0, at(5)).due, true);
    assert.deepEqual(evaluateHealth(check, results([7, true]), T0, at(8)).nextCheckAt, at(12));
    assert.deepEqual(evaluateHealth({ command: ['CMD', 'true'] }, [], T0, T0).nextCheckAt, at(30));
  });
});

describe('taskHealthStatus', () => {
  const c = (essential: boolean, healthChecked: boolean, healthStatus: HealthStatus): ContainerHealth => ({
    essential,
    healthChecked,
    healthStatus,
  });
  const cases: { name: string; containers: ContainerHealth[]; status: HealthStatus }[] = [
    { name: 'no checks', containers: [c(true, false, 'UNKNOWN')], status: 'UNKNOWN' },
    {
      name: 'all essential checked HEALTHY',
      containers: [c(true, true, 'HEALTHY'), c(true, true, 'HEALTHY')],
      status: 'HEALTHY',
    },
    {
      name: 'one essential still UNKNOWN',
      containers: [c(true, true, 'HEALTHY'), c(true, true, 'UNKNOWN')],
      status: 'UNKNOWN',
    },
    {
      name: 'one essential UNHEALTHY',
      containers: [c(true, true, 'HEALTHY'), c(true, true, 'UNHEALTHY')],
      status: 'UNHEALTHY',
    },
    {
      name: 'a non-essential UNHEALTHY does not count',
      containers: [c(true, true, 'HEALTHY'), c(false, true, 'UNHEALTHY')],
      status: 'HEALTHY',
    },
    {
      name: 'only non-essential checks',
      containers: [c(true, false, 'UNKNOWN'), c(false, true, 'HEALTHY')],
      status: 'UNKNOWN',
    },
    {
      name: 'an essential container without a check does not hold it back',
      containers: [c(true, true, 'HEALTHY'), c(true, false, 'UNKNOWN')],
      status: 'HEALTHY',
    },
  ];
  for (const k of cases) it(k.name, () => assert.equal(taskHealthStatus(k.containers), k.status));
});
