/**
 * Actions resolved from an actions server, as GitHub's runner resolves them, against dockyard's
 * own git hosting (a second test cloud) serving action repositories: by tag, branch and full
 * SHA, downloaded once and kept by commit; a composite action from another repository whose
 * steps use a remote action; then, with that server stopped, the same workflow from the action
 * cache (tags and branches with a notice); GitHub's refusals (short SHA, unknown version,
 * unknown repository); bounded downloads (a pack past the limit, a link out of the tree); a
 * built-in action answering a SHA pin of a release it mirrors; and, the server back, a branch
 * resolved again to where it moved while a tag stays on the commit it named.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ActionServerChoice } from '../../src/runner/actions/action-server.js';
import { DownloadedActions } from '../../src/runner/actions/downloaded-actions.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { finished, REPO_ROOT, startHarness, workflow, type Harness } from './support.js';

const run = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Octo Cat',
  GIT_AUTHOR_EMAIL: 'octo@example.com',
  GIT_COMMITTER_NAME: 'Octo Cat',
  GIT_COMMITTER_EMAIL: 'octo@example.com',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd, env: GIT_ENV })).stdout.trim();
}

/** A JavaScript action that greets INPUT_WHO, saying which version it is. */
function helloAction(version: string): Record<string, string> {
  return {
    'action.yml': workflow(
      'name: Hello',
      'inputs:',
      '  who:',
      '    default: world',
      'outputs:',
      '  greeting: {}',
      'runs:',
      '  using: node20',
      '  main: index.js',
    ),
    'index.js': `const fs = require('node:fs');
const greeting = 'hello ' + process.env.INPUT_WHO + ' from ${version}';
console.log(greeting + ' at ' + process.env.GITHUB_ACTION_REPOSITORY + '@' + process.env.GITHUB_ACTION_REF);
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=' + greeting + '\\n');
`,
  };
}

/** A composite action whose steps use the JavaScript action from its own repository. */
const COMPOSITE = {
  'action.yml': workflow(
    'name: Composite',
    'inputs:',
    '  who:',
    '    default: composite',
    'outputs:',
    '  greeting:',
    '    value: ${{ steps.hello.outputs.greeting }}',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - id: hello',
    '      uses: acme/hello-action@v1',
    '      with:',
    '        who: ${{ inputs.who }}',
    '    - shell: bash',
    '      run: echo "composite ran in $(basename "$(dirname "$GITHUB_ACTION_PATH")")"',
  ),
};

/** Action repositories on the server cloud, built in working trees and pushed to its bare repositories. */
class ActionRepositories {
  private readonly root = mkdtempSync(join(tmpdir(), 'dockyard-action-repos-'));

  constructor(private readonly server: () => TestCloud) {}

  /** Commits `files` on `branch` (tagging it with an annotated `tag`), pushes, and returns the commit. */
  async commit(
    repository: string,
    files: Record<string, string>,
    options: { branch?: string; tag?: string; link?: { path: string; target: string } } = {},
  ): Promise<string> {
    const tree = join(this.root, repository);
    const { repository: hosted } = await this.server().cloud.ci.repositories.create(repository);
    if (!existsSync(tree)) {
      mkdirSync(tree, { recursive: true });
      await git(tree, 'init', '-q', '-b', 'main');
    }
    await git(tree, 'checkout', '-q', '-B', options.branch ?? 'main');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), content);
    }
    if (options.link) symlinkSync(options.link.target, join(tree, options.link.path));
    await git(tree, 'add', '-A');
    await git(tree, 'commit', '-q', '-m', `change ${Object.keys(files).join(', ')}`);
    const refs = [`HEAD:refs/heads/${options.branch ?? 'main'}`];
    if (options.tag) {
      await git(tree, 'tag', '-a', '-f', '-m', options.tag, options.tag);
      refs.push(`+refs/tags/${options.tag}:refs/tags/${options.tag}`);
    }
    await git(tree, 'push', '-q', '--force', hosted.gitDir, ...refs);
    return git(tree, 'rev-parse', 'HEAD');
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

