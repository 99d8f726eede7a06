/**
 * `npm run bench [-- core|registry|ecs|pipeline|docker-guard|jobs|console …]` (default: all): dockyard's numbers on this machine.
 *
 * core (issue 2), against the targets of the core issue:
 *   cold start   `dockyard up` to "ready" (process start included), fresh and existing data dir
 *   assumes/s    AssumeRoleWithWebIdentity throughput (wrk, 16 keep-alive connections)
 *   latency      p50/p99 of a signed, policy-checked call (iam:GetRole by a role session)
 *   idle RSS     the server's resident memory after the runs, idle
 * The cloud runs as its own process (the real CLI); the load comes from wrk (Debian's, C), so
 * the load generator costs little of the 2 cores. Medians
 * over repeated runs; the machine is shared, so compare ratios, not single numbers.
 *
 * registry (issue 3): skopeo push and pull against dockyard's registry and Debian's
 * docker-registry side by side (bench/registry.ts).
 *
 * ecs (issue 4): deployment time, the runtime's CPU at rest with 50 services × 2 tasks, and
 * requests/s through a service's endpoint and a task address against the container directly
 * (bench/ecs.ts).
 *
 * pipeline (issue 5): `git push` → the seed app's new version serving, median of 5 (bench/pipeline.ts).
 *
 * docker-guard (issue 11): docker build and docker run --rm through a job's Docker API guard
 * against the engine's socket directly (bench/docker-guard.ts).
 *
 * jobs (issue 11): the same job on this host and in a fresh container, median of 5 (bench/jobs.ts).
 *
 * console (issue 14): the web console's services page with 50 services in chromium, its weight
 * and time to first render (bench/console.ts; a case of the ecs suite, which runs it by default;
 * `-- console` runs only it).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { SignatureV4 } from '@smithy/signature-v4';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { DEFAULTS } from '../src/cloud/config.js';
import { CloudState } from '../src/cloud/state.js';
import { median, startCloud, stopCloud } from './cloud-process.js';
import { runDockerGuardBenchmarks } from './docker-guard.js';
import { runEcsBenchmarks } from './ecs.js';
import { runJobBenchmarks } from './jobs.js';
import { runPipelineBenchmarks } from './pipeline.js';
import { runRegistryBenchmarks } from './registry.js';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs wrk against the cloud with one fixed request; fails on any non-2xx answer. */
function wrk(
  target: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  options: { connections: number; seconds: number },
): Promise<{ rate: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-wrk-'));
  const script = join(dir, 'request.lua');
  const lines = [`wrk.method = ${JSON.stringify(method)}`, `wrk.body = ${JSON.stringify(body)}`];
  for (const [name, value] of Object.entries(headers))
    if (name.toLowerCase() !== 'host')
      lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(String(value))}`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      'wrk',
      ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', script, target],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      const ms = (label: string) => {
        const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
        if (!m) return NaN;
        const value = Number(m[1]);
        return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
      };
      if (/Non-2xx/.test(out)) return reject(new Error(`wrk saw error answers:\n${out}`));
      resolve({ rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), p50: ms('50%'), p99: ms('99%') });
    });
  });
}

/** The core's benchmarks (issue 2). */
async function runCoreBenchmarks(log: (line: string) => void): Promise<void> {
  log('core benchmarks');

  // Cold start: a fresh data directory (keys and admin created) and an existing one.
  const fresh: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-bench-'));
    const first = await startCloud(dir);
    fresh.push(first.ms);
    await stopCloud(first);
    const second = await startCloud(dir);
    existing.push(second.ms);
    await stopCloud(second);
    rmSync(dir, { recursive: true, force: true });
  }
  log(
    `cold start to ready (process start included): fresh data dir median ${median(fresh).toFixed(0)} ms, existing median ${median(existing).toFixed(0)} ms (target < 500 ms)`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-'));
  const cloud = await startCloud(dataDir);
  try {
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
      accountId: string;
    };
    const config = { endpoint: cloud.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    const iam = new IAMClient(config);
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${admin.accountId}:oidc-provider/token.actions.githubusercontent.com` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:bench/app:ref:refs/heads/main' },
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          },
        },
      ],
    };
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'bench', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'bench',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'ecs:Describe*'], Resource: '*' }],
        }),
      }),
    );
    const roleArn = role.Role?.Arn as string;

    // STS does not refuse a token it has seen (AWS neither), so one token serves the whole run.
    const state = new CloudState({ dataDir, issuer: DEFAULTS.issuer }, systemClock);
    await state.issuer.init();
    const token = await state.issuer.issue({
      repository: 'bench/app',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    state.close();
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const assumeBody = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: 'bench',
      WebIdentityToken: token,
    }).toString();
    const assumed = await post(cloud.url, form, assumeBody);
    if (assumed.status !== 200) throw new Error(`AssumeRoleWithWebIdentity failed: ${assumed.body}`);
    const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(assumed.body)?.[1] as string;
    const creds = {
      accessKeyId: pick('AccessKeyId'),
      secretAccessKey: pick('SecretAccessKey'),
      sessionToken: pick('SessionToken'),
    };

    // Throughput: wrk (C, one thread) keeps 16 keep-alive connections busy; 3 rounds of 5 s.
    const rates: number[] = [];
    for (let round = 0; round < 3; round++)
      rates.push((await wrk(cloud.url, 'POST', form, assumeBody, { connections: 16, seconds: 5 })).rate);
    log(
      `AssumeRoleWithWebIdentity: median ${median(rates).toFixed(0)}/s over 3 rounds of 5 s (wrk, 16 connections) (target ≥ 2,000/s)`,
    );

    // Latency of a signed, policy-checked call: iam:GetRole by the role session, one connection.
    // A SigV4 signature stays valid for 15 minutes, so wrk may replay one signed request.
    const url = new URL(cloud.url);
    const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'iam', sha256: Sha256 });
    const body = 'Action=GetRole&Version=2010-05-08&RoleName=bench';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, ...form },
      body,
    });
    const check = await post(cloud.url, signed.headers as Record<string, string>, body);
    if (check.status !== 200) throw new Error(`GetRole failed: ${check.body}`);
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let round = 0; round < 3; round++) {
      const result = await wrk(cloud.url, 'POST', signed.headers as Record<string, string>, body, {
        connections: 1,
        seconds: 5,
      });
      p50s.push(result.p50);
      p99s.push(result.p99);
    }
    log(
      `signed, policy-checked call (iam:GetRole as a role session, 1 connection): p50 ${median(p50s).toFixed(2)} ms, p99 ${median(p99s).toFixed(2)} ms, medians of 3 rounds of 5 s (target p99 < 5 ms)`,
    );

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const status = readFileSync(`/proc/${cloud.child.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    log(`idle RSS after the runs: ${rss.toFixed(0)} MB (target < 150 MB)`);
  } finally {
    await stopCloud(cloud);
    rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

const SUITES = {
  core: runCoreBenchmarks,
  registry: runRegistryBenchmarks,
  ecs: runEcsBenchmarks,
  pipeline: runPipelineBenchmarks,
  'docker-guard': runDockerGuardBenchmarks,
  jobs: runJobBenchmarks,
  console: (log: (line: string) => void) => runEcsBenchmarks(log, ['console']),
} as const;
type Suite = keyof typeof SUITES;

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => !Object.hasOwn(SUITES, a));
  if (unknown.length > 0) {
    process.stderr.write(
      `usage: npm run bench [-- ${Object.keys(SUITES).join('|')} …] (default: all); unknown: ${unknown.join(' ')}\n`,
    );
    return 2;
  }
  // console is a case of ecs (its 50 services): by default it runs there, not twice.
  const chosen = (argv.length > 0 ? argv : Object.keys(SUITES).filter((s) => s !== 'console')) as Suite[];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `dockyard benchmarks, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  let failed = false;
  for (const suite of chosen) {
    // A suite that fails is reported and the next one still runs; the exit code says so.
    try {
      await SUITES[suite](log);
    } catch (error) {
      failed = true;
      process.stderr.write(`${suite} benchmarks failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
