/**
 * Artifacts and caches end to end: a workflow pushed with git whose first job uploads with
 * actions/upload-artifact@v4 and whose second (needs:) downloads with
 * actions/download-artifact@v4, and a job whose actions/cache@v4 misses and saves on the first
 * push's run and hits on the second's. The built-in actions run GitHub's toolkit clients
 * against the cloud's results service; jobs run self-hosted (no engine needed).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestCloud, type TestCloud } from '../support/cloud.js';
import { finishedRun, pushFiles } from '../support/git-push.js';

const exec = promisify(execFile);
const REPOSITORY = 'acme/artifacts-e2e';

const WORKFLOW = `name: artifacts
on: push
jobs:
  build:
    runs-on: self-hosted
    steps:
      - run: |
          mkdir -p out/sub
          echo "built $GITHUB_SHA" > out/sub/result.txt
          head -c 3000000 /dev/urandom > out/blob.bin
          sha256sum out/blob.bin | cut -d' ' -f1 > out/blob.sha
      - id: up
        uses: actions/upload-artifact@v4
        with:
          name: build-out
          path: out/
          retention-days: 3
      - run: echo "UPLOADED id=\${{ steps.up.outputs.artifact-id }} digest=\${{ steps.up.outputs.artifact-digest }}"
      - uses: actions/upload-artifact@v4
        with:
          name: build-out
          path: out/
          overwrite: true
      - uses: actions/upload-artifact@v4
        with:
          name: build-notes
          path: |
            out/sub/*.txt
            !out/**/*.bin
      - uses: actions/upload-artifact@v4
        with:
          name: nothing
          path: no-such-dir/
          if-no-files-found: ignore
  use:
    needs: build
    runs-on: self-hosted
    steps:
      - id: down
        uses: actions/download-artifact@v4
        with:
          name: build-out
          path: got
      - run: |
          test "$(cat got/sub/result.txt)" = "built $GITHUB_SHA"
          test "$(sha256sum got/blob.bin | cut -d' ' -f1)" = "$(cat got/blob.sha)"
          echo "DOWNLOAD-OK \${{ steps.down.outputs.download-path }}"
      - uses: actions/download-artifact@v4
        with:
          pattern: build-*
          path: all
      - run: |
          test -f all/build-out/blob.bin && test "$(cat all/build-notes/result.txt)" = "built $GITHUB_SHA"
          test ! -e all/nothing && echo "PATTERN-OK $(ls all | tr '\\n' ' ')"
  cached:
    runs-on: self-hosted
    steps:
      - id: cache
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-\${{ runner.os }}-v1
          restore-keys: deps-
      - run: |
          echo "CACHE-HIT=\${{ steps.cache.outputs.cache-hit }}"
          if [ -f deps/made ]; then echo "RESTORED $(cat deps/made)"; else mkdir -p deps && echo "in run $GITHUB_RUN_NUMBER" > deps/made; fi
`;

describe('artifacts and caches in pushed workflows', () => {
  let cloud: TestCloud;
  let tree: string;

  before(async () => {
    // The built-in actions load the toolkit clients from the package's node_modules.
    createRequire(import.meta.url).resolve('@actions/artifact');
    cloud = await startTestCloud();
    tree = mkdtempSync(join(tmpdir(), 'dockyard-artifacts-e2e-'));
    await cloud.cloud.ci.repositories.create(REPOSITORY);
  });
  after(async () => {
    await cloud?.stop();
    rmSync(tree, { recursive: true, force: true });
  });

  it('passes an artifact from one job to the next and a cache from one run to the next', async () => {
    await pushFiles(cloud, tree, REPOSITORY, { '.github/workflows/artifacts.yml': WORKFLOW, 'README.md': 'one\n' });
    const first = await finishedRun(cloud.cloud.ci.runner, REPOSITORY);
    assert.equal(first.run.conclusion, 'success', first.log);
    assert.match(first.log, /UPLOADED id=\d+ digest=[0-9a-f]{64}/);
    assert.match(first.log, /DOWNLOAD-OK \S+\/got/);
    assert.match(first.log, /PATTERN-OK build-notes build-out/);
    assert.match(first.log, /No files were found with the provided path: no-such-dir\//);
    assert.match(first.log, /CACHE-HIT=\s*$/m);
    assert.match(first.log, /Cache saved with key: deps-Linux-v1/);
    assert.doesNotMatch(first.log, /RESTORED in run/);

    // The second push's run: the cache of the first is restored (an exact hit), not saved again.
    writeFileSync(join(tree, 'README.md'), 'two\n');
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'Mona',
      GIT_AUTHOR_EMAIL: 'm@example.com',
      GIT_COMMITTER_NAME: 'Mona',
      GIT_COMMITTER_EMAIL: 'm@example.com',
    };
    await exec('git', ['commit', '-qam', 'two'], { cwd: tree, env });
    const remote = `http://${cloud.admin.accessKeyId}:${encodeURIComponent(cloud.admin.secretAccessKey)}@127.0.0.1:${cloud.port}/git/${REPOSITORY}.git`;
    await exec('git', ['push', '-q', remote, 'HEAD:refs/heads/main'], { cwd: tree, env, timeout: 300_000 });
    const second = await finishedRun(cloud.cloud.ci.runner, REPOSITORY);
    assert.notEqual(second.run.id, first.run.id);
    assert.equal(second.run.conclusion, 'success', second.log);
    assert.match(second.log, /CACHE-HIT=true/);
    assert.match(second.log, new RegExp(`RESTORED in run ${first.run.runNumber}`));
    assert.match(second.log, /Cache hit occurred on the primary key deps-Linux-v1, not saving cache/);
    // Each run sees its own artifact only: the second run's download got the second build.
    assert.match(second.log, /DOWNLOAD-OK/);
  });
});
