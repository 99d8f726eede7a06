/**
 * What counts as a failing service: abnormal stops, trouble events, stalled deployments (the
 * decision that stops `dockyard demo` and makes `dockyard status` say "stalled"), over the
 * scheduler's own wording.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deploymentStall,
  describeStop,
  isAbnormalStop,
  isTroubleEvent,
  STALL_AFTER_FAILURES,
  type StoppedTaskFacts,
} from '../../src/scheduler/failure-signals.js';
import { SERVICE_EVENT, STOPPED_REASON } from '../../src/scheduler/index.js';

const ARN = 'arn:aws:ecs:us-east-1:000000000000:task/apps/0123456789abcdef0123456789abcdef';
const created = new Date('2026-12-01T10:00:00Z');
const at = (s: number): Date => new Date(created.getTime() + s * 1000);

function failedStart(s: number): StoppedTaskFacts {
  return {
    taskArn: ARN,
    stopCode: 'TaskFailedToStart',
    stoppedReason: STOPPED_REASON.cannotPullContainer('pull access denied'),
    stoppedAt: at(s),
  };
}

describe('failure signals', () => {
  it('tells abnormal stops from a deployment replacing a task or a user stopping it', () => {
    assert.equal(isAbnormalStop(failedStart(1)), true);
    assert.equal(
      isAbnormalStop({
        stopCode: 'EssentialContainerExited',
        stoppedReason: STOPPED_REASON.essentialContainerExited,
        startedAt: at(0),
      }),
      true,
    );
    assert.equal(
      isAbnormalStop({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: STOPPED_REASON.failedHealthChecks }),
      true,
    );
    assert.equal(
      isAbnormalStop({
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: STOPPED_REASON.scaling('ecs-svc/1234567890123456789'),
      }),
      false,
    );
    assert.equal(isAbnormalStop({ stopCode: 'UserInitiated', stoppedReason: STOPPED_REASON.stoppedByUser }), false);
  });

  it('describes a stop from its own fields: id, whether it ever ran, reason, code, exit codes', () => {
    assert.equal(
      describeStop(failedStart(1)),
      'Task 0123456789abcdef0123456789abcdef stopped before RUNNING: CannotPullContainerError: pull access denied (TaskFailedToStart)',
    );
    assert.equal(
      describeStop({
        taskArn: ARN,
        stopCode: 'EssentialContainerExited',
        stoppedReason: STOPPED_REASON.essentialContainerExited,
        startedAt: at(0),
        containers: [{ name: 'web', exitCode: 1 }],
      }),
      'Task 0123456789abcdef0123456789abcdef stopped: Essential container in task exited (EssentialContainerExited); container web exit code 1',
    );
  });

  it('reports trouble events and lets progress events pass', () => {
    const tasks = [ARN];
    for (const message of [
      SERVICE_EVENT.startedTasks('s', tasks),
      SERVICE_EVENT.stoppedTasks('s', tasks),
      SERVICE_EVENT.steadyState('s'),
      SERVICE_EVENT.deploymentCompleted('s', 'ecs-svc/1'),
    ]) {
      assert.equal(isTroubleEvent(message), false, message);
    }
    for (const message of [
      SERVICE_EVENT.unableToStart('s'),
      SERVICE_EVENT.deploymentFailed('s', 'ecs-svc/1'),
      SERVICE_EVENT.rollingBack('s', 'ecs-svc/2'),
      SERVICE_EVENT.failedHealthChecks('s', ARN),
      SERVICE_EVENT.stuck('s'),
      SERVICE_EVENT.unableToPlace('s', 'no capacity'),
    ]) {
      assert.equal(isTroubleEvent(message), true, message);
    }
  });

  it('a deployment stalls when it failed, when ECS says it cannot start tasks or progress, or after repeated abnormal stops', () => {
    const inProgress = { rolloutState: 'IN_PROGRESS', createdAt: created };
    assert.equal(deploymentStall(inProgress, [], []), undefined);
    const some = Array.from({ length: STALL_AFTER_FAILURES - 1 }, (_, i) => failedStart(i + 1));
    assert.equal(deploymentStall(inProgress, some, []), undefined, 'a failure or two is retried at once by ECS');
    const enough = [...some, failedStart(30)];
    const stall = deploymentStall(inProgress, enough, []);
    assert.equal(stall?.failures, STALL_AFTER_FAILURES);
    assert.equal(stall?.latest?.stoppedAt?.getTime(), at(30).getTime(), 'the latest stop is the one to explain');
    assert.match(stall?.why ?? '', /tasks stopped without staying up/);

    // ECS's own word wins, but only an event from this deployment's time.
    const throttled = deploymentStall(
      inProgress,
      [failedStart(1)],
      [{ message: SERVICE_EVENT.unableToStart('s'), createdAt: at(2) }],
    );
    assert.equal(throttled?.why, '(service s) is unable to consistently start tasks successfully.');
    assert.equal(
      deploymentStall(
        inProgress,
        [failedStart(1)],
        [{ message: SERVICE_EVENT.unableToStart('s'), createdAt: at(-60) }],
      ),
      undefined,
    );
    assert.match(
      deploymentStall(inProgress, [], [{ message: SERVICE_EVENT.stuck('s'), createdAt: at(5) }])?.why ?? '',
      /unable to stop or start tasks during a deployment/,
    );

    const failed = deploymentStall(
      {
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        createdAt: created,
      },
      [],
      [],
    );
    assert.equal(failed?.why, 'ECS deployment circuit breaker: tasks failed to start.');
    // A completed deployment is not stalled, whatever stopped before.
    assert.equal(deploymentStall({ rolloutState: 'COMPLETED', createdAt: created }, enough, []), undefined);
    // Scale-downs are not failures.
    const replaced = Array.from({ length: 5 }, (_, i) => ({
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: STOPPED_REASON.scaling('ecs-svc/1'),
      stoppedAt: at(i),
    }));
    assert.equal(deploymentStall(inProgress, replaced, []), undefined);
  });
});