describe('runner: actions from an actions server (dockyard git hosting)', () => {
  let server: TestCloud;
  let repos: ActionRepositories;
  let h: Harness;
  let choice: ActionServerChoice;
  const shas: Record<string, string> = {};

  const serverData = mkdtempSync(join(tmpdir(), 'dockyard-actions-server-'));

  before(async () => {
    server = await startTestCloud({ dataDir: serverData });
    repos = new ActionRepositories(() => server);
    // v1 also holds a second action in a sub-directory (`uses: acme/hello-action/nested@v1`).
    const nested = Object.fromEntries(
      Object.entries(helloAction('nested one')).map(([path, content]) => [`nested/${path}`, content]),
    );
    shas.v1 = await repos.commit('acme/hello-action', { ...helloAction('one'), ...nested }, { tag: 'v1' });
    shas.main = await repos.commit('acme/hello-action', helloAction('two'));
    shas.composite = await repos.commit('acme/composite', COMPOSITE, { tag: 'v1' });
    // 3 MB that does not compress: past the 1 MB bound on a download this test sets.
    shas.huge = await repos.commit(
      'acme/huge-action',
      { ...helloAction('huge'), 'blob.bin': randomText(3_000_000) },
      { tag: 'v1' },
    );
    shas.linked = await repos.commit('acme/linked-action', helloAction('linked'), {
      tag: 'v1',
      link: { path: 'secrets', target: '/etc/passwd' },
    });
    const token = `${server.admin.accessKeyId}:${server.admin.secretAccessKey}`;
    choice = { server: { url: server.url, token }, source: 'flag' };
    h = await startHarness({
      builtinDir: join(REPO_ROOT, 'builtin-actions'),
      deps: { actionServer: () => choice, actionDownloads: { limits: { maxPackBytes: 1_000_000 } } },
    });
  });
  after(async () => {
    await h.stop();
    await server.stop().catch(() => undefined);
    repos.dispose();
    rmSync(serverData, { recursive: true, force: true });
  });

  const resolveWorkflow = () =>
    workflow(
      'on: push',
      'jobs:',
      '  resolve:',
      '    runs-on: self-hosted',
      '    steps:',
      '      - id: tag',
      '        uses: acme/hello-action@v1',
      '        with:',
      '          who: tag',
      '      - id: branch',
      '        uses: acme/hello-action@main',
      '        with:',
      '          who: branch',
      '      - id: sha',
      `        uses: acme/hello-action@${shas.v1}`,
      '        with:',
      '          who: sha',
      '      - id: composite',
      '        uses: acme/composite@v1',
      '      - uses: acme/hello-action/nested@v1',
      '      - run: echo "got [${{ steps.tag.outputs.greeting }}] [${{ steps.branch.outputs.greeting }}] [${{ steps.sha.outputs.greeting }}] [${{ steps.composite.outputs.greeting }}]"',
    );

  it('resolves by tag, branch and full SHA, downloads each commit once, and resolves a composite action and the action its steps use', async () => {
    const { runs } = await h.push('me/app', { '.github/workflows/ci.yml': resolveWorkflow() });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id);
    assert.equal(detail.conclusion, 'success', log);
    assert.match(
      log,
      /got \[hello tag from one\] \[hello branch from two\] \[hello sha from one\] \[hello composite from one\]/,
    );
    assert.match(log, new RegExp(`hello tag from one at acme/hello-action@v1`));
    assert.match(log, new RegExp(`hello sha from one at acme/hello-action@${shas.v1}`));
    // GitHub's line, once per commit: the SHA pin and the composite's v1 find v1's commit already downloaded.
    assert.equal(count(log, `Download action repository 'acme/hello-action@v1' (SHA:${shas.v1})`), 1, log);
    assert.equal(count(log, `Download action repository 'acme/hello-action@main' (SHA:${shas.main})`), 1, log);
    assert.equal(count(log, `Download action repository 'acme/composite@v1' (SHA:${shas.composite})`), 1, log);
    assert.equal(count(log, 'Download action repository'), 3, log);
    assert.match(log, /composite ran in composite/);
    // Downloaded within "Set up job", as GitHub's runner downloads them (the composite's own uses: when it runs).
    const setUp = log.slice(log.indexOf('##[group]Set up job'), log.indexOf('##[group]Run '));
    assert.match(
      setUp,
      /Prepare all required actions\n.*Getting action download info\n.*Download action repository 'acme\/hello-action@v1'[\s\S]*##\[endgroup\]\n[^\n]*$/,
    );
    assert.match(log, /hello world from nested one at acme\/hello-action@v1/);

    const downloads = new DownloadedActions(join(h.dataDir, 'actions'));
    assert.deepEqual(
      downloads
        .refRecords('acme/hello-action')
        .map((record) => [record.ref, record.kind, record.sha, record.server])
        .sort(),
      [
        ['main', 'branch', shas.main, server.url],
        ['v1', 'tag', shas.v1, server.url],
      ],
    );
    assert.deepEqual(
      downloads
        .commits()
        .map((commit) => `${commit.repository}@${commit.sha}`)
        .sort(),
      [`acme/composite@${shas.composite}`, `acme/hello-action@${shas.main}`, `acme/hello-action@${shas.v1}`].sort(),
    );
    // The token never reaches the log.
    assert.ok(!log.includes(server.admin.secretAccessKey));
  });

  it("refuses a short SHA with GitHub's message, an unknown version, an unknown repository, an oversized download and a link out of the tree", async () => {
    const short = shas.v1?.slice(0, 7) ?? '';
    const { runs } = await h.push('me/refusals', {
      '.github/workflows/ci.yml': workflow(
        'on: push',
        'jobs:',
        ...['short', 'version', 'repository', 'huge', 'linked'].flatMap((job) => [
          `  ${job}:`,
          '    runs-on: self-hosted',
          '    steps:',
          `      - uses: ${{ short: `acme/hello-action@${short}`, version: 'acme/hello-action@v9', repository: 'acme/nothing@v1', huge: 'acme/huge-action@v1', linked: 'acme/linked-action@v1' }[job]}`,
        ]),
      ),
    });
    const detail = await finished(h, runs[0]?.id ?? 0);
    assert.equal(detail.conclusion, 'failure');
    const logOf = (job: string) => h.runner.readLog(detail.id, { job });
    assert.match(
      logOf('short'),
      new RegExp(
        escape(
          `Unable to resolve action \`acme/hello-action@${short}\`, the provided ref \`${short}\` is the shortened version of a commit SHA, which is not supported. Please use the full commit SHA \`${shas.v1}\` instead.`,
        ),
      ),
    );
    assert.match(
      logOf('version'),
      new RegExp(escape('Unable to resolve action `acme/hello-action@v9`, unable to find version `v9`')),
    );
    assert.match(
      logOf('repository'),
      new RegExp(escape('Unable to resolve action `acme/nothing@v1`, repository not found')),
    );
    assert.match(
      logOf('huge'),
      new RegExp(
        escape(
          `Unable to resolve action \`acme/huge-action@v1\`: the download of acme/huge-action@${shas.huge} is larger than 1.0 MB`,
        ),
      ),
    );
    assert.match(
      logOf('linked'),
      /Unable to resolve action `acme\/linked-action@v1`: .* holds a symbolic link that leads out of the repository \(secrets → \/etc\/passwd\)/,
    );
    // Resolved once per job (at set-up, as GitHub does); the failing step reports the same error without a second download.
    assert.equal(count(logOf('huge'), 'Download action repository'), 1);
    const downloads = new DownloadedActions(join(h.dataDir, 'actions'));
    assert.equal(
      downloads
        .commits()
        .some((commit) => commit.repository !== 'acme/hello-action' && commit.repository !== 'acme/composite'),
      false,
      'nothing refused is kept',
    );
    assert.deepEqual(
      readdirIfAny(join(h.dataDir, 'actions', '.downloads')),
      [],
      'no download directory is left behind',
    );
  });

  it('with the server stopped, runs the same workflow from the action cache (tags and branches with a notice), and a built-in answers a SHA pin of a release it mirrors', async () => {
    await server.stop();
    const v402 = (
      JSON.parse(
        readFileSync(join(REPO_ROOT, 'builtin-actions/aws-actions/configure-aws-credentials/v4/releases.json'), 'utf8'),
      ) as { releases: Record<string, string> }
    ).releases['v4.0.2'];
    assert.match(v402 ?? '', /^[0-9a-f]{40}$/);
    const { runs } = await h.push('me/app', {
      '.github/workflows/pinned.yml': workflow(
        'on: push',
        'jobs:',
        '  pinned:',
        '    runs-on: self-hosted',
        '    steps:',
        `      - uses: aws-actions/configure-aws-credentials@${v402}`,
        '        continue-on-error: true',
        '        with:',
        '          aws-region: not a region',
        '      - uses: acme/never-seen@v1',
      ),
    });
    const byFile = (file: string) => finished(h, runs.find((r) => r.workflowFile.endsWith(file))?.id ?? 0);
    const [main, pinned] = await Promise.all([byFile('ci.yml'), byFile('pinned.yml')]);
    const log = h.runner.readLog(main.id);
    assert.equal(main.conclusion, 'success', log);
    assert.match(
      log,
      /got \[hello tag from one\] \[hello branch from two\] \[hello sha from one\] \[hello composite from one\]/,
    );
    assert.equal(count(log, 'Download action repository'), 0, log);
    assert.doesNotMatch(
      log + h.runner.readLog(pinned.id),
      /unable to access/,
      'the reason names no repository (the first one to fail is not the one resolved)',
    );
    assert.match(
      log,
      new RegExp(
        escape(`##[notice]The actions server ${server.url} could not be reached (Failed to connect to 127.0.0.1 port`),
      ),
    );
    assert.match(
      log,
      new RegExp(`using 'acme/hello-action@v1' \\(SHA:${shas.v1}\\) as resolved .* UTC, from the action cache\\n`),
    );
    assert.match(
      log,
      new RegExp(
        `using 'acme/hello-action@main' \\(SHA:${shas.main}\\) as resolved .* UTC, from the action cache; the branch may have moved since`,
      ),
    );
    assert.match(
      log,
      new RegExp(escape(`Use action repository 'acme/hello-action@${shas.v1}' (SHA:${shas.v1}) from the action cache`)),
    );
    assert.ok(main.annotations.some((a) => a.level === 'notice' && a.message.includes("using 'acme/hello-action@v1'")));

    const pinnedLog = h.runner.readLog(pinned.id);
    assert.equal(
      count(pinnedLog, 'Download action repository'),
      0,
      'nothing is said to be downloaded from an unreachable server',
    );
    assert.match(
      pinnedLog,
      new RegExp(
        escape(
          `Use dockyard's built-in action 'aws-actions/configure-aws-credentials@v4', which mirrors v4.0.2 (SHA:${v402}) (the actions server ${server.url} could not be reached`,
        ),
      ),
    );
    // The built-in's own code ran (its region check), as the real v4.0.2 would have.
    assert.match(pinnedLog, /Region is not valid: not a region/);
    assert.match(
      pinnedLog,
      new RegExp(
        escape(
          `Unable to resolve action \`acme/never-seen@v1\`: the actions server ${server.url} could not be reached (`,
        ),
      ),
    );
    assert.match(
      pinnedLog,
      /and dockyard has no copy of it\. Add one with `dockyard actions add acme\/never-seen@v1 DIR`/,
    );
  });

  it('once the server is back, resolves a branch again (it moved) while the tag stays on its commit', async () => {
    const port = Number(new URL(server.url).port);
    server = await startTestCloud({ dataDir: serverData, port });
    shas.moved = await repos.commit('acme/hello-action', helloAction('three'));
    const { runs } = await h.push('me/app', { '.github/workflows/pinned.yml': null });
    const detail = await finished(h, runs[0]?.id ?? 0);
    const log = h.runner.readLog(detail.id);
    assert.equal(detail.conclusion, 'success', log);
    assert.match(
      log,
      /got \[hello tag from one\] \[hello branch from three\] \[hello sha from one\] \[hello composite from one\]/,
    );
    assert.equal(count(log, `Download action repository 'acme/hello-action@main' (SHA:${shas.moved})`), 1, log);
    assert.equal(count(log, 'Download action repository'), 1, 'the tag and the SHA pin are already in the cache');
    assert.doesNotMatch(log, /##\[notice\]/);
    const downloads = new DownloadedActions(join(h.dataDir, 'actions'));
    assert.equal(downloads.refRecord('acme/hello-action', 'main')?.sha, shas.moved);
  });

  it("resolves an action of a repository this cloud hosts from its own hosting, the actions server not asked (a tag, a branch; a version it lacks fails as GitHub's)", async () => {
    const saved = choice;
    choice = { server: undefined, source: 'flag' };
    try {
      await h.push('team/shared-actions', helloAction('hosted v1'), { tag: 'v1' });
      await h.push('team/shared-actions', helloAction('hosted main'));
      const { runs } = await h.push('me/uses-hosted', {
        '.github/workflows/ci.yml': workflow(
          'on: push',
          'jobs:',
          '  hosted:',
          '    runs-on: self-hosted',
          '    steps:',
          '      - uses: team/shared-actions@v1',
          '        with:',
          '          who: tag',
          '      - uses: team/shared-actions@main',
          '        with:',
          '          who: branch',
          '      - uses: team/shared-actions@v9',
        ),
      });
      const detail = await finished(h, runs[0]?.id ?? 0);
      const log = h.runner.readLog(detail.id);
      assert.equal(detail.conclusion, 'failure', log);
      assert.match(log, /hello tag from hosted v1 at team\/shared-actions@v1/);
      assert.match(log, /hello branch from hosted main at team\/shared-actions@main/);
      assert.match(log, /Download action repository 'team\/shared-actions@v1' \(SHA:[0-9a-f]{40}\)/);
      assert.match(log, /Unable to resolve action `team\/shared-actions@v9`, unable to find version `v9`/);
      assert.doesNotMatch(log, /resolution is offline/);
    } finally {
      choice = saved;
    }
  });
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readdirIfAny(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Text that does not compress (a pack keeps it at about its size). */
function randomText(bytes: number): string {
  return randomBytes(Math.ceil(bytes / 2))
    .toString('hex')
    .slice(0, bytes);
}
