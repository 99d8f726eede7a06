/**
 * pipeline (issue 5): `git push` → the new version serving, for the seed's app with the base
 * image cached. A real `dockyard up` process, the seed's resources (src/seed/provision.ts), its
 * repository hosted by the cloud, and a working copy; each round changes the app's message,
 * commits, pushes (the push returns when the run has ended: the hook streams it) and polls the
 * service's stable endpoint until the new message is served. Median of 5 rounds, after one
 * warm-up push (the first deployment replaces the seed's placeholder task).
 *
 * Also reported per round: the run's own duration and the slowest steps, to show where the
 * time goes (docker build, the rolling deployment's health checks).
 *
 * Issue 11: each round pushes twice to the same cloud, with the seed's `runs-on: ubuntu-latest`
 * (the job in a fresh container of the runner image) and with `runs-on: self-hosted` (on this
 * host), taking turns so the shared box's load falls on both; the difference of the medians is
 * what the container costs a job, also without the deploy step (whose ECS wait varies most).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteServiceCommand, DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { cloudSession, readAdmin } from '../src/cli/cloud-session.js';
import { ControlClient } from '../src/cli/control-client.js';
import { endpointPorts, endpointUrl } from '../src/cli/endpoint-ports.js';
import { basicAuthorization } from '../src/control/admin-auth.js';
import { DockerApiEngine } from '../src/engine/docker-api.js';
import { LABEL, cloudLabelFor } from '../src/runtime/runtime.js';
import type { RunSummary, RunView } from '../src/control/contract.js';
import { provisionSeed, SEED } from '../src/seed/provision.js';
import { median } from './cloud-process.js';
import { FIXED_PORTS } from '../test/support/ports.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'dockyard');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
/** One of the plain-HTTP registry ports scripts/setup-engine configures for Podman. */
const PORT = FIXED_PORTS.bench;
const ROUNDS = 5;

