/**
 * GitRepositories and the HostedRepository reads, on real bare repositories pushed to by path:
 * creation (idempotent, racing), name validation, listing, deletion, and every read the runner makes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitRepositories, RepositoryNameError, ZERO_SHA } from '../../src/git/index.js';
import { WorkTree, gitEnv, runOk, tempDir } from './fixtures.js';

describe('GitRepositories', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repositories: GitRepositories;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = await tempDir('repos');
    env = gitEnv(join(dir.path, 'home'));
    repositories = new GitRepositories({ root: join(dir.path, 'git'), serverUrl: 'http://localhost:4566/git/' });
  });
  after(() => dir.remove());

  it('creates a bare repository on main with pushes enabled and the hook installed', async () => {
    const { created, repository } = await repositories.create('octo-org/hello-world');
    assert.equal(created, true);
    assert.equal(repository.fullName, 'octo-org/hello-world');
    assert.equal(repository.gitDir, join(dir.path, 'git', 'octo-org', 'hello-world.git'));
    assert.equal((await readFile(join(repository.gitDir, 'HEAD'), 'utf8')).trim(), 'ref: refs/heads/main');
    const config = await runOk('git', ['--git-dir', repository.gitDir, 'config', '--get', 'http.receivepack'], { env });
    assert.equal(config.stdout.trim(), 'true');
    // Executable, and private as everything in a data directory.
    for (const name of ['post-receive', 'reference-transaction']) {
      const hook = await stat(join(repository.gitDir, 'hooks', name));
      assert.equal(hook.mode & 0o777, 0o700, name);
    }
    assert.equal(await repository.defaultBranch(), 'main');
    assert.equal(existsSync(join(repository.gitDir, 'hooks', 'pre-commit.sample')), false);
  });

  it('is idempotent, also when two creates race', async () => {
    const again = await repositories.create('octo-org/hello-world');
    assert.equal(again.created, false);
    const racing = await Promise.all([
      repositories.create('octo-org/race'),
      repositories.create('octo-org/race'),
      repositories.create('octo-org/race'),
    ]);
    assert.deepEqual(racing.map((r) => r.created).sort(), [false, false, true]);
    assert.ok(repositories.get('octo-org/race'));
  });

  it('gets, lists and deletes', async () => {
    await repositories.create('alice/.github');
    assert.equal(repositories.get('nobody/nothing'), undefined);
    assert.equal(repositories.get('../etc'), undefined);
    assert.equal(repositories.get('alice/.github')?.fullName, 'alice/.github');
    assert.deepEqual(
      repositories.list().map((r) => r.fullName),
      ['alice/.github', 'octo-org/hello-world', 'octo-org/race'],
    );
    assert.equal(await repositories.delete('octo-org/race'), true);
    assert.equal(await repositories.delete('octo-org/race'), false);
    assert.equal(repositories.get('octo-org/race'), undefined);
    assert.deepEqual(
      repositories.list().map((r) => r.fullName),
      ['alice/.github', 'octo-org/hello-world'],
    );
  });

  it('refreshes settings and hooks of existing repositories', async () => {
    const repository = repositories.get('octo-org/hello-world');
    assert.ok(repository);
    const hook = join(repository.gitDir, 'hooks', 'post-receive');
    await writeFile(hook, '#!/bin/sh\necho stale\n');
    await runOk('git', ['--git-dir', repository.gitDir, 'config', 'http.receivepack', 'false'], { env });
    await repositories.refresh();
    assert.match(await readFile(hook, 'utf8'), /DOCKYARD_HOOK_URL/);
    assert.equal(
      (
        await runOk('git', ['--git-dir', repository.gitDir, 'config', '--get', 'http.receivepack'], { env })
      ).stdout.trim(),
      'true',
    );
  });

  it('finds names case-insensitively and keeps the spelling they were created with, as GitHub', async () => {
    const { repository } = await repositories.create('Acme/Shop');
    assert.equal(repositories.get('acme/shop')?.fullName, 'Acme/Shop');
    assert.equal(repositories.resolve('ACME/SHOP'), 'Acme/Shop');
    assert.equal(repositories.cloneUrl('acme/shop'), 'http://localhost:4566/git/Acme/Shop.git');
    const again = await repositories.create('acme/SHOP');
    assert.equal(again.created, false);
    assert.equal(again.repository.gitDir, repository.gitDir);
    // A new repository of a known owner takes the owner's spelling.
    assert.equal((await repositories.create('ACME/api')).repository.fullName, 'Acme/api');
    assert.equal(repositories.resolve('acme/nothing'), undefined);
    assert.equal(await repositories.delete('acme/shop'), true);
    assert.equal(repositories.get('Acme/Shop'), undefined);
    await repositories.delete('acme/api');
  });

  it('builds clone URLs from the server URL', () => {
    assert.equal(repositories.serverUrl, 'http://localhost:4566/git');
    assert.equal(repositories.cloneUrl('octo-org/hello-world'), 'http://localhost:4566/git/octo-org/hello-world.git');
  });

  it('rejects names GitHub would not accept, with a clear message', async () => {
    const bad: [string, RegExp][] = [
      ['no-slash', /OWNER\/NAME/],
      ['a/b/c', /OWNER\/NAME/],
      ['/name', /owner is empty/],
      ['owner/', /name is empty/],
      ['-owner/name', /may not begin or end with a hyphen/],
      ['own_er/name', /letters, digits and hyphens/],
      [`${'o'.repeat(40)}/name`, /longer than 39/],
      [`owner/${'n'.repeat(101)}`, /longer than 100/],
      ['owner/..', /not a repository name/],
      ['owner/.', /not a repository name/],
      ['owner/na me', /letters, digits, "\.", "_" and "-"/],
      ['owner/x.git', /may not end in "\.git"/],
      ['..%2F/x', /letters, digits and hyphens/],
    ];
    for (const [name, message] of bad) {
      await assert.rejects(
        repositories.create(name),
        (error: unknown) => error instanceof RepositoryNameError && message.test(error.message),
        name,
      );
    }
    await repositories.create(`${'o'.repeat(39)}/${'n'.repeat(100)}`);
    await repositories.create('A-1/x_y.z-');
  });
});

describe('HostedRepository reads', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let repositories: GitRepositories;
  let work: WorkTree;
  let first: string;
  let second: string;

  before(async () => {
    dir = await tempDir('reads');
    const env = gitEnv(join(dir.path, 'home'));
    repositories = new GitRepositories({ root: join(dir.path, 'git'), serverUrl: 'http://localhost:4566/git' });
    const { repository } = await repositories.create('octo-org/app');
    work = await WorkTree.init(join(dir.path, 'work'), env);
    first = await work.commit('Initial commit', {
      'README.md': '# app\n',
      '.github/workflows/ci.yml': 'on: push\n',
      '.github/workflows/deploy.yaml': 'on: workflow_dispatch\n',
      '.github/workflows/nested/skip.yml': 'x\n',
      'src/old.txt': 'old\n',
    });
    await work.gitOk('mv', 'src/old.txt', 'src/new.txt');
    second = await work.commit('Rename and edit\n\nWith a body.', {
      'README.md': '# app, edited\n',
      'src/added.ts': 'export {};\n',
    });
    await work.gitOk('push', '--quiet', repository.gitDir, 'main');
  });
  after(() => dir.remove());

  const repo = () => {
    const repository = repositories.get('octo-org/app');
    assert.ok(repository);
    return repository;
  };

  it('reads files at a commit', async () => {
    assert.equal((await repo().readFile(first, 'README.md'))?.toString(), '# app\n');
    assert.equal((await repo().readFile(second, 'README.md'))?.toString(), '# app, edited\n');
    assert.equal((await repo().readFile(second, '/.github/workflows/ci.yml'))?.toString(), 'on: push\n');
    assert.equal(await repo().readFile(second, 'missing.txt'), undefined);
    assert.equal(await repo().readFile(second, '.github'), undefined);
    assert.equal(await repo().readFile('f'.repeat(40), 'README.md'), undefined);
    assert.equal(await repo().readFile('--output=/tmp/x', 'README.md'), undefined);
    assert.equal(
      await repo()
        .readFile('main', 'README.md')
        .then((b) => b?.toString()),
      '# app, edited\n',
    );
  });

  it('lists files directly under a directory', async () => {
    assert.deepEqual(await repo().listFiles(second, '.github/workflows'), [
      '.github/workflows/ci.yml',
      '.github/workflows/deploy.yaml',
    ]);
    assert.deepEqual(await repo().listFiles(second, '.github/workflows/'), [
      '.github/workflows/ci.yml',
      '.github/workflows/deploy.yaml',
    ]);
    assert.deepEqual(await repo().listFiles(second, ''), ['README.md']);
    assert.deepEqual(await repo().listFiles(second, 'nope'), []);
    assert.deepEqual(await repo().listFiles(second, 'README.md'), []);
    assert.deepEqual(await repo().listFiles(ZERO_SHA, '.github/workflows'), []);
  });

  it('lists changed files between two commits', async () => {
    assert.deepEqual(await repo().changedFiles(first, second), [
      'README.md',
      'src/added.ts',
      'src/new.txt',
      'src/old.txt',
    ]);
    assert.deepEqual(await repo().changedFiles(second, second), []);
    assert.equal(await repo().changedFiles(ZERO_SHA, second), undefined);
    assert.equal(await repo().changedFiles('1'.repeat(40), second), undefined);
    assert.equal(await repo().changedFiles(first, ZERO_SHA), undefined);
  });

  it('describes a commit', async () => {
    const info = await repo().commit(second);
    assert.ok(info);
    assert.equal(info.sha, second);
    assert.equal(info.message, 'Rename and edit\n\nWith a body.');
    assert.equal(info.authorName, 'Mona Lisa');
    assert.equal(info.authorEmail, 'mona@example.com');
    assert.ok(!Number.isNaN(Date.parse(info.timestamp)), info.timestamp);
    assert.match(info.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.equal((await repo().commit(second.slice(0, 12)))?.sha, second);
    assert.equal(await repo().commit('2'.repeat(40)), undefined);
    assert.equal(await repo().commit(ZERO_SHA), undefined);
    assert.equal(await repo().commit('HEAD:README.md'), undefined);
  });

  it('names the default branch and resolves refs to commits', async () => {
    assert.equal(await repo().defaultBranch(), 'main');
    const repository = repositories.get('octo-org/app');
    assert.equal(await repository?.resolveCommit('main'), second);
    assert.equal(await repository?.resolveCommit('refs/heads/main'), second);
    assert.equal(await repository?.resolveCommit('nope'), undefined);
    assert.equal(await repository?.resolveCommit('--all'), undefined);
  });
});
