/**
 * The runner through the dockyard CLI, as a user drives it: `repo create --remote` (credentials
 * from `dockyard git-credential`), `dockyard push` following the run and carrying its result,
 * `secret set` / `var set` reaching the contexts, `runs list|view --log`, `dockyard run` for
 * workflow_dispatch with inputs, `actions add|list` and a cached action winning over nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { run, runOk } from '../support/run.js';

describe('the runner through the CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-runner-cli-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-runner-cli-work-'));
  const actionDir = mkdtempSync(join(tmpdir(), 'dockyard-runner-cli-action-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  let cloud: DockyardProcess;
  const cli = (args: string[]) => dockyard(args, env);
  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, env });

  before(async () => {
    cloud = await startDockyard(['--port', '0'], env);
    await git(['init', '-q', '-b', 'main']);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(work, '.github', 'workflows', 'ci.yml'),
      [
        'name: CI',
        'on:',
        '  push:',
        '    branches: [main]',
        '  workflow_dispatch:',
        '    inputs:',
        '      greeting:',
        '        default: hello',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - id: local',
        '        uses: me/greeter@v1',
        '        with:',
        '          who: ${{ vars.TARGET }}',
        '      - run: echo "greeted ${{ steps.local.outputs.said }} with ${{ secrets.TOKEN }} (${{ inputs.greeting || github.event_name }})"',
        "      - if: ${{ vars.FAIL == 'yes' }}",
        '        run: exit 3',
      ].join('\n'),
    );
    await git(['add', '-A']);
    await git(['commit', '-qm', 'ci']);
    // A JavaScript action, added to the offline cache the way a user adds the official ones.
    writeFileSync(
      join(actionDir, 'action.yml'),
      [
        'name: greeter',
        'inputs:',
        '  who:',
        '    required: true',
        'outputs:',
        '  said:',
        '    description: what it said',
        'runs:',
        '  using: node20',
        '  main: index.js',
      ].join('\n'),
    );
    writeFileSync(
      join(actionDir, 'index.js'),
      "const fs = require('node:fs');\nconst who = process.env['INPUT_WHO'];\nconsole.log(`hello ${who}`);\nfs.appendFileSync(process.env.GITHUB_OUTPUT, `said=hello ${who}\\n`);\n",
    );
  });
  after(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    rmSync(actionDir, { recursive: true, force: true });
  });

  it('creates the repository and its remote; the credential helper answers only for the cloud', async () => {
    const created = await run(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'me/app', '--remote', 'dockyard'], {
      cwd: work,
      env,
    });
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /created me\/app\n {2}clone URL: http:\/\/localhost:\d+\/git\/me\/app\.git/);
    const remote = await git(['remote', 'get-url', 'dockyard']);
    assert.match(remote.stdout, /^http:\/\/localhost:\d+\/git\/me\/app\.git$/m);
    assert.doesNotMatch(remote.stdout, /@/, 'no credentials in the URL');
    const other = await run(process.execPath, [DOCKYARD_BIN, 'git-credential', 'get'], {
      env,
      input: 'protocol=https\nhost=github.com\n\n',
    });
    assert.equal(other.stdout, '', 'never hands the key to another host');
    const listed = await cli(['repo', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string }[]).map((r) => r.name),
      ['me/app'],
    );
  });

  it('dockyard push fails when the run fails and succeeds when it succeeds; secrets are masked', async () => {
    assert.equal((await cli(['actions', 'add', 'me/greeter@v1', actionDir])).status, 0);
    assert.match((await cli(['actions', 'list'])).stdout, /me\/greeter@v1/);
    // Names are case-insensitive, as on GitHub: settings set under another spelling reach me/app's runs.
    assert.equal((await cli(['secret', 'set', 'TOKEN', '--repo', 'me/app', '--body', 's3cr3t-value'])).status, 0);
    assert.equal((await cli(['var', 'set', 'TARGET', 'world', '--repo', 'Me/App'])).status, 0);
    assert.equal((await cli(['var', 'set', 'FAIL', 'yes', '--repo', 'me/app'])).status, 0);

    const failing = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stderr, /remote: {5}✗ Run exit 3/);
    assert.match(failing.stderr, /remote: dockyard: run\(s\) #1 did not succeed/);

    assert.equal((await cli(['var', 'delete', 'FAIL', '--repo', 'ME/app'])).status, 0);
    await git(['commit', '-q', '--allow-empty', '-m', 'again']);
    const passing = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    assert.equal(passing.status, 0, passing.stderr);
    assert.match(passing.stderr, /remote: dockyard: all 1 run\(s\) succeeded/);

    const log = await cli(['runs', 'view', '2', '--log']);
    assert.match(log.stdout, /greeted hello world with \*\*\* \(push\)/);
    assert.doesNotMatch(log.stdout + passing.stderr + failing.stderr, /s3cr3t-value/);
    const secrets = await cli(['secret', 'list', '--repo', 'me/app', '--json']);
    assert.deepEqual(
      (JSON.parse(secrets.stdout) as { name: string; value?: string }[]).map((s) => [s.name, s.value]),
      [['TOKEN', undefined]],
    );
  });

  it('dockyard run dispatches with inputs and follows; runs list and view show the runs', async () => {
    const dispatched = await cli(['run', 'ci.yml', '--repo', 'me/app', '-f', 'greeting=bonjour']);
    assert.equal(dispatched.status, 0, dispatched.stderr + dispatched.stdout);
    assert.match(dispatched.stdout, /✓ run #3 CI \(workflow_dispatch to main at [0-9a-f]{7}\): success/);
    assert.match((await cli(['runs', 'view', '3', '--log'])).stdout, /greeted hello world with \*\*\* \(bonjour\)/);

    const list = JSON.parse((await cli(['runs', 'list', '--json'])).stdout) as {
      id: number;
      conclusion: string;
      event: string;
    }[];
    assert.deepEqual(
      list.map((r) => [r.id, r.event, r.conclusion]),
      [
        [3, 'workflow_dispatch', 'success'],
        [2, 'push', 'success'],
        [1, 'push', 'failure'],
      ],
    );
    const view = await cli(['runs', 'view', '1']);
    assert.match(view.stdout, /✗ Run exit 3/);
    assert.match(view.stdout, /✓ greeter|✓ Run me\/greeter@v1/);
    assert.match(view.stdout, /Annotations\n {2}✗ build: Process completed with exit code 3/);
    const missing = await cli(['runs', 'view', '99']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Run 99 not found/);
  });
});
