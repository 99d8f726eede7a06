/**
 * The advice printed beside a stopped task's reason: the likely fix for the failures users
 * meet (an engine piece missing, a pull refused, a command not found, a log group missing),
 * and always the command that shows the containers' output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { likelyFix } from '../../src/cli/failure-hints.js';
import { STOP } from '../../src/scheduler/index.js';

const context = { cluster: 'apps', service: 'web', dataFlag: ' --data /tmp/d' };
const fix = (stopCode: string, stoppedReason: string, containers: { name: string; exitCode?: number }[] = []) =>
  likelyFix({ stopCode, stoppedReason, containers }, context);

describe('likely fixes', () => {
  it('points at dockyard doctor when the engine lacks a piece (catatonit, issue 9)', () => {
    const hints = fix(
      'TaskFailedToStart',
      STOP.resourceInitialization(
        'container create failed: container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory',
      ).reason,
    );
    assert.match(hints[0] ?? '', /`dockyard doctor --data \/tmp\/d` checks it/);
    assert.equal(hints[1], 'dockyard logs --cluster apps --service web --data /tmp/d   (what the containers printed)');
  });

  it('tells a refused or impossible pull, a missing command, a missing log group and an app that exited apart', () => {
    assert.match(
      fix('TaskFailedToStart', 'CannotPullContainerError: pull access denied')[0] ?? '',
      /the image could not be pulled/,
    );
    assert.match(
      fix('TaskFailedToStart', 'CannotPullContainerError: http: server gave HTTP response to HTTPS client')[0] ?? '',
      /plain-HTTP registry/,
    );
    assert.match(
      fix(
        'TaskFailedToStart',
        'ResourceInitializationError: runc create failed: unable to start container process: exec: "/nope": stat /nope: no such file or directory',
      )[0] ?? '',
      /command was not found/,
    );
    assert.match(
      fix('EssentialContainerExited', 'Essential container in task exited', [{ name: 'web', exitCode: 127 }])[0] ?? '',
      /command was not found/,
    );
    assert.match(
      fix(
        'TaskFailedToStart',
        STOP.resourceInitialization('failed to validate logger args: create stream has been retried 1 times').reason,
      )[0] ?? '',
      /awslogs-create-group/,
    );
    assert.match(
      fix('ServiceSchedulerInitiated', 'Task failed container health checks')[0] ?? '',
      /health check keeps failing/,
    );
    assert.match(
      fix('EssentialContainerExited', 'Essential container in task exited', [{ name: 'web', exitCode: 1 }])[0] ?? '',
      /the app exited: its output says why/,
    );
    assert.deepEqual(fix('InfrastructureHealth', 'something new'), [
      'dockyard logs --cluster apps --service web --data /tmp/d   (what the containers printed)',
    ]);
  });
});
