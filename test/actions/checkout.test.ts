/**
 * The built-in actions/checkout run as a step against a real git repository. The origin is a
 * bare repository reached through a file:// GITHUB_SERVER_URL (the HTTP git hosting and its
 * tokens are exercised by the runner's end-to-end tests); the extra header is still configured
 * and removed as with HTTP.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ACTIONS, TestJob } from './support.js';

const ACTION = ACTIONS.checkout;
const REPOSITORY = 'your-username/ecsapp';
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();

describe('actions/checkout (built-in)', () => {
  let server: string;
  let first: string;
  let second: string;
  const jobs: TestJob[] = [];
  const newJob = (github: { sha?: string; ref?: string } = {}) => {
    const job = new TestJob({ github: { serverUrl: pathToFileURL(server).href, sha: second, ...github } });
    jobs.push(job);
    return job;
  };
  const header = (dir: string) => {
    try {
      return git(dir, 'config', '--local', '--get-regexp', 'extraheader');
    } catch {
      return '';
    }
  };

  before(() => {
    server = mkdtempSync(join(tmpdir(), 'dockyard-git-server-'));
    const bare = join(server, REPOSITORY);
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const work = mkdtempSync(join(tmpdir(), 'dockyard-git-work-'));
    git(work, 'init', '-q', '-b', 'main');
    writeFileSync(join(work, 'app.txt'), 'one\n');
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'one');
    first = git(work, 'rev-parse', 'HEAD');
    git(work, 'tag', 'v1');
    writeFileSync(join(work, 'app.txt'), 'two\n');
    git(work, 'commit', '-q', '-am', 'two');
    second = git(work, 'rev-parse', 'HEAD');
    git(work, 'push', '-q', bare, 'main', 'v1');
    rmSync(work, { recursive: true, force: true });
  });
  after(() => {
    for (const job of jobs) job.dispose();
    rmSync(server, { recursive: true, force: true });
  });

  it('checks out the triggering commit on branch main with the token header, removed by post', async () => {
    const job = newJob();
    const step = await job.run(ACTION, 'checkout');
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.equal(step.outputs.commit, second);
    assert.equal(step.outputs.ref, 'refs/heads/main');
    assert.equal(readFileSync(join(job.workspace, 'app.txt'), 'utf8'), 'two\n');
    assert.equal(git(job.workspace, 'branch', '--show-current'), 'main');
    assert.equal(git(job.workspace, 'rev-parse', 'HEAD'), second);
    // Shallow, as fetch-depth 1 makes it.
    assert.equal(git(job.workspace, 'rev-list', '--count', 'HEAD'), '1');
    assert.match(step.stdout, /git checkout --progress --force -B main refs\/remotes\/origin\/main/);
    const basic = Buffer.from('x-access-token:ghs_testtoken').toString('base64');
    assert.ok(step.masks.includes(basic));
    assert.match(header(job.workspace), new RegExp(`AUTHORIZATION: basic ${basic}$`));
    assert.ok(
      !step.stdout.split('\n').some((line) => !line.startsWith('::add-mask::') && line.includes(basic)),
      'the credential is printed only to mask it',
    );

    const post = await job.post(ACTION, 'checkout', step);
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.equal(header(job.workspace), '');
  });

  it('checks out a tag or a commit into a path, with full history when fetch-depth is 0, and without persisting credentials', async () => {
    const job = newJob();
    const tag = await job.run(ACTION, 'checkout', {
      inputs: { ref: 'refs/tags/v1', path: 'tagged', 'persist-credentials': 'false' },
    });
    assert.equal(tag.exitCode, 0, tag.stdout + tag.stderr);
    assert.equal(tag.outputs.commit, first);
    assert.equal(readFileSync(join(job.workspace, 'tagged', 'app.txt'), 'utf8'), 'one\n');
    assert.equal(header(join(job.workspace, 'tagged')), '');

    const full = await job.run(ACTION, 'checkout', { inputs: { ref: first, path: 'full', 'fetch-depth': '0' } });
    assert.equal(full.exitCode, 0, full.stdout + full.stderr);
    assert.equal(full.outputs.commit, first);
    assert.equal(git(join(job.workspace, 'full'), 'rev-parse', 'HEAD'), first);
  });

  it('fails loudly on what it does not support, and outside the workspace', async () => {
    const job = newJob();
    const submodules = await job.run(ACTION, 'checkout', { inputs: { submodules: 'true' } });
    assert.equal(submodules.exitCode, 1);
    assert.match(submodules.errors[0] ?? '', /submodules: true/);
    const lfs = await job.run(ACTION, 'checkout', { inputs: { lfs: 'true' } });
    assert.equal(lfs.exitCode, 1);
    const outside = await job.run(ACTION, 'checkout', { inputs: { path: '../elsewhere' } });
    assert.match(outside.errors[0] ?? '', /is not under/);
  });
});
