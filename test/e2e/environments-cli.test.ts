/**
 * Deployment environments through the CLI: `dockyard secret|var set --env NAME` reach only the
 * jobs whose `environment:` names it (overriding the repository's values of the same name), are
 * masked, listed and deleted per environment; a bad environment name is refused.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { run, runOk } from '../support/run.js';

describe('deployment environments through the CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-env-cli-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-env-cli-work-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  let cloud: DockyardProcess;
  const cli = (args: string[]) => dockyard(args, env);
  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, env });

  before(async () => {
    cloud = await startDockyard(['--port', '0'], env);
    await git(['init', '-q', '-b', 'main']);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    const show =
      'echo "target=${{ vars.TARGET }} key=${{ secrets.KEY }} is-prod-key=${{ secrets.KEY == \'prod-k3y\' }} env=${{ vars.ONLY_PROD }}"';
    writeFileSync(
      join(work, '.github', 'workflows', 'deploy.yml'),
      [
        'on: push',
        'jobs:',
        '  staging:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - run: |',
        `          ${show}`,
        '  prod:',
        '    runs-on: self-hosted',
        '    environment:',
        '      name: Production',
        '      url: https://prod.example',
        '    steps:',
        '      - run: |',
        `          ${show}`,
      ].join('\n'),
    );
    await git(['add', '-A']);
    await git(['commit', '-qm', 'deploy']);
    const created = await run(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'me/envs', '--remote', 'dockyard'], {
      cwd: work,
      env,
    });
    assert.equal(created.status, 0, created.stderr);
  });
  after(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it("gives a job its environment's secrets and variables over the repository's, and only that job", async () => {
    const ok = async (args: string[]) => {
      const result = await cli(args);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    await ok(['secret', 'set', 'KEY', '--repo', 'me/envs', '--body', 'repo-k3y']);
    await ok(['var', 'set', 'TARGET', 'staging-host', '--repo', 'me/envs']);
    // Environment names are case-insensitive, as on GitHub: `production` is the job's `Production`.
    assert.match(
      await ok(['secret', 'set', 'KEY', '--repo', 'me/envs', '--env', 'production', '--body', 'prod-k3y']),
      /✓ Set secret KEY for me\/envs \(environment production\)/,
    );
    await ok(['var', 'set', 'TARGET', 'prod-host', '--repo', 'me/envs', '--env', 'Production']);
    await ok(['var', 'set', 'ONLY_PROD', 'yes', '--repo', 'me/envs', '-e', 'Production']);

    const pushed = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    assert.equal(pushed.status, 0, pushed.stderr);
    const staging = (await cli(['runs', 'view', '1', '--log', '--job', 'staging'])).stdout;
    const prod = (await cli(['runs', 'view', '1', '--log', '--job', 'prod'])).stdout;
    assert.match(staging, /target=staging-host key=\*\*\* is-prod-key=false env=\n/);
    assert.match(prod, /target=prod-host key=\*\*\* is-prod-key=true env=yes/);
    assert.match(prod, /Environment: Production/);
    assert.doesNotMatch(staging + prod + pushed.stderr, /key=(prod|repo)-k3y/);

    const listed = JSON.parse(await ok(['secret', 'list', '--repo', 'me/envs', '--env', 'Production', '--json'])) as {
      name: string;
      value?: string;
    }[];
    assert.deepEqual(
      listed.map((secret) => [secret.name, secret.value]),
      [['KEY', undefined]],
    );
    const vars = JSON.parse(await ok(['var', 'list', '--repo', 'me/envs', '--env', 'production', '--json'])) as {
      name: string;
      value: string;
    }[];
    assert.deepEqual(
      vars.map((variable) => [variable.name, variable.value]),
      [
        ['ONLY_PROD', 'yes'],
        ['TARGET', 'prod-host'],
      ],
    );
    await ok(['var', 'delete', 'ONLY_PROD', '--repo', 'me/envs', '--env', 'Production']);
    const gone = await cli(['var', 'delete', 'ONLY_PROD', '--repo', 'me/envs', '--env', 'Production']);
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /Variable ONLY_PROD not found in environment Production of me\/envs/);
    const long = await cli(['var', 'set', 'X', 'y', '--repo', 'me/envs', '--env', 'e'.repeat(256)]);
    assert.equal(long.status, 1);
    assert.match(long.stderr, /Environment name must not exceed 255 characters/);
  });
});
