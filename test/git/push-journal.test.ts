/**
 * The push journal with the real hooks and the real git CLI: pushes over HTTP are journaled
 * before their refs move and marked once they moved; pushes to the directory are not; what
 * `landed` hands back and drops; an entry that cannot be written refuses the push; what killed
 * pushes leave behind is removed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HOOK_ENV,
  JOURNAL_DIR,
  PushJournal,
  ZERO_SHA,
  newPushId,
  removeAbandonedPushFiles,
  type GitHostedRepository,
} from '../../src/git/index.js';
import { WorkTree, gitEnv, runOk, tempDir } from './fixtures.js';
import { ADMIN, startGitServer, type GitServer } from './server.js';

describe('push journal', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let server: GitServer;
  let env: NodeJS.ProcessEnv;
  let work: WorkTree;
  let repository: GitHostedRepository;
  let journal: PushJournal;
  const entries = async () =>
    existsSync(join(repository.gitDir, JOURNAL_DIR))
      ? (await readdir(join(repository.gitDir, JOURNAL_DIR))).sort()
      : [];

  before(async () => {
    dir = await tempDir('journal');
    env = gitEnv(join(dir.path, 'home'));
    server = await startGitServer(dir.path);
    repository = (await server.repositories.create('octo-org/journal')).repository;
    journal = new PushJournal(server.repositories);
    work = await WorkTree.init(join(dir.path, 'work'), env);
  });
  after(async () => {
    await server.close();
    await dir.remove();
  });

  /** Runs the repository's reference-transaction hook as git does: state argument, ref lines on stdin, in the git directory. */
  const transactionHook = (state: string, lines: string, pushId: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(repository.gitDir, 'hooks', 'reference-transaction'), [state], {
        cwd: repository.gitDir,
        env: {
          PATH: process.env.PATH ?? '',
          GIT_DIR: '.',
          [HOOK_ENV.pushId]: pushId,
          [HOOK_ENV.pusher]: 'mona%20lisa',
        },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      child.on('error', reject);
      child.on('close', (status) => resolve(status ?? -1));
      child.stdin.end(lines);
    });

  it('journals a push over HTTP under the id its report carries, marked committed once the refs moved', async () => {
    const sha = await work.commit('First', { 'a.txt': 'a\n' });
    await runOk('git', ['-C', work.dir, 'push', server.url('octo-org/journal', ADMIN), 'main'], { env });
    const pushId = server.pushIds.at(-1);
    assert.ok(pushId !== undefined, 'the report carries the push id');
    const written = await entries();
    assert.equal(written.length, 1);
    assert.match(written[0] ?? '', new RegExp(`^${pushId}\\.[0-9a-f]{40}\\.committed$`));
    const content = await readFile(join(repository.gitDir, JOURNAL_DIR, written[0] ?? ''), 'utf8');
    assert.match(content, new RegExp(`^${ZERO_SHA} ${sha} refs/heads/main$`, 'm'));
    assert.match(content, new RegExp(`^pusher ${encodeURIComponent(ADMIN.user)}$`, 'm'));

    // The cloud did not settle it (this server does not): at start-up it is a landed push.
    const { pushes, dropped } = await journal.landed(repository);
    assert.deepEqual(dropped, []);
    assert.deepEqual(pushes, [
      {
        repository: 'octo-org/journal',
        pushId: pushId,
        events: [
          {
            repository: 'octo-org/journal',
            ref: 'refs/heads/main',
            before: ZERO_SHA,
            after: sha,
            pusher: ADMIN.user,
            pushId: pushId,
          },
        ],
      },
    ]);
    await journal.settle('octo-org/journal', pushId);
    assert.deepEqual(await entries(), []);
  });

  it('does not journal a push to the directory', async () => {
    await work.commit('Direct', { 'b.txt': 'b\n' });
    await runOk('git', ['-C', work.dir, 'push', repository.gitDir, 'main'], { env });
    assert.deepEqual(await entries(), []);
  });

  it('hands back prepared entries whose refs moved and drops the rest, half-written ones included', async () => {
    const head = await work.head();
    const landed = newPushId();
    const unmoved = newPushId();
    const aborted = newPushId();
    assert.equal(
      await transactionHook('prepared', `${ZERO_SHA} ${head} refs/heads/main\n${ZERO_SHA} ${head} HEAD\n`, landed),
      0,
    );
    assert.equal(await transactionHook('prepared', `${head} ${'1'.repeat(40)} refs/heads/main\n`, unmoved), 0);
    assert.equal(await transactionHook('prepared', `${head} ${'2'.repeat(40)} refs/heads/main\n`, aborted), 0);
    assert.equal(await transactionHook('aborted', `${head} ${'2'.repeat(40)} refs/heads/main\n`, aborted), 0);
    assert.equal(await transactionHook('prepared', `${head} ${ZERO_SHA} refs/heads/gone\n`, newPushId()), 0);
    await writeFile(join(repository.gitDir, JOURNAL_DIR, '.tmp.AbCdEf12'), `${ZERO_SHA} ${head} refs`);
    assert.equal((await entries()).length, 4, 'aborted removed its own entry');

    const { pushes, dropped } = await journal.landed(repository);
    assert.deepEqual(pushes, [
      {
        repository: 'octo-org/journal',
        pushId: landed,
        events: [
          {
            repository: 'octo-org/journal',
            ref: 'refs/heads/main',
            before: ZERO_SHA,
            after: head,
            pusher: 'mona lisa',
            pushId: landed,
          },
        ],
      },
    ]);
    assert.equal(dropped.length, 3, 'the unmoved, the deletion and the half-written entry');
    const left = await entries();
    assert.equal(left.length, 1);
    assert.ok(left[0]?.startsWith(`${landed}.`), 'the landed entry waits for its runs to start');
    await journal.settle('octo-org/journal', landed);
  });

  it('refuses a push whose journal entry cannot be written', async () => {
    await rm(join(repository.gitDir, JOURNAL_DIR), { recursive: true, force: true });
    await writeFile(join(repository.gitDir, JOURNAL_DIR), 'not a directory');
    try {
      const before = await runOk('git', ['--git-dir', repository.gitDir, 'rev-parse', 'refs/heads/main'], { env });
      await work.commit('Refused', { 'c.txt': 'c\n' });
      const pushed = await work.git('push', server.url('octo-org/journal', ADMIN), 'main');
      assert.notEqual(pushed.status, 0);
      const after = await runOk('git', ['--git-dir', repository.gitDir, 'rev-parse', 'refs/heads/main'], { env });
      assert.equal(after.stdout, before.stdout, 'the ref did not move');
    } finally {
      await rm(join(repository.gitDir, JOURNAL_DIR), { force: true });
    }
    const retried = await work.git('push', server.url('octo-org/journal', ADMIN), 'main');
    assert.equal(retried.status, 0, retried.stderr);
  });

  it('removes quarantines and lock files a killed push left, and nothing else', async () => {
    const quarantine = join(repository.gitDir, 'objects', 'tmp_objdir-incoming-Xy12Ab');
    await mkdir(join(quarantine, 'pack'), { recursive: true });
    await writeFile(join(quarantine, 'pack', 'tmp_pack_1'), 'partial');
    await mkdir(join(repository.gitDir, 'refs', 'heads', 'feature'), { recursive: true });
    await writeFile(join(repository.gitDir, 'refs', 'heads', 'feature', 'x.lock'), `${'3'.repeat(40)}\n`);
    await writeFile(join(repository.gitDir, 'packed-refs.lock'), '');
    const removed = await removeAbandonedPushFiles(repository.gitDir);
    assert.deepEqual(removed.sort(), [
      'objects/tmp_objdir-incoming-Xy12Ab',
      'packed-refs.lock',
      'refs/heads/feature/x.lock',
    ]);
    assert.equal(existsSync(quarantine), false);
    assert.equal(existsSync(join(repository.gitDir, 'refs', 'heads', 'feature', 'x.lock')), false);
    assert.equal(
      existsSync(join(repository.gitDir, 'refs', 'heads', 'main')) ||
        existsSync(join(repository.gitDir, 'packed-refs')),
      true,
      'refs stay',
    );
    assert.deepEqual(await removeAbandonedPushFiles(repository.gitDir), []);
  });
});
