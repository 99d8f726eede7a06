/**
 * Finding a killed cloud's leftover processes by the variable they carry, waiting for them to
 * end, and the working directories of other processes, on real processes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { killMarkedProcesses, waitForExit, workingDirectories } from '../../src/host/processes.js';

describe('host processes', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'dockyard-host-processes-')));
  const children: ChildProcess[] = [];
  const sleeper = (env: NodeJS.ProcessEnv) => {
    const child = spawn('sleep', ['300'], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: dir, stdio: 'ignore' });
    children.push(child);
    return child.pid ?? 0;
  };
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills the processes that carry exactly the variable and value, and waits until they are gone', async () => {
    const label = `test-${process.pid}-${Date.now()}`;
    const marked = sleeper({ DOCKYARD_TEST_MARK: label });
    const markedLast = sleeper({ A: '1', DOCKYARD_TEST_MARK: label });
    const otherValue = sleeper({ DOCKYARD_TEST_MARK: `${label}-other` });
    const longerName = sleeper({ XDOCKYARD_TEST_MARK: label });
    assert.deepEqual(killMarkedProcesses('DOCKYARD_TEST_MARK', label).sort(), [marked, markedLast].sort());
    assert.equal(await waitForExit([marked, markedLast], 5_000), true);
    assert.equal(await waitForExit([otherValue, longerName], 50), false, 'the others still run');
  });

  it('lists the working directories of other processes', () => {
    sleeper({});
    assert.ok(workingDirectories()?.has(dir));
  });
});
