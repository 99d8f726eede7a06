import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Runner } from '../../src/runner/index.js';
import { RunStore } from '../../src/runner/run-store.js';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { finished, startHarness, workflow, type Harness } from './support.js';
import { waitFor } from '../support/wait-for.js';

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runner: timeouts, cancellation, concurrency, restarts', () => {
  let h: Harness;
  let scratch: string;
  before(async () => {
    h = await startHarness();
    scratch = mkdtempSync(join(tmpdir(), 'dockyard-lifecycle-'));
  });
  after(async () => {
    await h.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("kills a step or a job that exceeds timeout-minutes, with GitHub's messages", async () => {
    const { runs } = await h.push('mona/timeouts', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  step-timeout:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - name: Slow step',
        '        timeout-minutes: 0.01',
        '        run: sleep 30',
        '      - if: always()',
        '        run: echo after-timeout',
        '  job-timeout:',
        '    runs-on: self-hosted',
        '    timeout-minutes: 0.01',
        '    steps:',
        '      - run: sleep 30',
      ),
    });
    const started = Date.now();
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.ok(Date.now() - started < 15_000, 'timeouts ended the jobs early');
    assert.equal(detail.conclusion, 'failure');
    const stepLog = h.runner.readLog(detail.id, { job: 'step-timeout' });
    assert.match(stepLog, /The action 'Slow step' has timed out after 0\.01 minutes\./);
    assert.match(stepLog, /after-timeout/);
    const jobLog = h.runner.readLog(detail.id, { job: 'job-timeout' });
    assert.match(
      jobLog,
      /The job running on runner dockyard has exceeded the maximum execution time of 0\.01 minutes\./,
    );
    assert.equal(detail.jobs.find((job) => job.jobKey === 'job-timeout')?.conclusion, 'failure');
  });

  it("cancels a run: the running step's process group is killed, the run concludes cancelled", async () => {
    const pidFile = join(scratch, 'cancel.pid');
    const { runs } = await h.push('mona/cancel', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        `      - run: sleep 60 & echo $! > ${pidFile}; wait`,
        '      - run: echo not reached',
        '      - if: always()',
        '        run: echo cleanup ran',
      ),
    });
    const run = runs[0];
    assert.ok(run);
    await waitFor('the step to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', {
      timeoutMs: 10_000,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    h.runner.cancel(run.id);
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'cancelled');
    assert.equal(detail.jobs[0]?.conclusion, 'cancelled');
    assert.deepEqual(
      detail.jobs[0]?.steps.map((step) => step.conclusion),
      ['cancelled', 'skipped', 'success'],
    );
    await waitFor('the background sleep to die', () => !alive(pid), { timeoutMs: 8_000 });
  });

  it('concurrency with cancel-in-progress cancels the older run; runs of other groups run concurrently', async () => {
    const files = {
      '.github/workflows/deploy.yml': workflow(
        'on: push',
        'concurrency:',
        '  group: deploy-${{ github.ref }}',
        '  cancel-in-progress: true',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: sleep 20',
      ),
    };
    const first = await h.push('mona/concurrency', files);
    await waitFor('the first run to start', () => h.runner.getRun(first.runs[0]?.id ?? 0)?.status === 'in_progress', {
      timeoutMs: 10_000,
    });
    const second = await h.push('mona/concurrency', { 'other.txt': 'x' });
    const firstDetail = await finished(h, first.runs[0]?.id ?? 0);
    assert.equal(firstDetail.conclusion, 'cancelled');
    assert.match(
      firstDetail.note ?? '',
      /Canceling since a higher priority waiting request for 'deploy-refs\/heads\/main' exists/,
    );
    await waitFor('the second run to start', () => h.runner.getRun(second.runs[0]?.id ?? 0)?.status === 'in_progress', {
      timeoutMs: 10_000,
    });
    h.runner.cancel(second.runs[0]?.id ?? 0);
    await finished(h, second.runs[0]?.id ?? 0);
  });

  it('job-level concurrency serialises jobs of one group', async () => {
    const { runs } = await h.push('mona/job-concurrency', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  one:',
        '    runs-on: self-hosted',
        '    concurrency: shared-${{ github.repository }}',
        '    steps:',
        '      - run: sleep 0.5',
        '  two:',
        '    runs-on: self-hosted',
        '    concurrency:',
        '      group: shared-${{ github.repository }}',
        '    steps:',
        '      - run: sleep 0.5',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'success');
    const [first, second] = [...detail.jobs].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
    assert.ok(
      first?.completedAt !== null &&
        second?.startedAt !== null &&
        (first?.completedAt ?? '') <= (second?.startedAt ?? ''),
      'the jobs did not overlap',
    );
  });

  it('runs independent runs concurrently', async () => {
    const files = (name: string) => ({
      [`.github/workflows/${name}.yml`]: workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        `      - run: sleep 1.5 && echo ${name}-done`,
      ),
    });
    const pushed = await Promise.all([
      h.push('mona/par-a', files('a')),
      h.push('mona/par-b', files('b')),
      h.push('mona/par-c', files('c')),
    ]);
    const details = await Promise.all(pushed.map((push) => finished(h, push.runs[0]?.id ?? 0)));
    assert.ok(details.every((detail) => detail.conclusion === 'success'));
    // All three jobs were in progress at one moment: the last to start started before the first to end ended.
    const jobs = details.map((detail) => detail.jobs[0]);
    const lastStart =
      jobs
        .map((job) => job?.startedAt ?? '')
        .sort()
        .at(-1) ?? '';
    const firstEnd = jobs.map((job) => job?.completedAt ?? '').sort()[0] ?? '';
    assert.ok(lastStart < firstEnd, `jobs did not overlap: last start ${lastStart}, first end ${firstEnd}`);
    assert.deepEqual(
      h.runner.listRuns({ repository: 'mona/par-b' }).map((run) => run.repository),
      ['mona/par-b'],
    );
  });

  it('marks runs a previous process left unfinished as cancelled, and stop() kills running jobs', async () => {
    const pidFile = join(scratch, 'stop.pid');
    const { runs } = await h.push('mona/restart', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        `      - run: sleep 60 & echo $! > ${pidFile}; wait`,
      ),
    });
    const run = runs[0];
    assert.ok(run);
    await waitFor('the step to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', {
      timeoutMs: 10_000,
    });
    const pid = Number(readFileSync(pidFile, 'utf8'));

    // A second Runner over the same database plays the restarted cloud: the store still says in_progress.
    const store = new RunStore(h.cloud.cloud.state.db);
    assert.equal(store.run(run.id)?.status, 'in_progress');
    const restarted = new Runner({
      db: h.cloud.cloud.state.db,
      dataDir: h.dataDir,
      repos: h.repos,
      gitTokens: h.tokens,
      broker: h.cloud.cloud.broker,
      cloudUrl: h.cloud.url,
      region: h.cloud.region,
      builtinActionsDir: h.builtinDir,
      clock: systemClock,
      logger: silentLogger,
    });
    restarted.start();
    const orphan = restarted.getRun(run.id);
    assert.equal(orphan?.status, 'completed');
    assert.equal(orphan?.conclusion, 'cancelled');
    assert.match(orphan?.note ?? '', /restarted/);
    assert.equal(orphan?.jobs[0]?.conclusion, 'cancelled');

    await h.runner.stop();
    assert.ok(
      !alive(pid) ||
        (await waitFor('the job process to die', () => !alive(pid), { timeoutMs: 8_000 }).then(() => true)),
    );
    assert.equal(h.runner.getRun(run.id)?.status, 'completed');
  });
});
