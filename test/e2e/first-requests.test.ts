/**
 * `dockyard up` loads some parts on first use (the runner's workflow parser and executor, jose
 * for signing and verifying tokens, the ECS runtime): the first requests that need them, arriving
 * together on a freshly started cloud, must all be served as any later one is.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedTrustPolicy } from '../support/cloud.js';
import { dockyard, DOCKYARD_BIN, startDockyard, type DockyardProcess } from '../support/dockyard-cli.js';
import { run, runOk } from '../support/run.js';

/** A job that fetches its OIDC token from the cloud (the cloud signs it) and checks its shape. */
const WORKFLOW = [
  'on: push',
  'permissions:',
  '  id-token: write',
  'jobs:',
  '  token:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - run: |',
  '          node -e "',
  "            const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=sts.amazonaws.com';",
  "            fetch(url, { headers: { authorization: 'bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN } })",
  '              .then((r) => r.ok ? r.json() : Promise.reject(new Error(String(r.status))))',
  "              .then(({ value }) => console.log(value.split('.').length === 3 ? 'signed a job token' : 'not a JWT'));",
  '          "',
].join('\n');

describe('the first requests to a fresh `dockyard up`', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-first-requests-'));
  const env = { DOCKYARD_DATA: dataDir, GIT_TERMINAL_PROMPT: '0' };
  const works = ['one', 'two'].map((name) => ({
    name,
    dir: mkdtempSync(join(tmpdir(), `dockyard-first-requests-${name}-`)),
  }));
  let cloud: DockyardProcess;

  before(async () => {
    cloud = await startDockyard(['--port', '0'], env);
  });
  after(async () => {
    await cloud?.stop();
    for (const dir of [dataDir, ...works.map((w) => w.dir)]) rmSync(dir, { recursive: true, force: true });
  });

  it('serves concurrent first web-identity assumptions and concurrent first pushes', async () => {
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      accountId: string;
    };
    const iam = new IAMClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 });
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'first',
        AssumeRolePolicyDocument: seedTrustPolicy(admin.accountId, 'repo:me/one:ref:refs/heads/main'),
      }),
    );
    // Signed by another process (the CLI), so the cloud's first jose use is a verification.
    const minted = await dockyard(
      ['token', '--repo', 'me/one', '--ref', 'main', '--audience', 'sts.amazonaws.com'],
      env,
    );
    assert.equal(minted.status, 0, minted.stderr);
    const token = minted.stdout.trim();

    for (const work of works) {
      const git = (args: string[]) =>
        runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work.dir, env });
      await git(['init', '-q', '-b', 'main']);
      const created = await run(
        process.execPath,
        [DOCKYARD_BIN, 'repo', 'create', `me/${work.name}`, '--remote', 'dockyard'],
        { cwd: work.dir, env },
      );
      assert.equal(created.status, 0, created.stderr);
      mkdirSync(join(work.dir, '.github', 'workflows'), { recursive: true });
      writeFileSync(join(work.dir, '.github', 'workflows', 'token.yml'), `${WORKFLOW}\n`);
      await git(['add', '-A']);
      await git(['commit', '-qm', 'token']);
    }

    const assume = () =>
      fetch(cloud.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams({
          Action: 'AssumeRoleWithWebIdentity',
          Version: '2011-06-15',
          RoleArn: role.Role?.Arn ?? '',
          RoleSessionName: 'first',
          WebIdentityToken: token,
        }).toString(),
      }).then(async (response) => ({ status: response.status, body: await response.text() }));
    const push = (dir: string) => run(process.execPath, [DOCKYARD_BIN, 'push', 'dockyard', 'main'], { cwd: dir, env });
    const [assumed, pushed] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, assume)),
      Promise.all(works.map((w) => push(w.dir))),
    ]);

    const keys = new Set<string>();
    for (const answer of assumed) {
      assert.equal(answer.status, 200, answer.body);
      keys.add(/<AccessKeyId>(ASIA[A-Z0-9]+)<\/AccessKeyId>/.exec(answer.body)?.[1] ?? '');
    }
    assert.equal(keys.size, 8, 'eight distinct sessions');
    for (const result of pushed) assert.equal(result.status, 0, result.stdout + result.stderr);
    const runs = JSON.parse((await dockyard(['runs', 'list', '--json'], env)).stdout) as {
      id: number;
      repository: string;
      conclusion: string;
    }[];
    assert.deepEqual(runs.map((r) => [r.repository, r.conclusion]).sort(), [
      ['me/one', 'success'],
      ['me/two', 'success'],
    ]);
    for (const r of runs)
      assert.match((await dockyard(['runs', 'view', String(r.id), '--log'], env)).stdout, /signed a job token/);
  });
});
