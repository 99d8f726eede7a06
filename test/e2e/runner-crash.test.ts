/**
 * kill -9 of the cloud while a job runs: the job's processes outlive it (they are host
 * processes); the restarted cloud kills them and records the run as cancelled, saying why.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { cloudLabelFor } from '../../src/runtime/runtime.js';

import { dockyard, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

/** Pids of processes whose environment carries `marker` and whose command line contains `text`. */
function processesWith(marker: string, text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        readFileSync(`/proc/${entry}/environ`).includes(Buffer.from(`${marker}\0`)) &&
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)
      )
        found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

describe('kill -9 of the cloud during a workflow run', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runner-crash-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-runner-crash-work-'));
  const env = { DOCKYARD_DATA: dataDir };
  let cloud: DockyardProcess | undefined;
  after(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('leaves no job process behind after the restart and marks the run cancelled', async () => {
    cloud = await startDockyard(['--port', '0'], env);
    const created = await dockyard(['repo', 'create', 'me/slow', '--json'], env);
    const { cloneUrl } = JSON.parse(created.stdout) as { cloneUrl: string };
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(work, '.github', 'workflows', 'slow.yml'),
      'on: push\njobs:\n  slow:\n    runs-on: x\n    steps:\n      - run: sleep 307 & sleep 308\n',
    );
    const git = (args: string[]) =>
      runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'slow']);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    // The push streams the run until it ends, so it is left running; the crash ends it.
    const push = spawn(
      'git',
      ['-c', `http.extraHeader=Authorization: ${basicAuthorization(admin)}`, 'push', cloneUrl, 'main'],
      { cwd: work, stdio: 'ignore' },
    );
    const marker = `DOCKYARD_RUNNER=${cloudLabelFor(dataDir)}`;
    const sleepers = await waitFor(
      "the step's processes",
      async () => {
        const pids = [...processesWith(marker, 'sleep\u0000307'), ...processesWith(marker, 'sleep\u0000308')];
        return pids.length === 2 ? pids : undefined;
      },
      { timeoutMs: 30_000 },
    );

    process.kill(cloud.pid, 'SIGKILL');
    await cloud.exited;
    cloud = undefined;
    push.kill();
    for (const pid of sleepers) assert.doesNotThrow(() => process.kill(pid, 0), 'the job outlives the killed cloud');

    cloud = await startDockyard(['--port', '0'], env);
    await waitFor(
      'the orphaned job processes to be gone',
      async () =>
        sleepers.every((pid) => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        })
          ? true
          : undefined,
      { timeoutMs: 10_000 },
    );
    const runs = JSON.parse((await dockyard(['runs', 'list', '--json'], env)).stdout) as {
      status: string;
      conclusion: string;
      note?: string;
    }[];
    assert.equal(runs[0]?.status, 'completed');
    assert.equal(runs[0]?.conclusion, 'cancelled');
    assert.match(runs[0]?.note ?? '', /restart/i);
  });
});
