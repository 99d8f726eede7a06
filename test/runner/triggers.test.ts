import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ZERO_SHA } from '../../src/git/index.js';
import { WorkflowDispatchError } from '../../src/runner/index.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

const onMainOnly = workflow(
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  a:',
  '    runs-on: self-hosted',
  '    steps:',
  '      - run: echo main-only',
);
const onTags = workflow(
  'name: release',
  'on:',
  '  push:',
  '    tags: ["v*"]',
  'jobs:',
  '  a:',
  '    runs-on: self-hosted',
  '    steps:',
  '      - run: echo "tag $GITHUB_REF_NAME $GITHUB_REF_TYPE"',
);
const dispatchOnly = workflow(
  'name: deploy',
  'run-name: Deploy to ${{ inputs.target }}',
  'on:',
  '  workflow_dispatch:',
  '    inputs:',
  '      target:',
  '        required: true',
  '        type: choice',
  '        options: [staging, prod]',
  '      dry:',
  '        type: boolean',
  '        default: true',
  'jobs:',
  '  a:',
  '    runs-on: self-hosted',
  '    steps:',
  '      - run: echo "target=${{ inputs.target }} dry=${{ inputs.dry }} event=${{ github.event.inputs.target }} name=$GITHUB_EVENT_NAME"',
);

describe('runner: triggers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('matches push filters: branch, tag, workflow_dispatch-only files', async () => {
    const files = {
      '.github/workflows/main.yml': onMainOnly,
      '.github/workflows/release.yaml': onTags,
      '.github/workflows/deploy.yml': dispatchOnly,
      '.github/workflows/README.md': 'not a workflow',
    };
    const onMain = await h.push('mona/triggers', files);
    assert.deepEqual(
      onMain.runs.map((run) => run.workflowFile),
      ['.github/workflows/main.yml'],
    );
    assert.equal(onMain.runs[0]?.event, 'push');
    assert.equal(onMain.runs[0]?.ref, 'refs/heads/main');
    assert.equal(onMain.runs[0]?.displayTitle, 'change');

    const onFeature = await h.push('mona/triggers', {}, { branch: 'feature' });
    assert.deepEqual(onFeature.runs, []);

    const onTag = await h.push('mona/triggers', {}, { tag: 'v1.2.0' });
    assert.deepEqual(
      onTag.runs.map((run) => run.workflowName),
      ['release'],
    );
    const detail = await finished(h, onTag.runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'success');
    assert.match(h.runner.readLog(detail.id), /tag v1\.2\.0 tag/);
    await finished(h, onMain.runs[0]?.id ?? 0);
  });

  it('ignores deleted refs and unknown repositories', async () => {
    assert.deepEqual(
      await h.runner.onPush({
        repository: 'mona/triggers',
        ref: 'refs/heads/main',
        before: 'a'.repeat(40),
        after: ZERO_SHA,
        pusher: 'mona',
      }),
      [],
    );
    assert.deepEqual(
      await h.runner.onPush({
        repository: 'nobody/none',
        ref: 'refs/heads/main',
        before: ZERO_SHA,
        after: 'a'.repeat(40),
        pusher: 'mona',
      }),
      [],
    );
  });

  it('starts one run per push, ref and workflow, however often the push is handed over', async () => {
    const files = { '.github/workflows/main.yml': onMainOnly, '.github/workflows/broken.yml': 'jobs: [' };
    const pushed = await h.push('mona/replayed', files);
    const event = {
      repository: 'mona/replayed',
      ref: 'refs/heads/main',
      before: pushed.before,
      after: pushed.sha,
      pusher: 'mona',
      pushId: '1767225600000-0123456789abcdef',
    };
    const first = await h.runner.onPush(event);
    assert.equal(first.length, 2, 'the workflow and the invalid file each get a run');
    const again = await h.runner.onPush(event);
    assert.deepEqual(
      again.map((run) => run.id),
      first.map((run) => run.id),
      'the replay returns the runs it started before',
    );
    const invalid = first.find((run) => run.workflowFile === '.github/workflows/broken.yml');
    assert.equal(h.runner.getRun(invalid?.id ?? 0)?.annotations.length, 1, 'and adds nothing to them');
    const other = await h.runner.onPush({ ...event, pushId: '1767225600001-0123456789abcdef' });
    assert.equal(
      other.filter((run) => !first.some((earlier) => earlier.id === run.id)).length,
      2,
      'another push of the same commit runs again',
    );
    const listed = h.runner.listRuns({ repository: 'mona/replayed' });
    assert.equal(listed.length, 2 + 2 + 2, 'the push without an id, the first push id, the second');
    for (const run of listed) if (run.status !== 'completed') await finished(h, run.id);
  });

  it('records an invalid workflow file as a failed run', async () => {
    const { runs } = await h.push('mona/broken', {
      '.github/workflows/bad.yml': 'on: push\njobs:\n  a:\n    runs-on: self-hosted\n    stepz: []\n',
    });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.conclusion, 'failure');
    assert.match(runs[0]?.note ?? '', /Invalid workflow file/);
  });

  it('dispatches with typed inputs and refuses what GitHub refuses', async () => {
    const run = await h.runner.dispatch({
      repository: 'mona/triggers',
      workflow: 'deploy.yml',
      ref: 'main',
      inputs: { target: 'prod' },
      actor: 'octo',
    });
    assert.equal(run.event, 'workflow_dispatch');
    assert.equal(run.actor, 'octo');
    assert.equal(run.displayTitle, 'Deploy to prod');
    const detail = await finished(h, run.id);
    assert.equal(detail.conclusion, 'success');
    assert.match(h.runner.readLog(run.id), /target=prod dry=true event=prod name=workflow_dispatch/);
    assert.equal(run.runNumber, 1);
    const second = await h.runner.dispatch({
      repository: 'mona/triggers',
      workflow: '.github/workflows/deploy.yml',
      ref: 'refs/heads/main',
      inputs: { target: 'staging' },
    });
    assert.equal(second.runNumber, 2);
    await finished(h, second.id);

    await assert.rejects(
      h.runner.dispatch({ repository: 'mona/triggers', workflow: 'main.yml', ref: 'main' }),
      /Workflow does not have 'workflow_dispatch' trigger/,
    );
    await assert.rejects(
      h.runner.dispatch({ repository: 'mona/triggers', workflow: 'deploy.yml', ref: 'main' }),
      /Required input 'target' not provided/,
    );
    await assert.rejects(
      h.runner.dispatch({ repository: 'mona/triggers', workflow: 'deploy.yml', ref: 'main', inputs: { target: 'qa' } }),
      WorkflowDispatchError,
    );
    await assert.rejects(
      h.runner.dispatch({
        repository: 'mona/triggers',
        workflow: 'deploy.yml',
        ref: 'main',
        inputs: { target: 'prod', x: '1' },
      }),
      /Unexpected inputs provided: \["x"\]/,
    );
  });
});
