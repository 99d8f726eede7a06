/**
 * Re-runs as GitHub has them (the same run id and event, run_attempt one more, every job again,
 * earlier attempts kept), and step logs: each step's lines as a byte range of its job's log,
 * and each live line told with the step that wrote it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowRerunError } from '../../src/runner/runner.js';
import type { RunEvent } from '../../src/runner/types.js';
import { waitFor } from '../support/wait-for.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

describe('runner: re-runs and step logs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('re-runs a completed run as a new attempt of the same run, with the same event', async () => {
    const { runs, sha } = await h.push('mona/rerun', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - name: Say hello',
        '        run: echo "attempt ${{ github.run_attempt }} of run ${{ github.run_id }} at ${{ github.event.after }}"',
        '      - name: Fail the first time',
        '        run: test "$GITHUB_RUN_ATTEMPT" != 1',
      ),
    });
    const id = runs[0]?.id ?? 0;
    const first = await finished(h, id);
    assert.equal(first.conclusion, 'failure');
    assert.equal(first.runAttempt, 1);

    const events: RunEvent[] = [];
    const stop = h.runner.watchAll((event) => {
      if (event.runId === id) events.push(event);
    });
    const rerun = await h.runner.rerun(id);
    assert.equal(rerun.id, id, 'the same run');
    assert.equal(rerun.runAttempt, 2);
    assert.equal(rerun.status, 'queued');
    await assert.rejects(h.runner.rerun(id), WorkflowRerunError, 'a run in progress is not re-run');
    const second = await finished(h, id);
    stop();
    assert.equal(second.conclusion, 'success');
    assert.equal(second.runAttempt, 2);
    assert.equal(second.runNumber, first.runNumber);
    assert.match(h.runner.readLog(id), new RegExp(`attempt 2 of run ${id} at ${sha}`), 'the same push event');
    assert.equal(h.runner.listRuns({ repository: 'mona/rerun' }).length, 1, 'no new run');

    // The first attempt is kept as it was.
    const earlier = h.runner.getRun(id, 1);
    assert.equal(earlier?.jobs[0]?.conclusion, 'failure');
    assert.notEqual(earlier?.jobs[0]?.id, second.jobs[0]?.id);
    const firstLog = h.runner.readStepLog(id, earlier?.jobs[0]?.id ?? 0, 1, 1 << 20);
    assert.match(firstLog?.text ?? '', /attempt 1 of run/);

    // Live lines name their step; the watchAll subscription outlived the first attempt.
    const lines = events.filter((e): e is Extract<RunEvent, { type: 'log' }> => e.type === 'log');
    assert.ok(lines.some((e) => e.step === 1 && /attempt 2 of run/.test(e.line)));
    assert.ok(events.some((e) => e.type === 'run' && e.status === 'completed'));
  });

  it("reads one step's lines, and only its lines, while it runs and after", async () => {
    const gate = join(mkdtempSync(join(tmpdir(), 'dockyard-steps-')), 'go');
    const { runs } = await h.push('mona/steps', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo one-says-hi',
        '      - run: |',
        '          echo two-begins',
        `          while [ ! -f ${gate} ]; do sleep 0.05; done`,
        '          echo two-ends',
        '      - run: echo three-says-bye',
      ),
    });
    const id = runs[0]?.id ?? 0;
    // While step 2 waits, its log so far is readable and not complete.
    const jobId = await waitFor(
      'step 2 printing',
      async () => {
        const job = h.runner.getRun(id)?.jobs[0];
        return job && printed('two-begins').test(h.runner.readStepLog(id, job.id, 2, 1 << 20)?.text ?? '')
          ? job.id
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
    const partial = h.runner.readStepLog(id, jobId, 2, 1 << 20);
    assert.equal(partial?.complete, false);
    assert.doesNotMatch(partial?.text ?? '', /one-says-hi|Z two-ends$/m);
    writeFileSync(gate, '');
    const done = await finished(h, id);
    assert.equal(done.jobs[0]?.id, jobId);
    const logs = [1, 2, 3].map((n) => h.runner.readStepLog(id, jobId, n, 1 << 20)?.text ?? '');
    assert.match(logs[0] ?? '', printed('one-says-hi'));
    assert.doesNotMatch(logs[0] ?? '', /two-begins|three-says-bye/);
    assert.match(logs[1] ?? '', printed('two-begins'));
    assert.match(logs[1] ?? '', printed('two-ends'));
    assert.doesNotMatch(logs[1] ?? '', /one-says-hi|three-says-bye/);
    assert.match(logs[2] ?? '', printed('three-says-bye'));
    // The end of a long log: whole lines only.
    const tail = h.runner.readStepLog(id, jobId, 2, 60);
    assert.equal(tail?.truncated, true);
    assert.match(tail?.text ?? '', printed('two-ends'));
    assert.equal(h.runner.readStepLog(id, jobId, 9, 100), undefined, 'no such step');
  });
});

/** A line the step printed (`TIME word`), not its script echoed in the step's header. */
function printed(word: string): RegExp {
  return new RegExp(`Z ${word}$`, 'm');
}
