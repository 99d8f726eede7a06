/**
 * `npm run bench -- registry`: skopeo pushes and pulls against dockyard's registry and Debian's
 * docker-registry (distribution 2.8.2) side by side, in one run on one machine.
 *
 *   dockyard         `bin/dockyard up --port 0 --data <tmp>`; a repository per run created with
 *                    the AWS SDK (CreateRepository, admin key); skopeo logs in with
 *                    `AWS:<password>` from GetAuthorizationToken, so auth and IAM are measured too
 *   docker-registry  no auth, filesystem storage in a temp dir (bench/docker-registry.ts)
 *
 * Cases (skopeo copy, plain HTTP): push (oci: → docker://) and pull (docker:// → oci:) of one
 * gzipped random layer of 50 MiB (n=7) and 500 MiB (n=3); the fixed cost of a 1 MiB image
 * (n=11); four 50 MiB images pushed in parallel (n=5, wall time). Every run uses a fresh
 * image (bench/oci-image.ts) and a fresh repository, and the two registries take turns going
 * first, so both see the same noise of this shared machine. One unrecorded 1 MiB round warms
 * both up. Reported: the median per registry, the ratio dockyard / docker-registry, and
 * each server's CPU time per run (from /proc), which other load on a shared machine disturbs
 * less than wall time; the load average is printed before and after. Only failures make the
 * run fail; ratios are for people to read.
 *
 * DOCKYARD_BENCH_CASES=fixed,50,500,parallel picks cases (default all);
 * DOCKYARD_BENCH_CPU_PROF=<dir> starts dockyard with `node --cpu-prof` writing there.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/cloud/config.js';
import { median, startCloud, stopCloud } from './cloud-process.js';
import { startDistribution } from './docker-registry.js';
import { buildImage, type BenchImage } from './oci-image.js';

const MiB = 1024 * 1024;

/** One registry under test. */
interface Target {
  name: 'dockyard' | 'docker-registry';
  /** `host:port` for skopeo. */
  host: string;
  /** The server's process, whose CPU time is read from /proc. */
  pid: number;
  /** `user:password` for skopeo, when the registry wants them. */
  creds?: string;
  /** A repository nobody has pushed to yet. */
  newRepository(label: string): Promise<string>;
}

/** Per registry, for one case: wall time in seconds and the server's CPU time in ms, per run. */
interface CaseResult {
  label: string;
  /** Bytes moved per run (for MiB/s), when meaningful. */
  bytes?: number;
  seconds: Record<Target['name'], number[]>;
  cpuMs: Record<Target['name'], number[]>;
}

type CaseId = 'fixed' | '50' | '500' | 'parallel';
const CASE_IDS: readonly CaseId[] = ['fixed', '50', '500', 'parallel'];

