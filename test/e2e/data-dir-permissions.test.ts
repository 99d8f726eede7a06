/**
 * Everything in a data directory is root over the cloud (state.db and its -wal/-shm hold the
 * admin secret and the OIDC private key): after real use (IAM and STS calls, a skopeo push, a
 * git push whose run writes file commands, an action added to the cache) no file or directory
 * in it is open to group or others. A directory an earlier version left 0644/0755, with -wal and
 * -shm behind after a kill -9, is tightened at the next start.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { writeRandomLayout } from '../support/oci-layout.js';
import { run, runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

/** Every entry under `root` (root included, symbolic links skipped) with its permission bits. */
function modes(root: string): Map<string, number> {
  const found = new Map<string, number>();
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) continue;
    found.set(relative(root, path) || '.', stats.mode & 0o777);
    if (stats.isDirectory()) for (const name of readdirSync(path)) pending.push(join(path, name));
  }
  return found;
}

/** The entries group or others may touch, as `path 0644` lines (empty when the directory is private). */
function openToOthers(root: string): string[] {
  return [...modes(root)]
    .filter(([, mode]) => (mode & 0o077) !== 0)
    .map(([path, mode]) => `${path} 0${mode.toString(8)}`);
}

describe('the data directory is private', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-private-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-private-work-'));
  const actionDir = mkdtempSync(join(tmpdir(), 'dockyard-private-action-'));
  const layoutDir = mkdtempSync(join(tmpdir(), 'dockyard-private-layout-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  let cloud: DockyardProcess | undefined;
  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work, env });

  before(async () => {
    cloud = await startDockyard(['--port', '0'], env);
  });
  after(async () => {
    await cloud?.stop();
    for (const dir of [dataDir, work, actionDir, layoutDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('holds no file or directory open to group or others after real use', async () => {
    const url = (cloud as DockyardProcess).url;
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const config = { endpoint: url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    const role = await new IAMClient(config).send(
      new CreateRoleCommand({
        RoleName: 'private-files',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    await new STSClient(config).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'probe' }));

    const ecr = new ECRClient(config);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'private-files' }));
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    const password = Buffer.from(token.authorizationData?.[0]?.authorizationToken as string, 'base64')
      .toString()
      .slice('AWS:'.length);
    await writeRandomLayout(layoutDir, 'v1', 64 * 1024);
    await runOk('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `AWS:${password}`,
      `oci:${layoutDir}:v1`,
      `docker://localhost:${new URL(url).port}/private-files:v1`,
    ]);

    // An action whose files are 0644 and 0755 where the user keeps it.
    writeFileSync(
      join(actionDir, 'action.yml'),
      ['name: noop', 'runs:', '  using: node20', '  main: index.js'].join('\n'),
      { mode: 0o644 },
    );
    writeFileSync(join(actionDir, 'index.js'), "console.log('noop');\n", { mode: 0o755 });
    assert.equal((await dockyard(['actions', 'add', 'me/noop@v1', actionDir], env)).status, 0);

    await git(['init', '-q', '-b', 'main']);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(work, '.github', 'workflows', 'ci.yml'),
      [
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: me/noop@v1',
        '      - run: echo "TOKEN=s3cr3t" >> "$GITHUB_ENV"',
        '      - run: test "$TOKEN" = s3cr3t',
      ].join('\n'),
    );
    await git(['add', '-A']);
    await git(['commit', '-qm', 'ci']);
    const created = await run(process.execPath, [DOCKYARD_BIN, 'repo', 'create', 'me/app', '--remote', 'dockyard'], {
      cwd: work,
      env,
    });
    assert.equal(created.status, 0, created.stderr);
    const pushed = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    assert.equal(pushed.status, 0, pushed.stderr);
    await jobReleased(dataDir);

    // What the walk must have seen for it to mean anything: the database beside its WAL, a
    // blob, a git object, a run's log, the cached action.
    const seen = [...modes(dataDir).keys()];
    for (const expected of [
      /^state\.db-wal$/,
      /^state\.db-shm$/,
      /^blobs\/sha256\/..\/[0-9a-f]{64}$/,
      /^git\/me\/app\.git\/objects\/..\//,
      /^runs\/1\/.+\.log$/,
      /^actions\/me\/noop\/v1\/index\.js$/,
    ]) {
      assert.ok(
        seen.some((path) => expected.test(path)),
        `${expected} in ${seen.join(', ')}`,
      );
    }
    assert.equal(modes(dataDir).get('.'), 0o700);
    assert.deepEqual(openToOthers(dataDir), []);
  });

  it('tightens at start what an earlier version left open, -wal and -shm included', async () => {
    // An earlier version never recorded that it had tightened anything, nor set git's modes.
    await runOk('git', [
      '--git-dir',
      join(dataDir, 'git', 'me', 'app.git'),
      'config',
      '--unset',
      'core.sharedRepository',
    ]);
    const db = new Database(join(dataDir, 'state.db'));
    db.prepare("DELETE FROM cloud_settings WHERE name = 'files_private'").run();
    db.close();
    // kill -9 leaves -wal and -shm behind.
    const port = new URL((cloud as DockyardProcess).url).port;
    process.kill((cloud as DockyardProcess).pid, 'SIGKILL');
    await (cloud as DockyardProcess).exited;
    cloud = undefined;
    assert.ok(existsSync(join(dataDir, 'state.db-wal')) && existsSync(join(dataDir, 'state.db-shm')));
    for (const [path, mode] of modes(dataDir))
      chmodSync(join(dataDir, path), mode | ((mode & 0o100) !== 0 ? 0o055 : 0o044));
    assert.ok(openToOthers(dataDir).includes('state.db-wal 0644'));

    cloud = await startDockyard(['--port', port], env);
    assert.deepEqual(openToOthers(dataDir), []);
    // New objects in that repository are private too.
    await git(['commit', '-q', '--allow-empty', '-m', 'again']);
    const pushed = await run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: work, env });
    assert.equal(pushed.status, 0, pushed.stderr);
    await jobReleased(dataDir);
    assert.deepEqual(openToOthers(dataDir), []);
  });
});

/**
 * Waits until the job's container and workspace are released (right after the job is reported,
 * decision 80): the workspace is the job's own, written inside its container with the job's
 * umask, and goes with it.
 */
async function jobReleased(dataDir: string): Promise<void> {
  await waitFor(
    "the job's workspace to be released",
    () => !existsSync(join(dataDir, 'work')) || readdirSync(join(dataDir, 'work')).length === 0,
    { timeoutMs: 10_000 },
  );
}
