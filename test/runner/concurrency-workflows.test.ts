import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait-for.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

describe('runner: concurrency groups across the workflows of a repository', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  /** A workflow run on pushes touching `dir/`, in group `deploy` (cancel-in-progress), running `step`. */
  const deploying = (name: string, dir: string, step: string) =>
    workflow(
      `name: ${name}`,
      'on:',
      '  push:',
      `    paths: ['${dir}/**']`,
      'concurrency:',
      '  group: deploy',
      '  cancel-in-progress: true',
      'jobs:',
      '  j:',
      '    runs-on: self-hosted',
      `    steps: [{run: '${step}'}]`,
    );

  it("a run of another workflow in the same group cancels the one in progress; another repository's group is its own", async () => {
    const files = {
      '.github/workflows/a.yml': deploying('A', 'a', 'sleep 30'),
      '.github/workflows/b.yml': deploying('B', 'b', 'echo b-deployed'),
      'a/x': '1',
    };
    // A new branch's first push has no diff, so path filters would not apply (GitHub's rule).
    await h.push('mona/conc', { README: 'x' });
    const first = await h.push('mona/conc', files);
    assert.deepEqual(
      first.runs.map((run) => run.workflowName),
      ['A'],
    );
    const a = first.runs[0];
    assert.ok(a);
    await waitFor('A to be in progress', () => h.runner.getRun(a.id)?.jobs[0]?.status === 'in_progress');

    // The same group name in another repository does not wait for A.
    await h.push('mona/conc-other', { README: 'x' });
    const elsewhere = await h.push('mona/conc-other', {
      '.github/workflows/b.yml': deploying('B', 'b', 'echo other-deployed'),
      'b/x': '1',
    });
    const other = elsewhere.runs[0];
    assert.ok(other);
    assert.equal((await finished(h, other.id)).conclusion, 'success');
    assert.equal(h.runner.getRun(a.id)?.status, 'in_progress');

    const second = await h.push('mona/conc', { 'b/x': '1' });
    const b = second.runs[0];
    assert.ok(b);
    assert.equal(b.workflowName, 'B');
    const aDetail = await finished(h, a.id);
    assert.equal(aDetail.conclusion, 'cancelled');
    assert.match(aDetail.note ?? '', /Canceling since a higher priority waiting request for 'deploy' exists/);
    const bDetail = await finished(h, b.id);
    assert.equal(bDetail.conclusion, 'success');
    assert.match(h.runner.readLog(b.id), /b-deployed/);
  });
});
