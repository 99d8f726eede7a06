import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { finished, startHarness, workflow, type Harness } from './support.js';

describe('runner: jobs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('needs, if and outputs: a failed need skips dependants unless their if allows it', async () => {
    const { runs } = await h.push('mona/needs', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'env:',
        '  LEVEL: workflow',
        'jobs:',
        '  setup:',
        '    runs-on: self-hosted',
        '    outputs:',
        '      version: ${{ steps.v.outputs.version }}',
        '      level: ${{ env.LEVEL }}',
        '    steps:',
        '      - id: v',
        '        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"',
        '  use:',
        '    needs: setup',
        '    runs-on: self-hosted',
        '    env:',
        '      LEVEL: job',
        '    steps:',
        '      - run: echo "version ${{ needs.setup.outputs.version }} result ${{ needs.setup.result }} level $LEVEL/${{ needs.setup.outputs.level }}"',
        '  broken:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: exit 3',
        '  after-broken:',
        '    needs: [broken]',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo never',
        '  cleanup:',
        '    needs: [broken, use]',
        '    if: always()',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo "cleanup sees ${{ needs.broken.result }} ${{ needs.use.result }}"',
        '  on-failure:',
        '    needs: broken',
        '    if: failure()',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo reporting failure',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'failure');
    const byKey = Object.fromEntries(detail.jobs.map((job) => [job.jobKey, job]));
    assert.equal(byKey.setup?.conclusion, 'success');
    assert.deepEqual(byKey.setup?.outputs, { version: '1.2.3', level: 'workflow' });
    assert.equal(byKey.use?.conclusion, 'success');
    assert.equal(byKey.broken?.conclusion, 'failure');
    assert.equal(byKey['after-broken']?.conclusion, 'skipped');
    assert.equal(byKey.cleanup?.conclusion, 'success');
    assert.equal(byKey['on-failure']?.conclusion, 'success');
    assert.match(h.runner.readLog(detail.id, { job: 'use' }), /version 1\.2\.3 result success level job\/workflow/);
    assert.match(h.runner.readLog(detail.id, { job: 'cleanup' }), /cleanup sees failure success/);
    assert.match(h.runner.readLog(detail.id, { job: 'broken' }), /##\[error\]Process completed with exit code 3\./);
    assert.ok(
      detail.annotations.some(
        (annotation) => annotation.message === 'Process completed with exit code 3.' && annotation.job === 'broken',
      ),
    );
  });

  it('steps: failure, continue-on-error (outcome vs conclusion), always(), failure() and the steps context', async () => {
    const { runs } = await h.push('mona/steps', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - id: soft',
        '        continue-on-error: true',
        '        run: exit 1',
        '      - run: echo "soft ${{ steps.soft.outcome }} ${{ steps.soft.conclusion }}"',
        '      - id: hard',
        '        run: exit 1',
        '      - run: echo not reached',
        '      - if: failure()',
        '        run: echo "failure seen ${{ steps.hard.outcome }} ${{ job.status }}"',
        '      - if: always()',
        '        run: echo always ran',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'failure');
    const steps = detail.jobs[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((step) => [step.outcome, step.conclusion]),
      [
        ['failure', 'success'],
        ['success', 'success'],
        ['failure', 'failure'],
        ['skipped', 'skipped'],
        ['success', 'success'],
        ['success', 'success'],
      ],
    );
    const log = h.runner.readLog(detail.id);
    assert.match(log, /soft failure success/);
    assert.match(log, /failure seen failure failure/);
    assert.match(log, /always ran/);
    assert.doesNotMatch(log, /not reached\n/);
  });

  it('matrix: one instance per combination with names and the matrix context; fail-fast cancels siblings', async () => {
    const { runs } = await h.push('mona/matrix', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  test:',
        '    runs-on: self-hosted',
        '    strategy:',
        '      matrix:',
        '        node: [18, 20]',
        '        os: [linux]',
        '        include:',
        '          - node: 22',
        '            os: linux',
        '            experimental: true',
        '    steps:',
        '      - run: echo "node ${{ matrix.node }} on ${{ matrix.os }} index ${{ strategy.job-index }}/${{ strategy.job-total }}"',
        '  fast:',
        '    runs-on: self-hosted',
        '    strategy:',
        '      matrix:',
        '        n: [1, 2]',
        '    steps:',
        '      - run: if [ "${{ matrix.n }}" = 1 ]; then exit 1; else sleep 20; fi',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const tests = detail.jobs.filter((job) => job.jobKey === 'test');
    assert.deepEqual(tests.map((job) => job.name).sort(), [
      'test (18, linux)',
      'test (20, linux)',
      'test (22, linux, true)',
    ]);
    assert.ok(tests.every((job) => job.conclusion === 'success'));
    assert.match(h.runner.readLog(detail.id, { job: 'test (20, linux)' }), /node 20 on linux index 1\/3/);
    const fast = detail.jobs.filter((job) => job.jobKey === 'fast');
    assert.deepEqual(fast.map((job) => job.conclusion).sort(), ['cancelled', 'failure']);
    assert.equal(detail.conclusion, 'failure');
  });

  it('fails jobs it cannot run clearly: container: on this host, an unserved runs-on', async () => {
    const { runs } = await h.push('mona/unsupported', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  boxed:',
        '    runs-on: self-hosted',
        '    container: node:20',
        '    steps:',
        '      - run: echo hi',
        '  gpu:',
        '    runs-on: [self-hosted, gpu]',
        '    steps:',
        '      - run: echo never',
        '  plain:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: echo plain',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const boxed = detail.jobs.find((job) => job.jobKey === 'boxed');
    assert.equal(boxed?.conclusion, 'failure');
    assert.match(
      h.runner.readLog(detail.id, { job: 'boxed' }),
      /container: and services: need a job container; runs-on: self-hosted runs this job on this host\./,
    );
    assert.equal(detail.jobs.find((job) => job.jobKey === 'gpu')?.conclusion, 'failure');
    assert.match(
      h.runner.readLog(detail.id, { job: 'gpu' }),
      /No runner matching the specified labels was found: self-hosted, gpu\./,
    );
    assert.equal(detail.jobs.find((job) => job.jobKey === 'plain')?.conclusion, 'success');
  });

  it('applies defaults.run, working-directory and shells', async () => {
    const { runs } = await h.push('mona/shells', {
      'sub/marker.txt': 'x',
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'defaults:',
        '  run:',
        '    shell: sh',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: mkdir -p sub && echo "cwd=$(pwd)"',
        '      - working-directory: sub',
        '        run: echo "in $(basename "$PWD")"',
        '      - shell: python',
        '        run: |',
        '          import os',
        '          print("python sees", os.environ["GITHUB_JOB"])',
        '      - shell: bash',
        '        run: false | true',
        '        continue-on-error: true',
        '      - shell: node {0}',
        '        run: console.log("custom", 1 + 1)',
        '      - shell: pwsh',
        '        run: Write-Host hi',
        '        continue-on-error: true',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id);
    assert.match(log, /in sub/);
    assert.match(log, /python sees a/);
    assert.match(log, /custom 2/);
    assert.match(log, /shell: \S*sh -e \{0\}/);
    assert.match(log, /Unable to locate executable file: pwsh/);
    const steps = detail.jobs[0]?.steps ?? [];
    assert.equal(steps[3]?.outcome, 'failure', 'bash runs with -o pipefail');
    assert.equal(detail.conclusion, 'success');
  });
});
