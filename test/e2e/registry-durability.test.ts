/**
 * Acceptance (ECR): `kill -9` in the middle of a large push leaves no partial blob visible,
 * the push can be retried to success and other blobs are intact; a 1 GiB layer pushes and
 * pulls with the server's RSS under 200 MB. The cloud runs as its own process (the real CLI).
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { writeRandomLayout, type Layout } from '../support/oci-layout.js';
import { runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

const GiB = 1024 * 1024 * 1024;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples a process's RSS every 50 ms while `work` runs; returns the peak in MB. */
async function peakRss(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMb(pid));
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

describe('registry durability and memory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-durability-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-layouts-'));
  let cloud: DockyardProcess;
  let password: string;
  let small: Layout;
  let big: Layout;
  /** localhost:PORT of the cloud, kept across its restart. */
  let registry = '';
  const creds = () => `AWS:${password}`;

  const login = async () => {
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const ecr = new ECRClient({ endpoint: cloud.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 });
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]
      ?.authorizationToken as string;
    password = Buffer.from(token, 'base64').toString().slice('AWS:'.length);
    return ecr;
  };

  before(async () => {
    cloud = await startDockyardCloud(['--data', dataDir]);
    registry = `localhost:${cloud.port}`;
    const ecr = await login();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'small' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'big' }));
    small = await writeRandomLayout(join(work, 'small'), 'v1', 1024 * 1024);
    big = await writeRandomLayout(join(work, 'big'), 'v1', GiB);
    await runOk('skopeo', [
      'copy',
      '-q',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(),
      `oci:${small.path}:v1`,
      `docker://${registry}/small:v1`,
    ]);
  });
  after(async () => {
    await cloud.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('leaves no partial blob after kill -9 mid-push, and the push can be retried', async () => {
    const push = spawn(
      'skopeo',
      [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds(),
        `oci:${big.path}:v1`,
        `docker://${registry}/big:v1`,
      ],
      { stdio: 'ignore' },
    );
    const pushEnded = new Promise((resolve) => push.once('exit', resolve));
    const uploads = join(dataDir, 'blobs', 'uploads');
    await waitFor('the push to get under way (100 MiB uploaded)', () => dirBytes(uploads) >= 100 * 1024 * 1024, {
      timeoutMs: 60_000,
    });
    process.kill(cloud.pid, 'SIGKILL');
    await cloud.exited;
    await pushEnded;

    cloud = await startDockyardCloud(['--data', dataDir], { port: cloud.port });
    await login();
    const head = await fetch(`${cloud.url}/v2/big/blobs/${big.layerDigest}`, {
      method: 'HEAD',
      headers: { authorization: `Basic ${Buffer.from(creds()).toString('base64')}` },
    });
    assert.equal(head.status, 404, 'no partial blob is visible');
    assert.equal(
      existsSync(join(dataDir, 'blobs', 'sha256', big.layerDigest.slice(7, 9), big.layerDigest.slice(7))),
      false,
    );
    assert.equal(dirBytes(uploads), 0, 'stale upload files are gone');

    // Other blobs are intact: the small image pulls and verifies.
    await runOk('skopeo', [
      'copy',
      '-q',
      '--src-tls-verify=false',
      '--src-creds',
      creds(),
      `docker://${registry}/small:v1`,
      `oci:${join(work, 'small-pulled')}:v1`,
    ]);

    const peakPush = await peakRss(cloud.pid, () =>
      runOk('skopeo', [
        'copy',
        '-q',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds(),
        `oci:${big.path}:v1`,
        `docker://${registry}/big:v1`,
      ]),
    );
    assert.ok(peakPush < 200, `server RSS while pushing 1 GiB: ${peakPush.toFixed(0)} MB`);
    const pulled = join(work, 'big-pulled');
    const peakPull = await peakRss(cloud.pid, () =>
      runOk('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        '--src-creds',
        creds(),
        `docker://${registry}/big:v1`,
        `oci:${pulled}:v1`,
      ]),
    );
    assert.ok(peakPull < 200, `server RSS while pulling 1 GiB: ${peakPull.toFixed(0)} MB`);
    assert.equal(statSync(join(pulled, 'blobs', 'sha256', big.layerDigest.slice(7))).size, big.layerSize);
    process.stdout.write(
      `# 1 GiB layer: peak server RSS ${peakPush.toFixed(0)} MB pushing, ${peakPull.toFixed(0)} MB pulling\n`,
    );
  });
});
