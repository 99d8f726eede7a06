/**
 * Git's smart HTTP protocol end to end: a real server on 127.0.0.1 mounting the hosting and the
 * push hook, driven by the real git CLI (own HOME, no system config, no prompts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZERO_SHA } from '../../src/git/index.js';
import { WorkTree, gitEnv, run, runOk, tempDir } from './fixtures.js';
import { ADMIN, startGitServer, type GitServer } from './server.js';

describe('git over HTTP', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let server: GitServer;
  let env: NodeJS.ProcessEnv;
  let work: WorkTree;
  let mainSha: string;

  before(async () => {
    dir = await tempDir('http');
    env = gitEnv(join(dir.path, 'home'));
    server = await startGitServer(dir.path);
    await server.repositories.create('octo-org/app');
  });
  after(async () => {
    await server.close();
    await dir.remove();
  });

  it('clones an empty repository', async () => {
    const result = await runOk('git', ['clone', server.url('octo-org/app', ADMIN), join(dir.path, 'empty')], { env });
    assert.match(result.stderr, /empty repository/);
  });

  it('pushes main, fires the hook with before/after/ref/pusher and shows its progress as remote: lines', async () => {
    work = await WorkTree.init(join(dir.path, 'work'), env);
    mainSha = await work.commit('Initial commit', { 'README.md': '# app\n', '.github/workflows/ci.yml': 'on: push\n' });
    await work.gitOk('remote', 'add', 'origin', server.url('octo-org/app', ADMIN));
    const pushed = await work.git('push', 'origin', 'main');
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.deepEqual(server.pushes.at(-1), [
      { repository: 'octo-org/app', ref: 'refs/heads/main', before: ZERO_SHA, after: mainSha, pusher: ADMIN.user },
    ]);
    assert.match(
      pushed.stderr,
      new RegExp(`remote: dockyard: received refs/heads/main 0000000\\.\\.${mainSha.slice(0, 7)} from ${ADMIN.user}`),
    );
    const repository = server.repositories.get('octo-org/app');
    assert.deepEqual(await repository?.listFiles(mainSha, '.github/workflows'), ['.github/workflows/ci.yml']);
  });

  it('clones back what was pushed', async () => {
    const clone = join(dir.path, 'clone');
    await runOk('git', ['clone', '--quiet', server.url('octo-org/app', ADMIN), clone], { env });
    assert.equal(await readFile(join(clone, 'README.md'), 'utf8'), '# app\n');
    assert.equal((await runOk('git', ['-C', clone, 'rev-parse', 'HEAD'], { env })).stdout.trim(), mainSha);
  });

  it('fetches through the URL without .git, as actions/checkout does', async () => {
    const url = server.url('octo-org/app', ADMIN, '');
    const listed = await runOk('git', ['ls-remote', url], { env });
    assert.match(listed.stdout, new RegExp(`^${mainSha}\\tHEAD$`, 'm'));
    const checkout = await WorkTree.init(join(dir.path, 'checkout'), env);
    await checkout.gitOk('fetch', '--depth=1', url, `+${mainSha}:refs/remotes/origin/main`);
    assert.equal(await checkout.gitOk('rev-parse', 'refs/remotes/origin/main'), mainSha);
    // protocol v0 too (older clients and `-c protocol.version=0` setups)
    const v0 = await runOk('git', ['-c', 'protocol.version=0', 'ls-remote', url], { env });
    assert.match(v0.stdout, new RegExp(`^${mainSha}\\trefs/heads/main$`, 'm'));
  });

  it('serves a repository under any spelling of its name, as GitHub does', async () => {
    const listed = await runOk('git', ['ls-remote', server.url('Octo-Org/APP', ADMIN)], { env });
    assert.match(listed.stdout, new RegExp(`^${mainSha}\\tHEAD$`, 'm'));
    // A job token of octo-org/app reads it under another spelling too.
    const token = server.tokens.issue('octo-org/app', 'read');
    await runOk('git', ['ls-remote', server.url('OCTO-ORG/app', { user: 'x-access-token', password: token.token })], {
      env,
    });
    token.revoke();
  });

  it('refuses git without credentials or with wrong ones', async () => {
    const anonymous = await run('git', ['ls-remote', server.url('octo-org/app')], { env });
    assert.notEqual(anonymous.status, 0);
    assert.match(anonymous.stderr, /could not read Username/);
    const wrong = await run('git', ['ls-remote', server.url('octo-org/app', { user: ADMIN.user, password: 'nope' })], {
      env,
    });
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /Authentication failed/);
    const challenge = await fetch(`${server.origin}/git/octo-org/app.git/info/refs?service=git-upload-pack`);
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get('www-authenticate'), 'Basic realm="dockyard"');
  });

  it('accepts job tokens: read-only fetches but gets 403 pushing; write pushes; other repositories refuse', async () => {
    const read = server.tokens.issue('octo-org/app', 'read');
    const write = server.tokens.issue('octo-org/app', 'write');
    const asToken = (token: string) => ({ user: 'x-access-token', password: token });
    await runOk('git', ['ls-remote', server.url('octo-org/app', asToken(read.token), '')], { env });

    await work.commit('Second', { 'a.txt': 'a\n' });
    const denied = await work.git('push', server.url('octo-org/app', asToken(read.token)), 'main');
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /403/);
    assert.match(denied.stderr, /Permission to push to octo-org\/app denied/);

    const allowed = await work.git('push', server.url('octo-org/app', asToken(write.token)), 'main');
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal(server.pushes.at(-1)?.[0]?.pusher, 'x-access-token');

    await server.repositories.create('octo-org/other');
    const elsewhere = await run('git', ['ls-remote', server.url('octo-org/other', asToken(write.token))], { env });
    assert.notEqual(elsewhere.status, 0);

    read.revoke();
    const revoked = await run('git', ['ls-remote', server.url('octo-org/app', asToken(read.token))], { env });
    assert.match(revoked.stderr, /Authentication failed/);
  });

  it('fetches a commit that is no longer a tip by sha, also over protocol v0, and clones partially', async () => {
    const tip = await work.head();
    assert.notEqual(tip, mainSha);
    for (const version of ['0', '2']) {
      const checkout = await WorkTree.init(join(dir.path, `by-sha-v${version}`), env);
      await checkout.gitOk(
        '-c',
        `protocol.version=${version}`,
        'fetch',
        '--no-tags',
        '--depth=1',
        server.url('octo-org/app', ADMIN, ''),
        `+${mainSha}:refs/remotes/origin/main`,
      );
      assert.equal(await checkout.gitOk('rev-parse', 'refs/remotes/origin/main'), mainSha);
    }
    const partial = join(dir.path, 'partial');
    const cloned = await runOk(
      'git',
      ['clone', '--filter=blob:none', '--no-checkout', server.url('octo-org/app', ADMIN), partial],
      { env },
    );
    assert.doesNotMatch(cloned.stderr, /filtering not recognized/);
  });

  it('pushes a new branch and a tag as one push with two events', async () => {
    await work.gitOk('checkout', '--quiet', '-b', 'feature/x');
    const feature = await work.commit('Feature', { 'feature.txt': 'x\n' });
    await work.gitOk('tag', '-a', 'v1.0.0', '-m', 'Release 1.0.0');
    const tagObject = await work.gitOk('rev-parse', 'v1.0.0');
    const pushed = await work.git('push', 'origin', 'feature/x', 'v1.0.0');
    assert.equal(pushed.status, 0, pushed.stderr);
    const events = server.pushes.at(-1) ?? [];
    assert.deepEqual(
      [...events].sort((a, b) => a.ref.localeCompare(b.ref)),
      [
        {
          repository: 'octo-org/app',
          ref: 'refs/heads/feature/x',
          before: ZERO_SHA,
          after: feature,
          pusher: ADMIN.user,
        },
        { repository: 'octo-org/app', ref: 'refs/tags/v1.0.0', before: ZERO_SHA, after: tagObject, pusher: ADMIN.user },
      ],
    );
    assert.match(server.pushIds.at(-1) ?? '', /^\d{13}-[0-9a-f]{16}$/, 'both events carry the one id of their push');
    assert.notEqual(server.pushIds.at(-1), server.pushIds.at(-2), 'each push has its own');
    assert.match(pushed.stderr, /remote: dockyard: received refs\/heads\/feature\/x/);
    assert.match(pushed.stderr, /remote: dockyard: received refs\/tags\/v1\.0\.0/);

    const deleted = await work.git('push', 'origin', '--delete', 'feature/x');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.deepEqual(server.pushes.at(-1), [
      { repository: 'octo-org/app', ref: 'refs/heads/feature/x', before: feature, after: ZERO_SHA, pusher: ADMIN.user },
    ]);
    await work.gitOk('checkout', '--quiet', 'main');
  });

  it('streams hook progress live, while the push is still running', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    server.onPush = async (_events, progress) => {
      progress('dockyard: first line');
      await released;
      progress('dockyard: second line');
    };
    try {
      await work.commit('Live', { 'live.txt': 'live\n' });
      const child = spawn('git', ['-C', work.dir, 'push', 'origin', 'main'], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const done = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no live progress; stderr so far:\n${stderr}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('remote: dockyard: first line')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.doesNotMatch(stderr, /second line/);
      release();
      assert.equal(await done, 0, stderr);
      assert.match(stderr, /remote: dockyard: second line/);
    } finally {
      release();
      server.onPush = async () => {};
    }
  });

  it('reports a failing push handler as a last remote: line; the push itself succeeds', async () => {
    server.onPush = async (_events, progress) => {
      progress('dockyard: starting');
      throw new Error('the workflow file is invalid');
    };
    try {
      await work.commit('Fails', { 'fail.txt': 'x\n' });
      const pushed = await work.git('push', 'origin', 'main');
      assert.equal(pushed.status, 0, pushed.stderr);
      assert.match(pushed.stderr, /remote: dockyard: starting/);
      assert.match(pushed.stderr, /remote: error: the workflow file is invalid/);
    } finally {
      server.onPush = async () => {};
    }
  });

  it('pushes 20 MB (a chunked request body) and clones it back', async () => {
    await server.repositories.create('octo-org/big');
    const big = await WorkTree.init(join(dir.path, 'big'), env);
    const blob = randomBytes(20 * 1024 * 1024);
    const sha = await big.commit('Big', { 'big.bin': blob });
    const before = server.requests.length;
    const pushed = await big.git('push', server.url('octo-org/big', ADMIN), 'main');
    assert.equal(pushed.status, 0, pushed.stderr);
    const posts = server.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.url.endsWith('/git-receive-pack'));
    assert.ok(
      posts.some((r) => r.headers['transfer-encoding'] === 'chunked'),
      'git sent the pack chunked',
    );
    const clone = join(dir.path, 'big-clone');
    await runOk('git', ['clone', '--quiet', server.url('octo-org/big', ADMIN), clone], { env });
    assert.ok((await readFile(join(clone, 'big.bin'))).equals(blob));
    assert.equal((await runOk('git', ['-C', clone, 'rev-parse', 'HEAD'], { env })).stdout.trim(), sha);
  });

  it('handles two concurrent pushes', async () => {
    await server.repositories.create('octo-org/one');
    await server.repositories.create('octo-org/two');
    const trees = await Promise.all(
      ['one', 'two'].map((name) => WorkTree.init(join(dir.path, `concurrent-${name}`), env)),
    );
    const shas = await Promise.all(
      trees.map((tree, i) => tree.commit(`Commit ${i}`, { 'file.bin': randomBytes(2 * 1024 * 1024) })),
    );
    const before = server.pushes.length;
    const results = await Promise.all(
      trees.map((tree, i) => tree.git('push', server.url(`octo-org/${['one', 'two'][i] ?? ''}`, ADMIN), 'main')),
    );
    for (const result of results) assert.equal(result.status, 0, result.stderr);
    const events = server.pushes.slice(before).flat();
    assert.deepEqual(
      events.map((e) => `${e.repository} ${e.after}`).sort(),
      [`octo-org/one ${shas[0] ?? ''}`, `octo-org/two ${shas[1] ?? ''}`].sort(),
    );
  });

  it('handles two concurrent pushes of different branches to one repository', async () => {
    await server.repositories.create('octo-org/shared');
    const trees = await Promise.all(
      ['left', 'right'].map((name) => WorkTree.init(join(dir.path, `shared-${name}`), env)),
    );
    const shas = await Promise.all(
      trees.map((tree, i) => tree.commit(`Commit ${i}`, { 'file.bin': randomBytes(2 * 1024 * 1024) })),
    );
    const before = server.pushes.length;
    const results = await Promise.all(
      trees.map((tree, i) => tree.git('push', server.url('octo-org/shared', ADMIN), `main:refs/heads/branch-${i}`)),
    );
    for (const result of results) assert.equal(result.status, 0, result.stderr);
    const events = server.pushes.slice(before).flat();
    assert.deepEqual(events.map((e) => `${e.ref} ${e.after}`).sort(), [
      `refs/heads/branch-0 ${shas[0] ?? ''}`,
      `refs/heads/branch-1 ${shas[1] ?? ''}`,
    ]);
    const listed = await runOk('git', ['ls-remote', server.url('octo-org/shared', ADMIN)], { env });
    assert.match(listed.stdout, /refs\/heads\/branch-0/);
    assert.match(listed.stdout, /refs\/heads\/branch-1/);
  });

  it('answers 404 for an unknown repository', async () => {
    const missing = await run('git', ['ls-remote', server.url('octo-org/missing', ADMIN)], { env });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /Repository not found/);
    const response = await fetch(`${server.origin}/git/octo-org/missing.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` },
    });
    assert.equal(response.status, 404);
    assert.equal(await response.text(), 'Repository not found.\n');
  });
});
