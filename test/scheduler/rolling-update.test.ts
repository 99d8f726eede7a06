/**
 * The rolling update's decisions: the bounds and the Developer Guide's examples, a 100/200
 * rollout tick by tick, stop-first at 0/100, scaling, replacement, steady state and stop order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deploymentBounds,
  reconcileService,
  stopOrder,
  type ServiceSnapshot,
  type TaskSnapshot,
} from '../../src/scheduler/index.js';
import { Simulation, T0 } from './simulation.js';

const STUCK =
  /^\(service web\) was unable to stop or start tasks during a deployment because of the service deployment configuration\. Update the minimumHealthyPercent or maximumPercent value and try again\.$/;

/** Ticks until the PRIMARY is COMPLETED, checking the bounds on every tick. */
function rollOut(sim: Simulation, limit = 40): void {
  const { lower, upper } = deploymentBounds(
    sim.desiredCount,
    sim.config.minimumHealthyPercent,
    sim.config.maximumPercent,
  );
  sim.runUntil((s) => {
    const { occupied, healthy } = s.counts();
    assert.ok(occupied <= Math.max(upper, s.desiredCount), `occupied ${occupied} > upper ${upper}`);
    assert.ok(healthy >= lower, `healthy ${healthy} < lower ${lower}`);
    return s.primary.rolloutState === 'COMPLETED';
  }, limit);
}

describe('deploymentBounds', () => {
  const cases: { desired: number; min: number; max: number; lower: number; upper: number }[] = [
    { desired: 4, min: 50, max: 100, lower: 2, upper: 4 },
    { desired: 2, min: 75, max: 100, lower: 2, upper: 2 },
    { desired: 3, min: 100, max: 125, lower: 3, upper: 3 },
    { desired: 2, min: 100, max: 200, lower: 2, upper: 4 },
    { desired: 1, min: 0, max: 100, lower: 0, upper: 1 },
    { desired: 3, min: 50, max: 150, lower: 2, upper: 4 },
  ];
  for (const c of cases) {
    it(`desired ${c.desired}, min ${c.min}, max ${c.max} → lower ${c.lower}, upper ${c.upper}`, () => {
      assert.deepEqual(deploymentBounds(c.desired, c.min, c.max), { lower: c.lower, upper: c.upper });
    });
  }
});

describe('the Developer Guide examples (first tick after UpdateService)', () => {
  const cases: {
    name: string;
    desired: number;
    min: number;
    max: number;
    stops: number;
    starts: number;
    stuck: boolean;
  }[] = [
    {
      name: 'min 50, desired 4: stops 2 old tasks before starting new ones',
      desired: 4,
      min: 50,
      max: 100,
      stops: 2,
      starts: 0,
      stuck: false,
    },
    {
      name: 'min 75, desired 2: no task can be stopped (stuck)',
      desired: 2,
      min: 75,
      max: 100,
      stops: 0,
      starts: 0,
      stuck: true,
    },
    {
      name: 'max 125, desired 3: no extra task can be started (stuck at min 100)',
      desired: 3,
      min: 100,
      max: 125,
      stops: 0,
      starts: 0,
      stuck: true,
    },
    {
      name: 'max 125, desired 3, min 50: one old task stops first',
      desired: 3,
      min: 50,
      max: 125,
      stops: 1,
      starts: 0,
      stuck: false,
    },
    {
      name: '100/200, desired 2: two new tasks start beside the old',
      desired: 2,
      min: 100,
      max: 200,
      stops: 0,
      starts: 2,
      stuck: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const sim = new Simulation({ desiredCount: c.desired, minimumHealthyPercent: c.min, maximumPercent: c.max });
      sim.deploy('td:2');
      const actions = sim.tick();
      assert.equal(actions.stop.length, c.stops);
      assert.equal(
        actions.start.reduce((n, s) => n + s.count, 0),
        c.starts,
      );
      assert.equal(
        actions.events.some((m) => STUCK.test(m)),
        c.stuck,
      );
    });
  }

  it('min 50, desired 4 completes: 2 old stop, 2 new start, then the other 2 are replaced', () => {
    const sim = new Simulation({ desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 100 });
    const old = sim.primary;
    const next = sim.deploy('td:2');
    rollOut(sim);
    assert.equal(sim.live(next.id).length, 4);
    assert.equal(sim.deployment(old.id).status, 'INACTIVE');
    assert.ok(!sim.messages().some((m) => STUCK.test(m)));
  });
});