export async function runPipelineBenchmarks(log: (line: string) => void): Promise<void> {
  log('pipeline benchmarks (git push → new version serving, the seed app)');
  const built = spawnSync('bash', [join(ROOT, 'scripts', 'base-images')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) throw new Error('scripts/base-images failed');
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-pipeline-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-bench-pipeline-work-'));
  const cloud = await startCloud(dataDir);
  try {
    const { aws, admin, cloud: running } = cloudSession(dataDir);
    await provisionSeed(aws, running.accountId, EXAMPLE);
    const api = ControlClient.forDataDir(dataDir);
    const repo = await api.post<{ cloneUrl: string }>('/repos', { name: SEED.repository });
    cpSync(EXAMPLE, work, { recursive: true });
    const git = (args: string[]) => {
      const result = spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {
        cwd: work,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`);
      return result;
    };
    const push = () =>
      git(['-c', `http.extraHeader=Authorization: ${basicAuthorization(admin)}`, 'push', '-q', repo.cloneUrl, 'main']);
    git(['init', '-q', '-b', 'main']);
    git(['add', '-A']);
    git(['commit', '-qm', 'add CI/CD']);
    const warm = Date.now();
    push();
    await expectSuccess(api);
    // The seed's placeholder task never starts (its image is not pushed yet), so the warm-up's
    // deploy finds its service stable as soon as the new task runs, before the deployment is
    // COMPLETED (as on AWS); round 1 waits for it, or it would supersede a rollout in progress.
    const ecsClient = new ECSClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: readAdmin(dataDir),
      maxAttempts: 1,
    });
    await until(async () => {
      const described = await ecsClient.send(
        new DescribeServicesCommand({ cluster: SEED.cluster, services: [SEED.service] }),
      );
      const deployments = described.services?.[0]?.deployments ?? [];
      return deployments.length === 1 && deployments[0]?.rolloutState === 'COMPLETED';
    }, 120_000);
    log(
      `  warm-up push (first deployment, replaces the placeholder task): ${((Date.now() - warm) / 1000).toFixed(1)} s`,
    );
    const serviceArn = `arn:aws:ecs:${running.region}:${running.accountId}:service/${SEED.cluster}/${SEED.service}`;
    const port = endpointPorts(dataDir, [serviceArn]).get(serviceArn);
    if (port === undefined) throw new Error('the service has no endpoint');
    const endpoint = endpointUrl(port);

    const workflowFile = join(work, '.github', 'workflows', 'deployment.yaml');
    // The two runners take turns round by round, so the box's load (shared, 2 cores) falls on both alike.
    const RUNNERS = ['ubuntu-latest', 'self-hosted'] as const;
    const measured = new Map(
      RUNNERS.map((r) => [
        r,
        {
          totals: [] as number[],
          runs: [] as number[],
          jobs: [] as number[],
          own: [] as number[],
          steps: new Map<string, number[]>(),
        },
      ]),
    );
    for (let round = 1; round <= ROUNDS; round++) {
      for (const runsOn of RUNNERS) {
        const m = measured.get(runsOn);
        if (!m) continue;
        writeFileSync(workflowFile, readFileSync(workflowFile, 'utf8').replace(/runs-on: .*/, `runs-on: ${runsOn}`));
        const message = `Hello from round ${round} (${runsOn}) at ${Date.now()}`;
        const appPy = join(work, 'app.py');
        writeFileSync(appPy, readFileSync(appPy, 'utf8').replace(/return ".*"/, `return "${message}"`));
        git(['commit', '-qam', `Round ${round}, runs-on: ${runsOn}`]);
        const began = Date.now();
        push();
        await until(async () => (await get(endpoint)) === message, 120_000);
        const total = Date.now() - began;
        const run = await expectSuccess(api);
        const runMs = Date.parse(run.completedAt ?? '') - Date.parse(run.createdAt);
        const view = await api.get<RunView>(`/runs/${run.id}`);
        const steps = view.jobs
          .flatMap((j) => j.steps)
          .map((s) => ({ name: s.name, ms: Date.parse(s.completedAt ?? '') - Date.parse(s.startedAt ?? '') }))
          .sort((a, b) => b.ms - a.ms);
        const slowest = steps
          .slice(0, 3)
          .map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`)
          .join(', ');
        const job = view.jobs[0];
        const jobMs = job ? Date.parse(job.completedAt ?? '') - Date.parse(job.startedAt ?? '') : Number.NaN;
        // The job without its slowest step (the deploy action waiting on ECS health checks, 8-9 s
        // whose spread would hide the container's cost): set-up, the other steps, clean-up.
        const ownMs = jobMs - (steps[0]?.ms ?? 0);
        m.totals.push(total);
        m.runs.push(runMs);
        m.jobs.push(jobMs);
        m.own.push(ownMs);
        for (const step of steps) m.steps.set(step.name, [...(m.steps.get(step.name) ?? []), step.ms]);
        // Set-up and clean-up: the job's time outside its steps.
        const inSteps = steps.reduce((sum, step) => sum + step.ms, 0);
        m.steps.set('(set-up and clean-up)', [...(m.steps.get('(set-up and clean-up)') ?? []), jobMs - inSteps]);
        log(
          `  round ${round} (${runsOn}): push → serving ${(total / 1000).toFixed(1)} s (run ${(runMs / 1000).toFixed(1)} s, job ${(jobMs / 1000).toFixed(1)} s, without its slowest step ${(ownMs / 1000).toFixed(1)} s; slowest: ${slowest})`,
        );
      }
    }
    for (const [runsOn, m] of measured) {
      log(
        `git push → new version serving (runs-on: ${runsOn}): median ${(median(m.totals) / 1000).toFixed(1)} s over ${ROUNDS} rounds (aim < 20 s; GitHub Actions + Fargate typically 5–10 min); run alone median ${(median(m.runs) / 1000).toFixed(1)} s, job ${(median(m.jobs) / 1000).toFixed(1)} s, job without its slowest step ${(median(m.own) / 1000).toFixed(2)} s`,
      );
    }
    const inContainer = measured.get('ubuntu-latest');
    const onHost = measured.get('self-hosted');
    if (inContainer && onHost) {
      // Where the difference goes, step by step (medians): the container's cost is not one number.
      const parts = [...inContainer.steps.keys()]
        .map((name) => ({
          name,
          delta: median(inContainer.steps.get(name) ?? [0]) - median(onHost.steps.get(name) ?? [0]),
        }))
        .sort((a, b) => b.delta - a.delta)
        .map((p) => `${p.name} ${p.delta >= 0 ? '+' : ''}${(p.delta / 1000).toFixed(2)}`);
      log(`  container − host by step (medians, s): ${parts.join(', ')}`);
      log(
        `a job's container costs: ${((median(inContainer.jobs) - median(onHost.jobs)) / 1000).toFixed(2)} s per job by the jobs' medians (${(median(inContainer.jobs) / 1000).toFixed(1)} s vs ${(median(onHost.jobs) / 1000).toFixed(1)} s), ${((median(inContainer.own) - median(onHost.own)) / 1000).toFixed(2)} s without the deploy step's ECS wait (${(median(inContainer.own) / 1000).toFixed(2)} s vs ${(median(onHost.own) / 1000).toFixed(2)} s); aim < 1 s`,
      );
    }
  } finally {
    // The service's containers outlive a stopped cloud (kept for adoption); this one is gone for good.
    const ecs = new ECSClient({
      endpoint: cloud.url,
      region: 'us-east-1',
      credentials: readAdmin(dataDir),
      maxAttempts: 1,
    });
    await ecs
      .send(new DeleteServiceCommand({ cluster: SEED.cluster, service: SEED.service, force: true }))
      .catch(() => undefined);
    await until(
      async () => ((await ecs.send(new ListTasksCommand({ cluster: SEED.cluster }))).taskArns ?? []).length === 0,
      30_000,
    ).catch(() => undefined);
    await stopCloud(cloud.child);
    const engine = new DockerApiEngine();
    for (const c of await engine.listContainers({ labels: { [LABEL.cloud]: cloudLabelFor(dataDir) } }))
      await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    const images = spawnSync(
      'docker',
      ['images', '--filter', `reference=localhost:${PORT}/my-app`, '--format', '{{.ID}}'],
      {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock' },
      },
    );
    const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0)
      spawnSync('docker', ['rmi', '-f', ...ids], {
        env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///run/podman/podman.sock' },
      });
    // DOCKYARD_BENCH_KEEP=1 keeps the data directory (the runs' logs) for a look.
    if (process.env.DOCKYARD_BENCH_KEEP === '1') log(`  kept: ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

async function startCloud(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'up', '--port', String(PORT), '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /dockyard is up at (http:\/\/[^\s]+)/.exec(out);
      if (match) resolvePromise({ child, url: match[1] as string });
    });
    child.once('exit', (code) => reject(new Error(`dockyard up exited with ${code}: ${out}`)));
  });
}

async function stopCloud(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function expectSuccess(api: ControlClient): Promise<RunSummary> {
  const [run] = await api.get<RunSummary[]>(`/runs?repository=${encodeURIComponent(SEED.repository)}&limit=1`);
  if (!run || run.conclusion !== 'success') throw new Error(`the run did not succeed: ${JSON.stringify(run)}`);
  return run;
}

async function get(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000), headers: { connection: 'close' } });
    return (await response.text()).trim();
  } catch {
    return undefined;
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting for the new version');
}
