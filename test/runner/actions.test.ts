import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionCache, ActionSpecError } from '../../src/runner/index.js';
import { finished, startHarness, workflow, type Harness } from './support.js';

/** Writes files (path → content) under a directory. */
function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A JavaScript action with pre, main and post stages that pass state along. */
const STATEFUL_ACTION = {
  'action.yml': workflow(
    'name: Stateful',
    'inputs:',
    '  who:',
    '    required: true',
    '  repo label:',
    '    default: ${{ github.repository }}',
    'outputs:',
    '  greeting:',
    '    description: the greeting',
    'runs:',
    '  using: node20',
    '  pre: dist/pre.js',
    '  main: dist/main.js',
    '  post: dist/post.js',
  ),
  'dist/pre.js': `const fs = require('node:fs');
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=pre-state\\n');
console.log('pre ran for ' + process.env.INPUT_WHO);
`,
  'dist/main.js': `const fs = require('node:fs');
console.log('main: who=' + process.env.INPUT_WHO + ' label=' + process.env['INPUT_REPO_LABEL'] + ' state=' + process.env.STATE_from_pre + ' path=' + (process.env.GITHUB_ACTION_PATH === __dirname.replace(/\\/dist$/, '')));
fs.appendFileSync(process.env.GITHUB_STATE, 'from_main=main-state\\n');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=hello ' + process.env.INPUT_WHO + '\\n');
`,
  'dist/post.js': `console.log('post: state=' + process.env.STATE_from_main + ' pre=' + process.env.STATE_from_pre);
`,
};

const COMPOSITE_ACTION = {
  'action.yml': workflow(
    'name: Greet',
    'inputs:',
    '  who:',
    '    default: world',
    'outputs:',
    '  greeting:',
    '    value: ${{ steps.g.outputs.greeting }}',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - id: g',
    '      shell: bash',
    '      run: |',
    '        echo "composite says hi to ${{ inputs.who }} from $(basename "$GITHUB_ACTION_PATH")"',
    '        echo "greeting=composite ${{ inputs.who }}" >> "$GITHUB_OUTPUT"',
    '        echo "SET_BY_COMPOSITE=yes" >> "$GITHUB_ENV"',
    '    - uses: dockyard-test/stateful@v1',
    '      with:',
    '        who: nested',
    '    - if: failure()',
    '      shell: sh',
    '      run: echo "composite failure branch"',
  ),
};

