import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunRecord } from '../../src/runner/index.js';
import { waitFor } from '../support/wait-for.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

const SHOW_EVENT =
  'echo "action=${{ github.event.action }} name=${{ github.event.workflow_run.name }} conclusion=${{ github.event.workflow_run.conclusion }} branch=${{ github.event.workflow_run.head_branch }} sha=${{ github.event.workflow_run.head_sha }} id=${{ github.event.workflow_run.id }} event=${{ github.event.workflow_run.event }} me=${{ github.event_name }} ref=${{ github.ref }}"';

describe('runner: on: workflow_run', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  /** The run of `file` in `repository` that `matches`, once it exists. */
  async function runOf(repository: string, file: string, matches: (run: RunRecord) => boolean = () => true) {
    return waitFor(
      `a run of ${file}`,
      () =>
        h.runner
          .listRuns({ repository })
          .find((run) => run.workflowFile === `.github/workflows/${file}` && matches(run)),
      { timeoutMs: 30_000 },
    );
  }

  it('starts on another workflow completing, with the triggering run in github.event.workflow_run; branch and type filters hold', async () => {
    const { runs, sha } = await h.push('mona/chain', {
      '.github/workflows/build.yml': workflow(
        'name: Build',
        'on: push',
        'jobs:',
        '  b:',
        '    runs-on: self-hosted',
        '    steps: [{run: "exit 1"}]',
      ),
      '.github/workflows/after.yml': workflow(
        'name: After build',
        'on:',
        '  workflow_run:',
        '    workflows: [Build]',
        '    types: [completed]',
        '    branches: [main]',
        'jobs:',
        '  show:',
        '    runs-on: self-hosted',
        `    steps: [{run: '${SHOW_EVENT}'}]`,
      ),
      '.github/workflows/requested.yml': workflow(
        'on:',
        '  workflow_run:',
        '    workflows: [Build]',
        '    types: [requested]',
        'jobs:',
        '  show:',
        '    runs-on: self-hosted',
        `    steps: [{run: '${SHOW_EVENT}'}]`,
      ),
      '.github/workflows/zz-all.yml': workflow(
        'on:',
        '  workflow_run:',
        '    workflows: [Build]',
        '    types: [completed]',
        'jobs:',
        '  show:',
        '    runs-on: self-hosted',
        `    steps: [{run: '${SHOW_EVENT}'}]`,
      ),
    });
    assert.equal(runs.length, 1, 'only Build runs on push');
    const build = runs[0];
    assert.ok(build);
    await finished(h, build.id);

    const afterRun = await runOf('mona/chain', 'after.yml');
    assert.equal(afterRun.event, 'workflow_run');
    assert.equal((await finished(h, afterRun.id)).conclusion, 'success');
    assert.match(
      h.runner.readLog(afterRun.id),
      new RegExp(
        `action=completed name=Build conclusion=failure branch=main sha=${sha} id=${build.id} event=push me=workflow_run ref=refs/heads/main`,
      ),
    );
    const requested = await runOf('mona/chain', 'requested.yml');
    await finished(h, requested.id);
    assert.match(h.runner.readLog(requested.id), /action=requested name=Build conclusion= branch=main/);

    // A push to another branch: zz-all follows it (after after.yml is read), after.yml's branch filter does not.
    const other = await h.push('mona/chain', { 'note.txt': 'x' }, { branch: 'feature' });
    const otherBuild = other.runs[0];
    assert.ok(otherBuild);
    await finished(h, otherBuild.id);
    const all = await runOf('mona/chain', 'zz-all.yml', (run) => run.id > otherBuild.id);
    await finished(h, all.id);
    assert.match(h.runner.readLog(all.id), /action=completed name=Build conclusion=failure branch=feature/);
    const afters = h.runner
      .listRuns({ repository: 'mona/chain' })
      .filter((run) => run.workflowFile.endsWith('after.yml'));
    assert.equal(afters.length, 1);
  });

  it('chains at most three levels of workflows, as GitHub does', async () => {
    const level = (name: string, follows: string) =>
      workflow(
        `name: ${name}`,
        'on:',
        '  workflow_run:',
        `    workflows: [${follows}]`,
        '    types: [completed]',
        'jobs:',
        '  j:',
        '    runs-on: self-hosted',
        '    steps: [{run: "echo ok"}]',
      );
    const { runs } = await h.push('mona/levels', {
      '.github/workflows/a.yml': workflow(
        'name: A',
        'on: push',
        'jobs:',
        '  j:',
        '    runs-on: self-hosted',
        '    steps: [{run: "echo ok"}]',
      ),
      '.github/workflows/b.yml': level('B', 'A'),
      '.github/workflows/c.yml': level('C', 'B'),
      '.github/workflows/d.yml': level('D', 'C'),
    });
    assert.ok(runs[0]);
    const c = await runOf('mona/levels', 'c.yml');
    await finished(h, c.id);
    // Everything the runner started in the background has settled once it stops.
    await h.runner.stop();
    const files = h.runner
      .listRuns({ repository: 'mona/levels' })
      .map((run) => run.workflowFile)
      .sort();
    assert.deepEqual(files, ['.github/workflows/a.yml', '.github/workflows/b.yml', '.github/workflows/c.yml']);
  });
});
