/**
 * kill -9 of the cloud while jobs run: a self-hosted job's processes outlive it (they are host
 * processes), so do a container job's container and the container it started through its Docker
 * socket; the restarted cloud kills and removes them all and records the run as cancelled,
 * saying why.
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

/** Ids of the engine's containers carrying the label. */
async function containersLabelled(label: string): Promise<string[]> {
  const listed = await runOk('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=${label}`], {
    env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock' },
  });
  return listed.stdout.split('\n').filter(Boolean);
}

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

  it(
    'leaves no job process or job container behind after the restart and marks the run cancelled',
    { timeout: 300_000 },
    async () => {
      cloud = await startDockyard(['--port', '0'], env);
      const created = await dockyard(['repo', 'create', 'me/slow', '--json'], env);
      const { cloneUrl } = JSON.parse(created.stdout) as { cloneUrl: string };
      mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
      writeFileSync(
        join(work, '.github', 'workflows', 'slow.yml'),
        [
          'on: push',
          'jobs:',
          '  slow:',
          '    runs-on: self-hosted',
          '    steps:',
          '      - run: sleep 307 & sleep 308',
          '  boxed:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: docker run -d localhost/dockyard/runner:latest sleep 309 && sleep 310',
          '',
        ].join('\n'),
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
      const runnerLabel = `dockyard.runner=${cloudLabelFor(dataDir)}`;
      const boxes = await waitFor(
        'the job container and its child',
        async () => {
          const ids = await containersLabelled(runnerLabel);
          return ids.length === 2 ? ids : undefined;
        },
        { timeoutMs: 120_000 },
      );

      process.kill(cloud.pid, 'SIGKILL');
      await cloud.exited;
      cloud = undefined;
      push.kill();
      for (const pid of sleepers) assert.doesNotThrow(() => process.kill(pid, 0), 'the job outlives the killed cloud');
      assert.deepEqual((await containersLabelled(runnerLabel)).sort(), boxes.sort(), 'so do the containers');

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
    },
  );
});
