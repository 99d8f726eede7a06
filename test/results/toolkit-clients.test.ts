/**
 * The results service against GitHub's own clients: @actions/artifact (2.x, what
 * upload-artifact@v4 and download-artifact@v4 bundle) and @actions/cache (4.x, actions/cache@v4),
 * each run in a process of its own with a job's variables, against a real cloud. Then what the
 * clients never do: another repository's job, a stale or forged URL, a range read, retention.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/core/clock.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const child = join(here, 'toolkit-child.js');
// Until the clients are devDependencies, a private install (npm install --prefix .deps) serves.
const privateDeps = join(root, '.deps', 'package.json');
const toolkitFrom = existsSync(join(root, '.deps', 'node_modules', '@actions', 'artifact'))
  ? privateDeps
  : join(root, 'package.json');

interface Job {
  variables: Record<string, string>;
  token: string;
  revoke(): void;
}

function runClient(
  job: Job,
  workspace: string,
  ...args: string[]
): Promise<{ ok: boolean; value: unknown; log: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: workspace,
    RUNNER_TEMP: join(workspace, '_temp'),
    GITHUB_WORKSPACE: workspace,
    TOOLKIT_FROM: toolkitFrom,
    ...job.variables,
  };
  mkdirSync(env.RUNNER_TEMP ?? '', { recursive: true });
  return new Promise((done) => {
    execFile(
      process.execPath,
      [child, ...args],
      { env, cwd: workspace, timeout: 120_000 },
      (_error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR ')) ?? '';
        const ok = line.startsWith('RESULT ');
        done({
          ok,
          value: line === '' ? undefined : JSON.parse(line.slice(line.indexOf(' ') + 1)),
          log: stdout + stderr,
        });
      },
    );
  });
}

async function twirp(cloud: TestCloud, job: Job | string, service: string, method: string, body: object) {
  const token = typeof job === 'string' ? job : job.token;
  const response = await fetch(`${cloud.url}/twirp/github.actions.results.api.v1.${service}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The backend ids the artifact client reads from the token's `scp`. */
function backendIds(job: Job): { workflow_run_backend_id: string; workflow_job_run_backend_id: string } {
  const claims = JSON.parse(Buffer.from(job.token.split('.')[1] ?? '', 'base64url').toString()) as { scp: string };
  const scope = claims.scp.split(' ').find((s) => s.startsWith('Actions.Results:')) ?? '';
  const [, run = '', jobId = ''] = scope.split(':');
  return { workflow_run_backend_id: run, workflow_job_run_backend_id: jobId };
}

