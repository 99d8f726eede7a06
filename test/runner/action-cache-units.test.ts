/**
 * The pieces of action resolution that need no server: the actions server setting (the token
 * stays with its URL), the bound on downloaded actions (least recently used first, never one in
 * use), how git's failures are told apart, and the built-ins' answers to refs and SHA pins.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ActionServerSettingError,
  checkActionsUrl,
  DEFAULT_ACTIONS_URL,
  parseActionsUrlFlag,
} from '../../src/runner/actions/action-server.js';
import { ActionServerSettings } from '../../src/runner/actions/action-server-settings.js';
import { BuiltinActions } from '../../src/runner/actions/builtin-actions.js';
import { ActionCacheFullError, DownloadedActions } from '../../src/runner/actions/downloaded-actions.js';
import { classifyGitFailure } from '../../src/runner/actions/remote-repository.js';
import { ActionResolver } from '../../src/runner/actions/resolve.js';
import { ActionCache } from '../../src/runner/action-cache.js';
import { createServer, type Socket } from 'node:net';
import { openDatabase } from '../../src/store/database.js';
import { REPO_ROOT } from './support.js';

const root = mkdtempSync(join(tmpdir(), 'dockyard-action-cache-units-'));

describe('action resolution units', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('the actions server setting: github.com by default, a token kept with its URL only, off, one start’s override', () => {
    const db = openDatabase(':memory:');
    const settings = new ActionServerSettings(db);
    assert.deepEqual(settings.current(), { server: { url: DEFAULT_ACTIONS_URL }, source: 'default' });
    settings.set('https://ghe.example.com/', 'ghp_secret');
    assert.deepEqual(settings.current(), {
      server: { url: 'https://ghe.example.com', token: 'ghp_secret' },
      source: 'setting',
    });
    assert.deepEqual(settings.describe(), { url: 'https://ghe.example.com', hasToken: true, source: 'setting' });
    settings.set('https://ghe.example.com');
    assert.equal(settings.current().server?.token, 'ghp_secret', 'the same URL keeps its token');
    // One start's --actions-url gets the kept token only when it is the same server.
    assert.equal(new ActionServerSettings(db, 'https://ghe.example.com').current().server?.token, 'ghp_secret');
    assert.deepEqual(new ActionServerSettings(db, 'https://gitea.example.com').current(), {
      server: { url: 'https://gitea.example.com' },
      source: 'flag',
    });
    assert.deepEqual(new ActionServerSettings(db, 'off').current(), { server: undefined, source: 'flag' });
    settings.set('https://gitea.example.com');
    assert.equal(settings.current().server?.token, undefined, 'another URL drops the token');
    settings.turnOff();
    assert.deepEqual(settings.current(), { server: undefined, source: 'setting' });
    settings.reset();
    assert.equal(settings.current().source, 'default');

    assert.throws(() => checkActionsUrl('git@github.com:acme/x'), /is not a URL/);
    assert.throws(() => checkActionsUrl('https://x.example.com/?a=1'), /takes no query or fragment/);
    assert.throws(() => settings.set('https://x.example.com', 'two words'), ActionServerSettingError);
    assert.throws(() => settings.set('https://x.example.com', ''), /The token is empty/);
    assert.equal(parseActionsUrlFlag(' OFF '), 'off');
    assert.equal(checkActionsUrl('http://localhost:4566/git/'), 'http://localhost:4566/git');
  });

  it('bounds the downloaded actions: least recently used first, never one used in the last 6 hours', () => {
    const dir = join(root, 'bounded');
    let now = new Date('2025-01-01T00:00:00Z');
    const downloads = new DownloadedActions(dir, () => now, 1000);
    const install = (repository: string, sha: string, bytes: number) => {
      const tree = join(downloads.newDownloadDir(), 'tree');
      mkdirSync(tree);
      writeFileSync(join(tree, 'action.yml'), 'runs: {using: node20, main: x.js}\n');
      downloads.makeRoom(bytes);
      downloads.install(repository, sha, tree, { server: 'http://server', bytes, entries: 1 });
    };
    const sha = (n: number) => String(n).repeat(40);
    install('acme/a', sha(1), 400);
    install('acme/b', sha(2), 400);
    // Both used long ago; a's use is the older one.
    const usedAt = (repository: string, commit: string, date: string) =>
      utimesSync(join(dir, repository, '.commits', `${commit}.json`), new Date(date), new Date(date));
    usedAt('acme/a', sha(1), '2025-01-01T01:00:00Z');
    usedAt('acme/b', sha(2), '2025-01-01T02:00:00Z');
    now = new Date('2025-01-02T00:00:00Z');
    install('acme/c', sha(3), 400);
    assert.deepEqual(
      downloads
        .commits()
        .map((c) => c.repository)
        .sort(),
      ['acme/b', 'acme/c'],
      'the least recently used went',
    );
    // c was just used: nothing can go, so a download that does not fit is refused.
    downloads.cachedCommit('acme/b', sha(2));
    assert.throws(
      () => downloads.makeRoom(400),
      (error: unknown) => error instanceof ActionCacheFullError && /holds 800 kB|holds 1 kB/.test(error.message),
    );
  });

  it('a server that lets the call run out of time is asked once, not by every job after it', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const cache = new ActionCache(join(root, 'silent-cache'));
      const resolver = new ActionResolver({
        cache,
        downloads: new DownloadedActions(cache.dir),
        builtins: new BuiltinActions(join(REPO_ROOT, 'builtin-actions')),
        server: () => ({ server: { url }, source: 'flag' }),
        limits: { lsRemoteTimeoutMs: 1000 },
        now: () => new Date(),
      });
      const job = () => {
        const lines: string[] = [];
        return {
          lines,
          context: {
            workspace: root,
            session: {},
            log: (line: string) => lines.push(line),
            notice: (line: string) => lines.push(line),
          },
        };
      };
      const first = job();
      assert.equal((await resolver.resolve('actions/checkout@v4', first.context)).source, 'builtin');
      assert.match(
        first.lines.join('\n'),
        new RegExp(
          `Use dockyard's built-in action 'actions/checkout@v4' \\(the actions server ${url} could not be reached: git ls-remote did not finish within 1 s\\)`,
        ),
      );
      const connections = held.length;
      assert.ok(connections >= 1, 'git asked the server');
      const second = job();
      assert.equal((await resolver.resolve('aws-actions/amazon-ecr-login@v2', second.context)).source, 'builtin');
      assert.match(
        second.lines.join('\n'),
        /could not be reached: git ls-remote did not finish within 1 s; not asked again until \d\d:\d\d:\d\d UTC\)/,
      );
      assert.equal(held.length, connections, 'the next job did not ask');
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it("tells git's failures apart: unreachable, no repository, credentials, no such commit", () => {
    assert.equal(
      classifyGitFailure("fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com\n")
        .kind,
      'unreachable',
    );
    assert.equal(
      classifyGitFailure("fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com\n")
        .message,
      'Could not resolve host: github.com',
    );
    assert.equal(
      classifyGitFailure("remote: Repository not found.\nfatal: repository 'https://github.com/a/b/' not found\n").kind,
      'repository-not-found',
    );
    assert.equal(
      classifyGitFailure("fatal: could not read Username for 'https://github.com': terminal prompts disabled\n").kind,
      'credentials',
    );
    assert.equal(
      classifyGitFailure('fatal: remote error: upload-pack: not our ref 1234567890123456789012345678901234567890\n')
        .kind,
      'commit-not-found',
    );
    assert.equal(
      classifyGitFailure("fatal: unable to access 'https://ghe/a/b/': The requested URL returned error: 502\n").kind,
      'unreachable',
    );
  });

  it('the built-ins answer a ref by name or major, and a full SHA of a release they mirror', () => {
    const builtins = new BuiltinActions(join(REPO_ROOT, 'builtin-actions'));
    const repository = 'aws-actions/configure-aws-credentials';
    assert.equal(builtins.find(repository, '', 'v4.2.1')?.version, 'v4');
    const releases = builtins.releasesOf(repository, 'v4')?.releases ?? {};
    const v402 = releases['v4.0.2'] ?? '';
    assert.deepEqual(builtins.find(repository, '', v402.toUpperCase()), {
      dir: join(REPO_ROOT, 'builtin-actions', repository, 'v4'),
      version: 'v4',
      release: 'v4.0.2',
    });
    assert.equal(builtins.find(repository, '', '0'.repeat(40)), undefined);
    assert.deepEqual(builtins.shasWithPrefix(repository, v402.slice(0, 7)), [v402]);
    // A tag that is no release: the old default branch's name, kept as a tag at v2.0.0's successor.
    assert.deepEqual(builtins.find(repository, '', 'master'), {
      dir: join(REPO_ROOT, 'builtin-actions', repository, 'v2'),
      version: 'v2',
      release: 'master',
    });
    // A commit tagged both as a release and otherwise is named by its release.
    const v622 = builtins.releasesOf(repository, 'v6')?.releases['v6.2.2'] ?? '';
    assert.equal(builtins.find(repository, '', v622)?.release, 'v6.2.2');
    // Every releases.json names its repository and only full SHAs of vX.Y.Z tags of its own major.
    for (const spec of builtins.list()) {
      const [name = '', version = ''] = spec.split('@');
      const file = builtins.releasesOf(name, version);
      if (file === undefined) continue;
      assert.equal(file.repository, name);
      for (const [tag, commit] of Object.entries(file.releases)) {
        assert.match(tag, new RegExp(`^${version}\\.\\d+\\.\\d+$`), spec);
        assert.match(commit, /^[0-9a-f]{40}$/, `${spec} ${tag}`);
      }
      for (const commit of Object.values(file.otherTags ?? {})) assert.match(commit, /^[0-9a-f]{40}$/, spec);
    }
  });
});
