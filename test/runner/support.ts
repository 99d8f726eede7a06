/**
 * A runner over real parts for tests: a started test cloud (its database, its JobTokenBroker
 * and ID-token endpoint), real bare repositories from GitRepositories, in-memory git tokens, and
 * a working tree per repository that commits files and pushes them by path, then reports the
 * push to the runner as the git hosting would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { GitRepositories, InMemoryGitAccessTokens, ZERO_SHA } from '../../src/git/index.js';
import { Runner, type RunnerDeps, type RunEvent, type RunRecord } from '../../src/runner/index.js';
import { RepoSettings } from '../../src/runner/settings.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const run = promisify(execFile);

/** The repository root (dist/test/runner → ../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Mona Lisa',
  GIT_AUTHOR_EMAIL: 'mona@example.com',
  GIT_COMMITTER_NAME: 'Mona Lisa',
  GIT_COMMITTER_EMAIL: 'mona@example.com',
};

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: GIT_ENV });
  return stdout.trim();
}

export interface Pushed {
  sha: string;
  before: string;
  runs: RunRecord[];
}

export interface Harness {
  cloud: TestCloud;
  runner: Runner;
  repos: GitRepositories;
  tokens: InMemoryGitAccessTokens;
  settings: RepoSettings;
  dataDir: string;
  builtinDir: string;
  /** Commits `files` (path → content; null deletes) to `branch` of `repository` and reports the push. */
  push(
    repository: string,
    files: Record<string, string | null>,
    options?: { branch?: string; message?: string; tag?: string },
  ): Promise<Pushed>;
  /** Collects every event of a run from now on. */
  record(runId: number): RunEvent[];
  stop(): Promise<void>;
}

export async function startHarness(
  options: { builtinDir?: string; deps?: Partial<RunnerDeps> } = {},
): Promise<Harness> {
  const cloud = await startTestCloud();
  const root = mkdtempSync(join(tmpdir(), 'dockyard-runner-'));
  const dataDir = join(root, 'data');
  const builtinDir = options.builtinDir ?? join(root, 'builtin-actions');
  mkdirSync(builtinDir, { recursive: true });
  const repos = new GitRepositories({ root: join(root, 'git'), serverUrl: `${cloud.url}/git` });
  const tokens = new InMemoryGitAccessTokens();
  const clock = systemClock;
  const runner = new Runner({
    db: cloud.cloud.state.db,
    dataDir,
    repos,
    gitTokens: tokens,
    broker: cloud.cloud.broker,
    cloudUrl: cloud.url,
    region: cloud.region,
    builtinActionsDir: builtinDir,
    clock,
    logger: silentLogger,
    ...options.deps,
  });
  runner.start();
  const trees = new Map<string, string>();
  const harness: Harness = {
    cloud,
    runner,
    repos,
    tokens,
    settings: new RepoSettings(cloud.cloud.state.db),
    dataDir,
    builtinDir,
    async push(repository, files, pushOptions = {}) {
      const branch = pushOptions.branch ?? 'main';
      let tree = trees.get(repository);
      const { repository: hosted } = await repos.create(repository);
      if (tree === undefined) {
        tree = join(root, 'trees', repository);
        mkdirSync(tree, { recursive: true });
        await git(tree, ['init', '-q', '-b', branch]);
        trees.set(repository, tree);
      }
      const current = await git(tree, ['rev-parse', '--abbrev-ref', 'HEAD']).catch(() => branch);
      if (current !== branch) await git(tree, ['checkout', '-q', '-B', branch]);
      for (const [path, content] of Object.entries(files)) {
        const file = join(tree, path);
        if (content === null) rmSync(file, { force: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, content);
        }
      }
      await git(tree, ['add', '-A']);
      await git(tree, ['commit', '-q', '--allow-empty', '-m', pushOptions.message ?? 'change']);
      const sha = await git(tree, ['rev-parse', 'HEAD']);
      const ref = pushOptions.tag !== undefined ? `refs/tags/${pushOptions.tag}` : `refs/heads/${branch}`;
      const before = (await git(hosted.gitDir, ['rev-parse', '--verify', '--quiet', ref]).catch(() => '')) || ZERO_SHA;
      await git(tree, ['push', '-q', '--force', hosted.gitDir, `HEAD:${ref}`]);
      const runs = await runner.onPush({ repository, ref, before, after: sha, pusher: 'mona' });
      return { sha, before, runs };
    },
    record(runId) {
      const events: RunEvent[] = [];
      runner.watch(runId, (event) => events.push(event));
      return events;
    },
    async stop() {
      await runner.stop();
      await cloud.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A workflow file's content from lines (keeps tests readable). */
export function workflow(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Waits for a run and returns its detail. */
export async function finished(harness: Harness, runId: number) {
  await harness.runner.waitFor(runId);
  const detail = harness.runner.getRun(runId);
  if (detail === undefined) throw new Error(`run ${runId} vanished`);
  return detail;
}

/** A step printing the job's OIDC claims as `CLAIMS {…}` (vars.CORE_URL is @actions/core). */
export const PRINT_CLAIMS = [
  '      - env:',
  '          CORE_URL: ${{ vars.CORE_URL }}',
  '          SCRIPT: |',
  '            const core = await import(process.env.CORE_URL);',
  "            const token = await core.getIDToken('sts.amazonaws.com');",
  "            console.log('CLAIMS ' + Buffer.from(token.split('.')[1], 'base64url').toString());",
  '        run: node --input-type=module -e "$SCRIPT"',
];

/** The claims a PRINT_CLAIMS step printed in `log`. */
export function claimsIn(log: string): Record<string, unknown> {
  const line = /CLAIMS (\{.*\})/.exec(log)?.[1];
  assert.ok(line, log);
  return JSON.parse(line) as Record<string, unknown>;
}
