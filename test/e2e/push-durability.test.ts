/**
 * kill -9 of the cloud during a `git push`: a push whose refs moved starts its runs when the
 * cloud starts again, exactly once; a push that never moved its refs starts nothing; nothing a
 * killed push left (quarantine, ref locks) stays behind.
 *
 * How the crash lands at an exact point, without sleeps: the test swaps one of the hosted
 * repository's hooks for a gate that writes its pid into a FIFO (the test's read of it returns
 * only then) and then blocks reading another FIFO nobody writes. While it blocks, the push sits
 * at that point: past the pack (pre-receive, the quarantine still holding it), between locking
 * and moving the refs (reference-transaction "prepared"), after moving them (its "committed"),
 * or where post-receive would report. Then the cloud is SIGKILLed; the push's processes live on
 * until the restarted cloud kills them, which the test checks by the gate's pid.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitForExit } from '../../src/host/processes.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { JOURNAL_DIR } from '../../src/git/index.js';
import { dockyard, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { run, runOk, type RunResult } from '../support/run.js';

interface ListedRun {
  id: number;
  sha: string;
  ref: string;
  event: string;
  actor: string;
  status: string;
  conclusion: string | null;
}

describe('kill -9 of the cloud during a git push', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-push-durability-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-push-durability-work-'));
  const gates = mkdtempSync(join(tmpdir(), 'dockyard-push-durability-gates-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  const repoDir = join(dataDir, 'git', 'me', 'app.git');
  let cloud: DockyardProcess | undefined;
  let authorization = '';

  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=Mona', '-c', 'user.email=mona@example.com', ...args], { cwd: work });
  const push = (refspec: string): Promise<RunResult> => {
    if (cloud === undefined) throw new Error('no cloud');
    return run(
      'git',
      ['-c', `http.extraHeader=Authorization: ${authorization}`, 'push', `${cloud.url}/git/me/app.git`, refspec],
      { cwd: work },
    );
  };
  const commit = async (message: string): Promise<string> => {
    writeFileSync(join(work, 'change.txt'), `${message}\n`);
    await git(['add', '-A']);
    await git(['commit', '-qm', message]);
    return (await git(['rev-parse', 'HEAD'])).stdout.trim();
  };
  const runs = async (): Promise<ListedRun[]> =>
    JSON.parse((await dockyard(['runs', 'list', '--json'], env)).stdout) as ListedRun[];
  const runsOf = async (sha: string) => (await runs()).filter((listed) => listed.sha === sha);
  const tip = async (ref: string) =>
    (await run('git', ['--git-dir', repoDir, 'rev-parse', '--verify', '--quiet', ref])).stdout.trim();
  const quarantines = () =>
    readdirSync(join(repoDir, 'objects')).filter((name) => name.startsWith('tmp_objdir-incoming-'));
  const journal = () => (existsSync(join(repoDir, JOURNAL_DIR)) ? readdirSync(join(repoDir, JOURNAL_DIR)) : []);
  const killCloud = async () => {
    if (cloud === undefined) return;
    process.kill(cloud.pid, 'SIGKILL');
    await cloud.exited;
    cloud = undefined;
  };
  /** Starts the cloud again; its control API answers once it has recovered the pushes (ci.ts), so the first answer means recovered. */
  const restart = async () => {
    cloud = await startDockyard(['--port', '0'], env);
    await runs();
  };

  /**
   * Replaces `hook` with a gate that stops the push there (see the header); `state` limits it to
   * one reference-transaction state, `original` runs the hook it replaces before the gate or
   * after it. `reached` resolves with the gate's pid once a push has arrived there.
   */
  const gate = async (
    hook: string,
    options: { state?: string; original?: 'before' | 'after' } = {},
  ): Promise<{ reached: Promise<number> }> => {
    const dir = mkdtempSync(join(gates, `${hook}-`));
    const reached = join(dir, 'reached');
    const release = join(dir, 'release');
    const original = join(dir, 'original');
    const path = join(repoDir, 'hooks', hook);
    if (options.original !== undefined) copyFileSync(path, original);
    await runOk('mkfifo', [reached, release]);
    const runOriginal = `"${original}" "$@" <"$lines" || exit $?`;
    writeFileSync(
      path,
      [
        '#!/bin/sh',
        `lines=$(mktemp "${dir}/lines.XXXXXX"); cat >"$lines"`,
        options.original === 'before' ? runOriginal : '',
        `if [ -z "${options.state ?? ''}" ] || [ "$1" = "${options.state ?? ''}" ]; then echo $$ >"${reached}"; read _ <"${release}"; fi`,
        options.original === 'after' ? runOriginal : '',
        'exit 0',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return { reached: readFile(reached, 'utf8').then((pid) => Number(pid.trim())) };
  };

  before(async () => {
    cloud = await startDockyard(['--port', '0'], env);
    await dockyard(['repo', 'create', 'me/app'], env);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    authorization = basicAuthorization(admin);
    await git(['init', '-q', '-b', 'main']);
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(work, '.github', 'workflows', 'ci.yml'),
      [
        'on: push',
        'jobs:',
        '  show:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          echo "event ${{ github.event.ref }} ${{ github.event.before }}..${{ github.event.after }} by ${{ github.event.pusher.name }}: ${{ github.event.head_commit.message }}"',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    rmSync(gates, { recursive: true, force: true });
  });

  it('starts the runs of a push that landed when the cloud died before the hook reported it, once', async () => {
    const first = await commit('first');
    const live = await push('main');
    assert.equal(live.status, 0, live.stderr);
    assert.match(live.stderr, /all 1 run\(s\) succeeded/);
    assert.deepEqual(journal(), [], 'a handled push leaves no journal entry');

    const second = await commit('second');
    const { reached } = await gate('post-receive');
    const pushing = push('main');
    const hookPid = await reached;
    assert.equal(await tip('refs/heads/main'), second, 'the refs moved before post-receive');
    await killCloud();
    const cut = await pushing;
    assert.notEqual(cut.status, 0, 'the pusher saw the cloud go away');
    const entries = journal();
    assert.equal(entries.length, 1);
    assert.match(entries[0] ?? '', /\.committed$/);
    const saved = mkdtempSync(join(gates, 'journal-'));
    copyFileSync(join(repoDir, JOURNAL_DIR, entries[0] ?? ''), join(saved, entries[0] ?? ''));

    await restart();
    assert.ok(await waitForExit([hookPid], 10_000), 'the push the killed cloud left running is ended');
    const replayed = await runsOf(second);
    assert.equal(replayed.length, 1, 'the landed push has its run as soon as the cloud answers');
    assert.deepEqual([replayed[0]?.event, replayed[0]?.ref, replayed[0]?.actor], ['push', 'refs/heads/main', 'me']);
    const watched = await dockyard(['runs', 'watch', String(replayed[0]?.id)], env);
    assert.equal(watched.status, 0, `the replayed run succeeds:\n${watched.stdout}${watched.stderr}`);
    const log = (await dockyard(['runs', 'view', String(replayed[0]?.id), '--log'], env)).stdout;
    assert.match(
      log,
      new RegExp(`event refs/heads/main ${first}\\.\\.${second} by me: second`),
      'the payload is what the push would have produced',
    );
    assert.equal((await runsOf(first)).length, 1, 'the push handled live is not started again');
    assert.deepEqual(journal(), []);
    assert.deepEqual(quarantines(), []);
    const again = await push('main');
    assert.match(again.stderr, /Everything up-to-date/);

    // A crash after the run was recorded but before its entry was removed leaves exactly this:
    // the entry back in place. The next start must not run the push again.
    await killCloud();
    copyFileSync(join(saved, entries[0] ?? ''), join(repoDir, JOURNAL_DIR, entries[0] ?? ''));
    await restart();
    assert.equal((await runsOf(second)).length, 1, 'exactly once');
    assert.deepEqual(journal(), [], 'the entry is settled');
  });

  it('starts the runs of a push whose refs moved just before the journal marked them', async () => {
    const sha = await commit('third');
    const { reached } = await gate('reference-transaction', { state: 'committed', original: 'after' });
    const pushing = push('main');
    const hookPid = await reached;
    assert.equal(await tip('refs/heads/main'), sha);
    assert.match(journal().join(), /\.prepared$/, 'the entry was never marked committed');
    await killCloud();
    await pushing;

    await restart();
    assert.ok(await waitForExit([hookPid], 10_000));
    const [replayed, ...more] = await runsOf(sha);
    assert.ok(replayed !== undefined && more.length === 0);
    assert.equal((await dockyard(['runs', 'watch', String(replayed.id)], env)).status, 0);
    assert.deepEqual(journal(), []);
  });

  it('starts nothing for a push killed after locking its refs but before moving them, and leaves no lock', async () => {
    const before = await tip('refs/heads/main');
    const sha = await commit('fourth');
    const { reached } = await gate('reference-transaction', { state: 'prepared', original: 'before' });
    const pushing = push('main');
    const hookPid = await reached;
    assert.ok(existsSync(join(repoDir, 'refs', 'heads', 'main.lock')), 'the push holds the ref lock');
    assert.match(journal().join(), /\.prepared$/);
    await killCloud();
    await pushing;

    await restart();
    assert.ok(await waitForExit([hookPid], 10_000));
    assert.equal(await tip('refs/heads/main'), before, 'the ref never moved');
    assert.deepEqual(await runsOf(sha), [], 'so nothing runs');
    assert.equal(existsSync(join(repoDir, 'refs', 'heads', 'main.lock')), false, 'the stale lock is gone');
    assert.deepEqual(journal(), []);

    const retried = await push('main');
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal((await runsOf(sha)).length, 1, 'pushed again, it runs');
  });

  it('starts nothing for a push refused by pre-receive or killed while in quarantine, and leaves no quarantine', async () => {
    const before = await tip('refs/heads/main');
    const hook = join(repoDir, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "pushes are frozen" >&2\nexit 1\n', { mode: 0o755 });
    const refused = await commit('refused');
    const declined = await push('main');
    assert.notEqual(declined.status, 0);
    assert.match(declined.stderr, /pushes are frozen[\s\S]*pre-receive hook declined/);
    assert.deepEqual(await runsOf(refused), []);
    assert.deepEqual(journal(), []);

    const quarantined = await commit('quarantined');
    const { reached } = await gate('pre-receive');
    const pushing = push('main');
    const hookPid = await reached;
    assert.equal(quarantines().length, 1, 'the pack waits in quarantine');
    await killCloud();
    await pushing;

    await restart();
    assert.ok(await waitForExit([hookPid], 10_000));
    assert.deepEqual(quarantines(), [], 'no tmp_objdir-incoming-* remains');
    assert.equal(await tip('refs/heads/main'), before);
    assert.deepEqual(await runsOf(refused), []);
    assert.deepEqual(await runsOf(quarantined), []);
    assert.deepEqual(journal(), []);
    rmSync(hook);
    const retried = await push('main');
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal((await runsOf(quarantined)).length, 1);
  });
});