describe('results service with the toolkit clients', () => {
  // The artifact client computes expires_at from the real time; the clock starts there and then moves.
  const clock = new ManualClock(Date.now());
  let cloud: TestCloud;
  let work: string;
  const register = (repository: string, runId: number, ref = 'refs/heads/main'): Job =>
    cloud.cloud.ci.results.registerJob({ repository, runId, ref, defaultBranch: 'main' });

  before(async () => {
    cloud = await startTestCloud({ clock });
    work = mkdtempSync(join(tmpdir(), 'dockyard-results-'));
  });
  after(async () => {
    await cloud?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives a job the variables a hosted runner sets, with a JWT the client can read', () => {
    const job = register('acme/app', 1);
    assert.equal(job.variables.ACTIONS_RESULTS_URL, `${cloud.url}/`);
    assert.equal(job.variables.ACTIONS_CACHE_URL, `${cloud.url}/`);
    assert.equal(job.variables.ACTIONS_CACHE_SERVICE_V2, 'True');
    assert.equal(job.variables.ACTIONS_RUNTIME_TOKEN, job.token);
    const ids = backendIds(job);
    assert.match(ids.workflow_run_backend_id, /^[0-9a-f-]{36}$/);
    assert.equal(backendIds(register('acme/app', 1)).workflow_run_backend_id, ids.workflow_run_backend_id);
    job.revoke();
  });

  it('uploads in one job and downloads in another of the same run, byte for byte', async () => {
    const src = join(work, 'job1');
    mkdirSync(join(src, 'out', 'nested'), { recursive: true });
    // More than one 8 MiB upload chunk, so Put Block is used several times before Put Block List.
    const big = Buffer.alloc(9 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    writeFileSync(join(src, 'out', 'big.bin'), big);
    writeFileSync(join(src, 'out', 'nested', 'hello.txt'), 'hello from job 1\n');
    const job1 = register('acme/app', 7);
    const upload = await runClient(
      job1,
      src,
      'artifact-upload',
      'build-output',
      join(src, 'out'),
      '5',
      join(src, 'out', 'big.bin'),
      join(src, 'out', 'nested', 'hello.txt'),
    );
    assert.ok(upload.ok, upload.log);
    const uploaded = upload.value as { id: number; size: number; digest: string };
    assert.ok(uploaded.id > 0 && uploaded.size > 0, upload.log);

    const again = await runClient(
      job1,
      src,
      'artifact-upload',
      'build-output',
      join(src, 'out'),
      '-',
      join(src, 'out', 'nested', 'hello.txt'),
    );
    assert.equal(again.ok, false);
    assert.match(again.log, /409/);

    const job2 = register('acme/app', 7);
    const dst = join(work, 'job2');
    mkdirSync(dst, { recursive: true });
    const list = await runClient(job2, dst, 'artifact-list');
    assert.ok(list.ok, list.log);
    const { artifacts } = list.value as { artifacts: { id: number; name: string; size: number; digest?: string }[] };
    assert.deepEqual(
      artifacts.map((a) => [a.id, a.name, a.size]),
      [[uploaded.id, 'build-output', uploaded.size]],
    );
    assert.equal(artifacts[0]?.digest, `sha256:${uploaded.digest}`);

    const download = await runClient(job2, dst, 'artifact-download', 'build-output', join(dst, 'got'));
    assert.ok(download.ok, download.log);
    assert.deepEqual(readFileSync(join(dst, 'got', 'big.bin')), big);
    assert.equal(readFileSync(join(dst, 'got', 'nested', 'hello.txt'), 'utf8'), 'hello from job 1\n');

    // Another run of the repository, and another repository, see none of it.
    for (const other of [register('acme/app', 8), register('evil/app', 7)]) {
      const theirs = await runClient(other, dst, 'artifact-list');
      assert.deepEqual((theirs.value as { artifacts: unknown[] }).artifacts, [], theirs.log);
      const sneaky = await twirp(cloud, other, 'ArtifactService', 'GetSignedArtifactURL', {
        ...backendIds(job1),
        name: 'build-output',
      });
      assert.equal(sneaky.status, 403);
      assert.equal(sneaky.body.code, 'permission_denied');
    }

    // Deleting frees the name.
    const deleted = await runClient(job2, dst, 'artifact-delete', 'build-output');
    assert.ok(deleted.ok, deleted.log);
    const after = await runClient(job2, dst, 'artifact-list');
    assert.deepEqual((after.value as { artifacts: unknown[] }).artifacts, []);
    for (const job of [job1, job2]) job.revoke();
  });

  it('signs blob URLs for one blob, one permission, until they expire', async () => {
    const src = join(work, 'signed');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'x'.repeat(1000));
    const job = register('acme/app', 9);
    const upload = await runClient(job, src, 'artifact-upload', 'signed', src, '-', join(src, 'a.txt'));
    assert.ok(upload.ok, upload.log);
    const { body } = await twirp(cloud, job, 'ArtifactService', 'GetSignedArtifactURL', {
      ...backendIds(job),
      name: 'signed',
    });
    const url = String(body.signed_url);
    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-type'), 'application/zip');
    const zip = Buffer.from(await whole.arrayBuffer());
    const part = await fetch(url, { headers: { range: 'bytes=0-3' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 0-3/${zip.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), zip.subarray(0, 4));
    // A read URL cannot write; a tampered signature or blob id is refused as Azure refuses it.
    const write = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'evil' });
    assert.equal(write.status, 403);
    assert.equal(write.headers.get('x-ms-error-code'), 'AuthorizationPermissionMismatch');
    const forged = await fetch(url.replace(/\/a-[0-9a-f]{4}/, '/a-0000'));
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('x-ms-error-code'), 'AuthenticationFailed');
    clock.advance(2 * 60 * 60 * 1000);
    const stale = await fetch(url);
    assert.equal(stale.status, 403);
    assert.match(await stale.text(), /<Code>AuthenticationFailed<\/Code>/);
    job.revoke();
  });

  it('honours retention-days on the clock and refuses ended jobs', async () => {
    const src = join(work, 'retention');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'r.txt'), 'short-lived');
    const job = register('acme/app', 10);
    const upload = await runClient(job, src, 'artifact-upload', 'short', src, '1', join(src, 'r.txt'));
    assert.ok(upload.ok, upload.log);
    const listed = await runClient(job, src, 'artifact-list');
    assert.equal((listed.value as { artifacts: unknown[] }).artifacts.length, 1);
    clock.advance(25 * 60 * 60 * 1000);
    cloud.cloud.ci.results.sweep();
    // The uploading job's token has expired by now (7 hours); a later job of the run (a re-run) sees nothing.
    const expired = await twirp(cloud, job, 'ArtifactService', 'ListArtifacts', backendIds(job));
    assert.equal(expired.status, 401);
    const later = register('acme/app', 10);
    const gone = await runClient(later, src, 'artifact-list');
    assert.deepEqual((gone.value as { artifacts: unknown[] }).artifacts, [], gone.log);
    later.revoke();
    job.revoke();
    const refused = await twirp(cloud, job, 'ArtifactService', 'ListArtifacts', backendIds(job));
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'unauthenticated');
    const garbage = await twirp(cloud, 'not-a-token', 'CacheService', 'GetCacheEntryDownloadURL', {
      key: 'k',
      version: 'v',
    });
    assert.equal(garbage.status, 401);
  });

  it('saves and restores caches scoped by ref: a branch reads its own and the default branch’s', async () => {
    const dir = join(work, 'cache');
    mkdirSync(join(dir, 'deps'), { recursive: true });
    writeFileSync(join(dir, 'deps', 'lib.txt'), 'cached on main');
    const main = register('acme/app', 20, 'refs/heads/main');
    const saved = await runClient(main, dir, 'cache-save', 'deps-linux-abc', 'deps');
    assert.ok(saved.ok, saved.log);
    assert.ok((saved.value as { id: number }).id > 0, saved.log);
    // The same key again is refused (the client reports it and carries on).
    const twice = await runClient(main, dir, 'cache-save', 'deps-linux-abc', 'deps');
    assert.equal((twice.value as { id: number }).id, -1, twice.log);

    rmSync(join(dir, 'deps'), { recursive: true });
    const feature = register('acme/app', 21, 'refs/heads/feature');
    const fromDefault = await runClient(feature, dir, 'cache-restore', 'deps-linux-xyz', 'deps', 'deps-linux-');
    assert.deepEqual(fromDefault.value, { key: 'deps-linux-abc' }, fromDefault.log);
    assert.equal(readFileSync(join(dir, 'deps', 'lib.txt'), 'utf8'), 'cached on main');

    writeFileSync(join(dir, 'deps', 'lib.txt'), 'cached on feature');
    const featureSave = await runClient(feature, dir, 'cache-save', 'deps-linux-feature', 'deps');
    assert.ok((featureSave.value as { id: number }).id > 0, featureSave.log);
    // main does not see the feature branch's cache; another repository sees nothing.
    const mainMiss = await runClient(main, dir, 'cache-restore', 'deps-linux-feature', 'deps');
    assert.deepEqual(mainMiss.value, { key: null }, mainMiss.log);
    const other = register('evil/app', 22, 'refs/heads/main');
    const otherMiss = await runClient(other, dir, 'cache-restore', 'deps-linux-abc', 'deps', 'deps-');
    assert.deepEqual(otherMiss.value, { key: null }, otherMiss.log);

    // Seven days unused, and the entry is gone.
    clock.advance(8 * 24 * 60 * 60 * 1000);
    cloud.cloud.ci.results.sweep();
    const expired = await runClient(feature, dir, 'cache-restore', 'deps-linux-abc', 'deps');
    assert.deepEqual(expired.value, { key: null }, expired.log);
    for (const job of [main, feature, other]) job.revoke();
  });

  it('answers bad requests with Twirp errors', async () => {
    const job = register('acme/app', 30);
    const bad = await fetch(`${cloud.url}/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
      body: '{not json',
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'malformed');
    const noMethod = await twirp(cloud, job, 'ArtifactService', 'Frobnicate', backendIds(job));
    assert.equal(noMethod.status, 404);
    assert.equal(noMethod.body.code, 'bad_route');
    const longKey = await twirp(cloud, job, 'CacheService', 'CreateCacheEntry', { key: 'k'.repeat(600), version: 'v' });
    assert.equal(longKey.status, 400);
    assert.equal(longKey.body.code, 'invalid_argument');
    const finalizeEarly = await twirp(cloud, job, 'CacheService', 'CreateCacheEntry', { key: 'early', version: 'v' });
    assert.equal(finalizeEarly.body.ok, true);
    const notUploaded = await twirp(cloud, job, 'CacheService', 'FinalizeCacheEntryUpload', {
      key: 'early',
      version: 'v',
      size_bytes: '10',
    });
    assert.equal(notUploaded.status, 412);
    job.revoke();
  });
});
