/**
 * An actions server through the CLI, as a user sets one up: a dockyard cloud hosting an action
 * repository (pushed with git, tagged), a second cloud started with `--actions-url` pointing at
 * it and a token kept with `dockyard actions server URL --token-stdin` (never printed), a push
 * whose workflow uses the action by tag: downloaded once ("Download action repository …"),
 * listed by `dockyard actions list` with the ref that named it; then, with the server cloud
 * stopped, the next push runs from the action cache with a notice.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { run, runOk } from '../support/run.js';

describe('an actions server through the CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'dockyard-actions-server-'));
  const dirs = {
    serverData: join(root, 'server-data'),
    data: join(root, 'data'),
    action: join(root, 'action'),
    app: join(root, 'app'),
  };
  const serverEnv = { DOCKYARD_DATA: dirs.serverData, GIT_TERMINAL_PROMPT: '0' };
  const env = { DOCKYARD_DATA: dirs.data, GIT_TERMINAL_PROMPT: '0' };
  let server: DockyardProcess | undefined;
  let cloud: DockyardProcess | undefined;
  let secret = '';
  let tagged = '';
  const git = (cwd: string, args: string[], gitEnv: NodeJS.ProcessEnv) =>
    runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd, env: gitEnv });

  before(async () => {
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    server = await startDockyard(['--port', '0', '--actions-url', 'off'], serverEnv);
    await git(dirs.action, ['init', '-q', '-b', 'main'], serverEnv);
    writeFileSync(
      join(dirs.action, 'action.yml'),
      ['name: hello', 'inputs:', '  who:', '    default: world', 'runs:', '  using: node20', '  main: index.js'].join(
        '\n',
      ),
    );
    writeFileSync(
      join(dirs.action, 'index.js'),
      'console.log(`hello ${process.env.INPUT_WHO} from the actions server`);\n',
    );
    await git(dirs.action, ['add', '-A'], serverEnv);
    await git(dirs.action, ['commit', '-qm', 'hello'], serverEnv);
    await git(dirs.action, ['tag', '-a', 'v1', '-m', 'v1'], serverEnv);
    tagged = (await git(dirs.action, ['rev-parse', 'HEAD'], serverEnv)).stdout.trim();
    await runOk(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'acme/hello-action', '--remote', 'dockyard'], {
      cwd: dirs.action,
      env: serverEnv,
    });
    await git(dirs.action, ['push', '-q', 'dockyard', 'main', 'v1'], serverEnv);
    const keys = JSON.parse((await dockyard(['env', '--json'], serverEnv)).stdout) as Record<string, string>;
    secret = keys.AWS_SECRET_ACCESS_KEY ?? '';
    assert.ok(secret && keys.AWS_ACCESS_KEY_ID);

    // Kept before the cloud starts (plain state), with the token read from stdin.
    const set = await run(process.execPath, [DOCKYARD_BIN, 'actions', 'server', server.url, '--token-stdin'], {
      env,
      input: `${keys.AWS_ACCESS_KEY_ID}:${secret}\n`,
    });
    assert.equal(set.status, 0, set.stderr);
    assert.equal(set.stdout, `✓ actions server: ${server.url} (with a token)\n`);

    await git(dirs.app, ['init', '-q', '-b', 'main'], env);
    mkdirSync(join(dirs.app, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(dirs.app, '.github', 'workflows', 'ci.yml'),
      [
        'on: push',
        'jobs:',
        '  hello:',
        '    runs-on: self-hosted',
        '    steps:',
        '      - uses: acme/hello-action@v1',
        '        with:',
        '          who: mona',
      ].join('\n'),
    );
    await git(dirs.app, ['add', '-A'], env);
    await git(dirs.app, ['commit', '-qm', 'ci'], env);
  });
  after(async () => {
    await cloud?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses URLs it cannot use and never prints the token', async () => {
    const shown = await dockyard(['actions', 'server'], env);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^actions server: ${server?.url} \\(with a token\\)\\n`));
    assert.ok(!shown.stdout.includes(secret));
    const ftp = await dockyard(['actions', 'server', 'ftp://mirror.example.com'], env);
    assert.equal(ftp.status, 1);
    assert.match(ftp.stderr, /The actions server must be an http or https URL, not ftp:/);
    const withCredentials = await dockyard(['actions', 'server', 'https://user:pw@ghe.example.com'], env);
    assert.match(
      withCredentials.stderr,
      /Put no credentials in the actions server URL; give a token instead \(--token-stdin\)/,
    );
    const up = await dockyard(['up', '--actions-url', 'not a url'], env);
    assert.equal(up.status, 2);
    assert.match(up.stderr, /--actions-url: "not a url" is not a URL/);
  });

  it('a push downloads the action from the server once, and runs from the action cache once the server is gone', async () => {
    cloud = await startDockyard(['--port', '0', '--actions-url', server?.url ?? ''], env);
    await runOk(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'me/app', '--remote', 'dockyard'], {
      cwd: dirs.app,
      env,
    });
    const first = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: dirs.app, env });
    assert.equal(first.status, 0, first.stderr);
    const firstLog = (await dockyard(['runs', 'view', '1', '--log'], env)).stdout;
    assert.match(firstLog, new RegExp(`Download action repository 'acme/hello-action@v1' \\(SHA:${tagged}\\)`));
    assert.match(firstLog, /hello mona from the actions server/);
    assert.ok(!firstLog.includes(secret), 'the token is in no log');
    const listed = await dockyard(['actions', 'list'], env);
    assert.match(
      listed.stdout,
      new RegExp(
        `acme/hello-action@${tagged} {2}downloaded from ${server?.url}, tag v1; last used \\d{4}-\\d{2}-\\d{2}`,
      ),
    );

    await server?.stop();
    server = undefined;
    await git(dirs.app, ['commit', '-q', '--allow-empty', '-m', 'again'], env);
    const second = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: dirs.app, env });
    assert.equal(second.status, 0, second.stderr);
    const secondLog = (await dockyard(['runs', 'view', '2', '--log'], env)).stdout;
    assert.match(secondLog, /hello mona from the actions server/);
    assert.doesNotMatch(secondLog, /Download action repository/);
    assert.match(
      secondLog,
      new RegExp(
        `##\\[notice\\]The actions server http://127\\.0\\.0\\.1:\\d+ could not be reached \\(.*\\): using 'acme/hello-action@v1' \\(SHA:${tagged}\\) as resolved`,
      ),
    );
  });
});