/** Runs the registry benchmarks and prints their table; throws when a case failed. */
export async function runRegistryBenchmarks(log: (line: string) => void): Promise<void> {
  const chosen = chosenCases();
  log(
    `registry benchmarks: skopeo ${await skopeoVersion()} against dockyard and docker-registry (distribution 2.8.2), cases ${chosen.join(', ')}; load average ${loadAverage()}`,
  );
  const work = mkdtempSync(join(tmpdir(), 'dockyard-bench-registry-'));
  const dataDir = join(work, 'dockyard');
  const profDir = process.env.DOCKYARD_BENCH_CPU_PROF;
  const cloud = await startCloud(dataDir, profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []);
  const distribution = await startDistribution().catch(async (error: unknown) => {
    await stopCloud(cloud);
    throw error;
  });
  const results: CaseResult[] = [];
  const failures: string[] = [];
  try {
    const targets: Target[] = [
      await dockyardTarget(cloud.url, dataDir, cloud.child.pid as number),
      {
        name: 'docker-registry',
        host: distribution.host,
        pid: distribution.child.pid as number,
        newRepository: async (label) => `bench/${label}`,
      },
    ];
    const runCase = async (id: CaseId, body: () => Promise<void>) => {
      if (!chosen.includes(id)) return;
      try {
        await body();
      } catch (error) {
        failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
        log(`  case ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    // Warm-up: both servers see a push and a pull before anything is recorded.
    await pushPull(work, targets, 1 * MiB, 1, 'warmup');
    await runCase(
      'fixed',
      async () => void results.push(...(await pushPull(work, targets, 1 * MiB, 11, '1 MiB image'))),
    );
    await runCase('50', async () => void results.push(...(await pushPull(work, targets, 50 * MiB, 7, '50 MiB'))));
    await runCase('500', async () => void results.push(...(await pushPull(work, targets, 500 * MiB, 3, '500 MiB'))));
    await runCase('parallel', async () => void results.push(await parallelPushes(work, targets, 4, 50 * MiB, 5)));
  } finally {
    await Promise.all([stopCloud(cloud), distribution.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
  log(`load average after the runs: ${loadAverage()}`);
  for (const line of table(results)) log(line);
  if (failures.length > 0) throw new Error(`registry cases failed:\n${failures.join('\n')}`);
}

const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function chosenCases(): CaseId[] {
  const text = process.env.DOCKYARD_BENCH_CASES;
  if (!text) return [...CASE_IDS];
  const ids = text.split(',').map((s) => s.trim());
  const unknown = ids.filter((id) => !(CASE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0)
    throw new Error(`DOCKYARD_BENCH_CASES: unknown case ${unknown.join(', ')} (known: ${CASE_IDS.join(', ')})`);
  return ids as CaseId[];
}

/** dockyard as skopeo sees it: a password from GetAuthorizationToken, repositories made by CreateRepository. */
async function dockyardTarget(url: string, dataDir: string, pid: number): Promise<Target> {
  const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
    accessKeyId: string;
    secretAccessKey: string;
  };
  const ecr = new ECRClient({
    endpoint: url,
    region: DEFAULTS.region,
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    maxAttempts: 1,
  });
  const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = auth.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new Error('GetAuthorizationToken returned no token');
  return {
    name: 'dockyard',
    host: new URL(url).host,
    pid,
    creds: Buffer.from(token, 'base64').toString('utf8'),
    async newRepository(label) {
      const name = `bench/${label}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
      return name;
    },
  };
}

/** `runs` rounds of: a fresh image, pushed to each registry, then pulled from each. */
async function pushPull(
  work: string,
  targets: readonly Target[],
  fileBytes: number,
  runs: number,
  label: string,
): Promise<CaseResult[]> {
  const push = emptyResult(`push ${label}`, fileBytes);
  const pull = emptyResult(`pull ${label}`, fileBytes);
  const slug = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  for (let run = 0; run < runs; run++) {
    const image = await buildImage(join(work, `image-${slug}-${run}`), fileBytes);
    try {
      const order = run % 2 === 0 ? targets : [...targets].reverse();
      const repositories = new Map<Target, string>();
      for (const target of order) {
        const repository = await target.newRepository(`${slug}-${run}`);
        repositories.set(target, repository);
        await measure(push, target, () => skopeoPush(target, image, repository));
      }
      for (const target of order) {
        const destination = join(work, `pulled-${slug}-${run}-${target.name}`);
        try {
          await measure(pull, target, () => skopeoPull(target, repositories.get(target) as string, destination));
        } finally {
          rmSync(destination, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(image.dir, { recursive: true, force: true });
    }
  }
  return [push, pull];
}

/** `runs` rounds of `count` fresh images pushed at once to fresh repositories: wall time. */
async function parallelPushes(
  work: string,
  targets: readonly Target[],
  count: number,
  fileBytes: number,
  runs: number,
): Promise<CaseResult> {
  const result = emptyResult(`${count} × ${fileBytes / MiB} MiB pushes in parallel`, count * fileBytes);
  for (let run = 0; run < runs; run++) {
    const images: BenchImage[] = [];
    try {
      for (let i = 0; i < count; i++) images.push(await buildImage(join(work, `parallel-${run}-${i}`), fileBytes));
      const order = run % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const repositories = await Promise.all(images.map((_image, i) => target.newRepository(`parallel-${run}-${i}`)));
        await measure(result, target, () =>
          Promise.all(images.map((image, i) => skopeoPush(target, image, repositories[i] as string))),
        );
      }
    } finally {
      for (const image of images) rmSync(image.dir, { recursive: true, force: true });
    }
  }
  return result;
}

function emptyResult(label: string, bytes: number): CaseResult {
  return {
    label,
    bytes,
    seconds: { dockyard: [], 'docker-registry': [] },
    cpuMs: { dockyard: [], 'docker-registry': [] },
  };
}

/** Runs one timed operation against `target`, recording its wall time and the server's CPU time. */
async function measure(result: CaseResult, target: Target, operation: () => Promise<unknown>): Promise<void> {
  const cpuBefore = processCpuMs(target.pid);
  const began = process.hrtime.bigint();
  await operation();
  result.seconds[target.name].push(Number(process.hrtime.bigint() - began) / 1e9);
  result.cpuMs[target.name].push(processCpuMs(target.pid) - cpuBefore);
}

/** User plus system CPU time of a process so far, in ms (Linux: /proc, in clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function skopeoPush(target: Target, image: BenchImage, repository: string): Promise<number> {
  return skopeo([
    'copy',
    '-q',
    '--dest-tls-verify=false',
    ...(target.creds ? ['--dest-creds', target.creds] : []),
    `oci:${image.dir}:${image.ref}`,
    `docker://${target.host}/${repository}:latest`,
  ]);
}

function skopeoPull(target: Target, repository: string, destination: string): Promise<number> {
  return skopeo([
    'copy',
    '-q',
    '--src-tls-verify=false',
    ...(target.creds ? ['--src-creds', target.creds] : []),
    `docker://${target.host}/${repository}:latest`,
    `oci:${destination}:latest`,
  ]);
}

/** Runs skopeo; resolves with its wall time in seconds, rejects with its stderr on failure. */
function skopeo(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      if (code === 0) resolve(seconds);
      // The password is not part of the message: only the command's shape and skopeo's words.
      else reject(new Error(`skopeo ${args[0]} ${args.at(-2)} → ${args.at(-1)} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

async function skopeoVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('skopeo', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', () => resolve('(not installed)'));
    child.once('exit', () => resolve(/version (\S+)/.exec(out)?.[1] ?? 'unknown'));
  });
}

/**
 * A Markdown table: wall-time medians (min–max), throughput for the large cases, the ratio,
 * and each server's mean CPU time per run (ticks are 10 ms, so a mean over the runs).
 */
function table(results: readonly CaseResult[]): string[] {
  const cell = (result: CaseResult, name: Target['name']) => {
    const xs = result.seconds[name];
    if (xs.length === 0) return '—';
    const m = median(xs);
    const rate = result.bytes && result.bytes >= 50 * MiB ? `, ${(result.bytes / MiB / m).toFixed(0)} MiB/s` : '';
    return `${m.toFixed(3)} s${rate} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
  };
  const cpu = (result: CaseResult, name: Target['name']) => {
    const xs = result.cpuMs[name];
    return xs.length === 0 ? '—' : `${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0)} ms`;
  };
  const lines = [
    '| case | n | dockyard | docker-registry 2.8.2 | ratio | server CPU per run, dockyard / docker-registry |',
    '|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    const ours = result.seconds.dockyard;
    const theirs = result.seconds['docker-registry'];
    const ratio = ours.length > 0 && theirs.length > 0 ? (median(ours) / median(theirs)).toFixed(2) : '—';
    lines.push(
      `| ${result.label} | ${Math.min(ours.length, theirs.length)} | ${cell(result, 'dockyard')} | ${cell(result, 'docker-registry')} | ${ratio} | ${cpu(result, 'dockyard')} / ${cpu(result, 'docker-registry')} |`,
    );
  }
  return lines;
}