describe('runner: actions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    writeTree(join(h.builtinDir, 'dockyard-test', 'stateful', 'v1'), STATEFUL_ACTION);
    writeTree(join(h.builtinDir, 'dockyard-test', 'docker', 'v1'), {
      'action.yml': 'name: D\nruns:\n  using: docker\n  image: Dockerfile\n',
    });
    const source = mkdtempSync(join(tmpdir(), 'dockyard-action-src-'));
    writeTree(source, COMPOSITE_ACTION);
    new ActionCache(join(h.dataDir, 'actions')).add('acme/greet@v2', source);
    rmSync(source, { recursive: true, force: true });
  });
  after(async () => {
    await h.stop();
  });

  it('runs a JavaScript action: pre, main, post in reverse order, inputs with evaluated defaults, state, outputs', async () => {
    const { runs } = await h.push('mona/js-action', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - id: first',
        '        uses: dockyard-test/stateful@v1.4.2',
        '        with:',
        '          who: octocat',
        '          unknown-input: x',
        '      - run: echo "output=${{ steps.first.outputs.greeting }}"',
        '      - uses: dockyard-test/stateful@v1',
        '        with:',
        '          who: second',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'success', h.runner.readLog(detail.id));
    const steps = detail.jobs[0]?.steps.map((step) => step.name) ?? [];
    assert.deepEqual(steps, [
      'Pre Run dockyard-test/stateful@v1.4.2',
      'Pre Run dockyard-test/stateful@v1',
      'Run dockyard-test/stateful@v1.4.2',
      'Run echo "output=${{ steps.first.outputs.greeting }}"',
      'Run dockyard-test/stateful@v1',
      'Post Run dockyard-test/stateful@v1',
      'Post Run dockyard-test/stateful@v1.4.2',
    ]);
    const log = h.runner.readLog(detail.id);
    assert.match(log, /pre ran for octocat/);
    assert.match(log, /main: who=octocat label=mona\/js-action state=pre-state path=true/);
    assert.match(log, /output=hello octocat/);
    assert.match(log, /post: state=main-state pre=pre-state/);
    assert.match(log, /Unexpected input\(s\) 'unknown-input', valid inputs are \['who', 'repo label'\]/);
  });

  it('runs composite actions from the action cache (outputs, GITHUB_ENV, nested uses) and local actions from the workspace', async () => {
    h.settings.setVariable('mona/composite', 'REPO_DIR', h.repos.gitDirOf('mona/composite'));
    const { runs } = await h.push('mona/composite', {
      '.github/actions/local/action.yml': workflow(
        'name: Local',
        'inputs:',
        '  word: {}',
        'runs:',
        '  using: node20',
        '  main: index.js',
      ),
      '.github/actions/local/index.js': "console.log('local action word=' + process.env.INPUT_WORD);\n",
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - id: greet',
        '        uses: acme/greet@v2',
        '        with:',
        '          who: mona',
        '      - run: echo "composite output=${{ steps.greet.outputs.greeting }} env=$SET_BY_COMPOSITE"',
        '      - uses: acme/greet@v2',
        '      - run: git clone -q "${{ vars.REPO_DIR }}" . && git checkout -q "$GITHUB_SHA"',
        '      - uses: ./.github/actions/local',
        '        with:',
        '          word: bird',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id);
    assert.equal(detail.conclusion, 'success', log);
    assert.match(log, /composite says hi to mona from v2/);
    assert.match(log, /composite says hi to world/);
    assert.match(log, /main: who=nested/);
    assert.match(log, /composite output=composite mona env=yes/);
    assert.match(log, /local action word=bird/);
    assert.doesNotMatch(log, /composite failure branch\n/);
    // The nested JavaScript action's post stages run at the end of the job.
    assert.ok(detail.jobs[0]?.steps.some((step) => step.name === 'Post Run dockyard-test/stateful@v1'));
  });

  it('fails unresolvable uses: with how to add the action, and docker:// clearly', async () => {
    const { runs } = await h.push('mona/missing', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        '  a:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: nobody/missing@v3',
        '  b:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: docker://alpine:3',
        '  c:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: ./not-checked-out',
        '  d:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: dockyard-test/docker@v1',
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'failure');
    assert.match(
      h.runner.readLog(detail.id, { job: 'a' }),
      /Unable to resolve action `nobody\/missing@v3`.*`dockyard actions add nobody\/missing@v3 DIR`.*Built-in actions: dockyard-test\/docker@v1, dockyard-test\/stateful@v1\./,
    );
    assert.match(h.runner.readLog(detail.id, { job: 'b' }), /Container actions are not supported by dockyard/);
    assert.match(
      h.runner.readLog(detail.id, { job: 'd' }),
      /dockyard-test\/docker@v1 is a Docker container action, which dockyard does not support/,
    );
    assert.match(
      h.runner.readLog(detail.id, { job: 'c' }),
      /Did you forget to run actions\/checkout before running your local action\?/,
    );
  });

  it('ActionCache adds, lists and removes OWNER/NAME@REF', (t) => {
    const scratch = mkdtempSync(join(tmpdir(), 'dockyard-cache-'));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    mkdirSync(join(scratch, 'cache'));
    const cache = new ActionCache(join(scratch, 'cache'));
    const source = join(scratch, 'source');
    writeTree(source, { 'action.yml': 'runs: {using: node20, main: a.js}\n', '.git/HEAD': 'x', 'a.js': '' });
    const added = cache.add('owner/thing@release/v1', source);
    assert.deepEqual(cache.list(), [{ spec: 'owner/thing@release/v1', path: added.path }]);
    cache.add('owner/thing@release/v1', source);
    assert.equal(cache.list().length, 1);
    assert.throws(() => cache.add('not-a-spec', source), ActionSpecError);
    assert.equal(cache.remove('owner/thing@release/v1'), true);
    assert.deepEqual(cache.list(), []);
  });
});