describe('a 100/200 rolling update, tick by tick', () => {
  it('starts new tasks, waits for them to count healthy, stops the old, drops the old deployment, completes', () => {
    const sim = new Simulation({ desiredCount: 2, timings: { noHealthCheckGraceMs: 2000 }, stepMs: 1000 });
    const old = sim.primary;
    const next = sim.deploy('td:2');

    // Tick 1: two new tasks start; nothing stops (healthy 2 = lower 2).
    let a = sim.tick();
    assert.deepEqual(a.start, [{ deploymentId: next.id, taskDefinition: 'td:2', count: 2 }]);
    assert.deepEqual(a.stop, []);
    assert.equal(sim.counts().occupied, 4);

    // Tick 2: new tasks RUNNING but inside the 2 s grace: nothing to do, not stuck.
    a = sim.tick();
    assert.deepEqual([a.start, a.stop, a.events], [[], [], []]);

    // Tick 3: new tasks count healthy (healthy 4, lower 2): both old tasks stop.
    a = sim.tick();
    assert.equal(a.stop.length, 2);
    for (const s of a.stop) {
      assert.equal(s.deploymentId, old.id);
      assert.equal(s.stopCode, 'ServiceSchedulerInitiated');
      assert.equal(s.reason, `Scaling activity initiated by (deployment ${old.id})`);
    }
    assert.match(
      a.events[0] ?? '',
      /^\(service web\) has stopped 2 running tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/,
    );
    assert.deepEqual(a.deploymentUpdates, [{ id: old.id, desiredCount: 0 }]);

    // Tick 4: the old deployment has no tasks left → INACTIVE; PRIMARY alone → COMPLETED.
    a = sim.tick();
    assert.deepEqual(a.deploymentUpdates, [
      { id: old.id, status: 'INACTIVE', desiredCount: 0 },
      { id: next.id, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${next.id} completed.` },
    ]);
    assert.deepEqual(a.events, [
      `(service web) (deployment ${next.id}) deployment completed.`,
      '(service web) has reached a steady state.',
    ]);

    const messages = sim.messages();
    assert.match(
      messages[0] ?? '',
      /^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/,
    );
    assert.match(messages[1] ?? '', /has stopped 2 running tasks/);
    assert.equal(messages.length, 4);
  });

  it('never exceeds upper nor drops below lower with a health check on a larger service', () => {
    const sim = new Simulation({
      desiredCount: 5,
      minimumHealthyPercent: 60,
      maximumPercent: 140,
      healthChecked: ['td:1', 'td:2'],
    });
    const next = sim.deploy('td:2');
    let minHealthy = Infinity;
    let maxOccupied = 0;
    sim.runUntil((s) => {
      minHealthy = Math.min(minHealthy, s.counts().healthy);
      maxOccupied = Math.max(maxOccupied, s.counts().occupied);
      return s.primary.rolloutState === 'COMPLETED';
    });
    assert.ok(minHealthy >= 3, `healthy fell to ${minHealthy}`);
    assert.ok(maxOccupied <= 7, `occupied rose to ${maxOccupied}`);
    assert.equal(sim.live(next.id).length, 5);
  });
});

describe('minimum 0 / maximum 100', () => {
  it('stops the old task before starting the new one', () => {
    const sim = new Simulation({ desiredCount: 1, minimumHealthyPercent: 0, maximumPercent: 100 });
    const old = sim.primary;
    const next = sim.deploy('td:2');
    let a = sim.tick();
    assert.equal(a.stop.length, 1);
    assert.equal(a.stop[0]?.deploymentId, old.id);
    assert.deepEqual(a.start, []);
    a = sim.tick();
    assert.deepEqual(a.start, [{ deploymentId: next.id, taskDefinition: 'td:2', count: 1 }]);
    assert.deepEqual(a.deploymentUpdates, [{ id: old.id, status: 'INACTIVE', desiredCount: 0 }]);
    rollOut(sim);
  });

  it('does not start while the stopped task is still stopping', () => {
    const snapshot = rollingOut({ min: 0, max: 100, oldDesired: 0 }, [
      task({ deploymentId: 'ecs-svc/1', lastStatus: 'STOPPING', desiredStatus: 'STOPPED' }),
    ]);
    const a = reconcileService(snapshot, T0);
    assert.deepEqual([a.start, a.stop, a.events], [[], [], []]);
  });
});

describe('an old task that serves before it counts healthy (no health check, RUNNING < 40 s)', () => {
  const young = (serving: boolean, newTask?: Partial<TaskSnapshot>): ServiceSnapshot =>
    rollingOut({ min: 100, max: 200, oldDesired: 1 }, [
      task({ taskArn: 'old', startedAt: new Date(T0.getTime() - 5_000), ...(serving ? { serving } : {}) }),
      ...(newTask ? [task({ taskArn: 'new', deploymentId: 'ecs-svc/2', ...newTask })] : []),
    ]);
  const stopped = (snapshot: ServiceSnapshot) => reconcileService(snapshot, T0).stop.map((s) => s.taskArn);

  it('is kept while its replacement starts, runs and does not answer yet', () => {
    const first = reconcileService(young(true), T0);
    assert.deepEqual(first.stop, []);
    assert.deepEqual(first.start, [{ deploymentId: 'ecs-svc/2', taskDefinition: 'td:2', count: 1 }]);
    assert.deepEqual(stopped(young(true, { lastStatus: 'PENDING', startedAt: undefined })), []);
    assert.deepEqual(stopped(young(true, { startedAt: T0 })), []);
  });

  it('is stopped once the replacement serves, before that one counts healthy', () => {
    assert.deepEqual(stopped(young(true, { startedAt: T0, serving: true })), ['old']);
  });

  it('counts healthy 40 s after RUNNING like any task, then the usual rule applies', () => {
    const snapshot = young(true, { startedAt: T0 });
    const later = new Date(T0.getTime() + 40_000);
    assert.deepEqual(
      reconcileService(snapshot, later).stop.map((s) => s.taskArn),
      ['old'],
    );
  });

  it('is stopped at once when it does not serve (no port, or its app does not answer)', () => {
    assert.deepEqual(stopped(young(false)), ['old']);
  });
});

describe('scaling', () => {
  it('scales out when desiredCount rises, and the deployment follows the count', () => {
    const sim = new Simulation({ desiredCount: 2 });
    sim.desiredCount = 4;
    const a = sim.tick();
    assert.deepEqual(a.start, [{ deploymentId: sim.primary.id, taskDefinition: 'td:1', count: 2 }]);
    assert.deepEqual(a.deploymentUpdates, [{ id: sim.primary.id, desiredCount: 4 }]);
    sim.runUntil((s) => s.messages().at(-1) === '(service web) has reached a steady state.');
  });

  it('scales in newest first when desiredCount falls', () => {
    const sim = new Simulation({ desiredCount: 2 });
    sim.desiredCount = 4;
    sim.runUntil((s) => s.counts().healthy === 4);
    const newest = sim
      .live()
      .slice(-2)
      .map((t) => t.taskArn);
    sim.desiredCount = 2;
    const a = sim.tick();
    assert.deepEqual(a.stop.map((s) => s.taskArn).sort(), [...newest].sort());
    assert.ok(a.stop.every((s) => s.reason === `Scaling activity initiated by (deployment ${sim.primary.id})`));
    assert.deepEqual(a.start, []);
  });

  it('scales to zero and back', () => {
    const sim = new Simulation({ desiredCount: 2 });
    sim.desiredCount = 0;
    assert.equal(sim.tick().stop.length, 2);
    sim.runUntil((s) => s.live().length === 0 && s.messages().at(-1) === '(service web) has reached a steady state.');
    sim.desiredCount = 1;
    assert.equal(sim.tick().start[0]?.count, 1);
  });
});

describe('replacement', () => {
  it('replaces a task whose essential container exited', () => {
    const sim = new Simulation({ desiredCount: 2 });
    const victim = sim.live()[0];
    assert.ok(victim);
    sim.crash(victim.taskArn);
    const a = sim.tick();
    assert.deepEqual(a.start, [{ deploymentId: sim.primary.id, taskDefinition: 'td:1', count: 1 }]);
    assert.deepEqual(a.deploymentUpdates, [], 'a COMPLETED deployment does not count failures');
    sim.runUntil(
      (s) => s.counts().healthy === 2 && s.messages().at(-1) === '(service web) has reached a steady state.',
    );
  });

  it('stops an unhealthy task and starts its replacement in the same tick when upper allows', () => {
    const sim = new Simulation({ desiredCount: 1, healthChecked: ['td:1'] });
    const victim = sim.live()[0];
    assert.ok(victim);
    victim.healthStatus = 'UNHEALTHY';
    const a = sim.tick();
    assert.deepEqual(a.stop, [
      {
        taskArn: victim.taskArn,
        deploymentId: sim.primary.id,
        reason: 'Task failed container health checks',
        stopCode: 'ServiceSchedulerInitiated',
      },
    ]);
    assert.equal(a.start[0]?.count, 1);
    assert.equal(a.events[0], `(service web) (task ${victim.taskArn.slice(-32)}) failed container health checks.`);
  });

  it('with max 100 the replacement of an unhealthy task waits for it to stop', () => {
    const sim = new Simulation({ desiredCount: 1, maximumPercent: 100, healthChecked: ['td:1'] });
    const victim = sim.live()[0];
    assert.ok(victim);
    victim.healthStatus = 'UNHEALTHY';
    const a = sim.tick();
    assert.equal(a.stop.length, 1);
    assert.deepEqual(a.start, []);
    assert.equal(sim.tick().start[0]?.count, 1);
  });
});

describe('steady state', () => {
  it('emits "has reached a steady state." on steady ticks; the store keeps one per 6 h', () => {
    const sim = new Simulation({ desiredCount: 2, stepMs: 60 * 60 * 1000 });
    for (let i = 0; i < 7; i++) assert.deepEqual(sim.tick().events, ['(service web) has reached a steady state.']);
    assert.equal(sim.messages().length, 2, 'once at 0 h and again at 6 h');
  });

  it('is not steady while a task is still in its grace period', () => {
    const sim = new Simulation({ desiredCount: 1, fresh: true });
    sim.tick();
    const a = sim.tick();
    assert.deepEqual(a.events, []);
    assert.equal(sim.primary.rolloutState, 'IN_PROGRESS');
    sim.runUntil((s) => s.primary.rolloutState === 'COMPLETED');
  });
});

describe('stopOrder', () => {
  it('puts starting tasks first, then unhealthy running ones, then serving, then healthy ones; newest first within each', () => {
    const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
    const tasks = [
      task({ taskArn: 'healthy-old', startedAt: at(0) }),
      task({ taskArn: 'healthy-new', startedAt: at(10) }),
      task({ taskArn: 'serving', startedAt: at(90), serving: true }),
      task({ taskArn: 'unhealthy', healthChecked: true, healthStatus: 'UNKNOWN', startedAt: at(5) }),
      task({ taskArn: 'pending', lastStatus: 'PENDING' }),
    ];
    assert.deepEqual(
      stopOrder(tasks, at(100)).map((t) => t.taskArn),
      ['pending', 'unhealthy', 'serving', 'healthy-new', 'healthy-old'],
    );
  });
});

/** One task desired: deployment ecs-svc/2 (td:2) rolling out over ecs-svc/1 (td:1), with `tasks`. */
function rollingOut(config: { min: number; max: number; oldDesired: number }, tasks: TaskSnapshot[]): ServiceSnapshot {
  return {
    serviceName: 'web',
    desiredCount: 1,
    deploymentConfiguration: {
      minimumHealthyPercent: config.min,
      maximumPercent: config.max,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    deployments: [
      {
        id: 'ecs-svc/2',
        status: 'PRIMARY',
        taskDefinition: 'td:2',
        desiredCount: 1,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: '',
      },
      {
        id: 'ecs-svc/1',
        status: 'ACTIVE',
        taskDefinition: 'td:1',
        desiredCount: config.oldDesired,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
        rolloutStateReason: '',
      },
    ],
    tasks,
  };
}

function task(overrides: Partial<TaskSnapshot>): TaskSnapshot {
  return {
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/default/00000000000000000000000000000001',
    deploymentId: 'ecs-svc/1',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    healthChecked: false,
    createdAt: T0,
    startedAt: new Date(T0.getTime() - 60_000),
    ...overrides,
  };
}
