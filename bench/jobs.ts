/**
 * jobs (issue 11): what a fresh container costs a job. One cloud (in this process, jobs in
 * containers on), one workflow whose two jobs run the same three steps one after the other —
 * `runs-on: self-hosted` (this host) and ubuntu-latest (a fresh container of the runner image)
 * — pushed 5 times (after one warm-up push that ensures the runner image); each job's duration
 * (started → completed, its set-up and clean-up included) per runner, median of 5, and the
 * container's own set-up phases as the job's log reports them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cloud } from '../src/cloud/cloud.js';
import { median } from './cloud-process.js';
import { pushFiles } from '../test/support/git-push.js';

const ROUNDS = 5;

const WORKFLOW = [
  'on: push',
  'jobs:',
  '  host:',
  '    runs-on: self-hosted',
  '    steps: &steps',
  '      - run: echo "hello from $RUNNER_ENVIRONMENT"',
  '      - id: out',
  '        run: echo "answer=42" >> "$GITHUB_OUTPUT"',
  '      - run: test "${{ steps.out.outputs.answer }}" = 42',
  '  container:',
  '    needs: host',
  '    runs-on: ubuntu-latest',
  '    steps: *steps',
  '',
].join('\n');

export async function runJobBenchmarks(log: (line: string) => void): Promise<void> {
  log('jobs benchmarks (the same job on this host and in a fresh container)');
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-bench-jobs-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-bench-jobs-work-'));
  const cloud = await Cloud.start({ dataDir, port: 0, host: '127.0.0.1', jobContainers: true });
  try {
    await cloud.ready();
    const target = { port: new URL(cloud.url).port, admin: cloud.state.admin };
    const runner = cloud.ci.runner;
    const durations = { host: [] as number[], container: [] as number[] };
    const setUps: string[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const repository = `bench/jobs-${round}`;
      await cloud.ci.repositories.create(repository);
      await pushFiles(target, join(work, String(round)), repository, {
        '.github/workflows/jobs.yml': WORKFLOW,
        'round.txt': `${round}\n`,
      });
      const [run] = runner.listRuns({ repository, limit: 1 });
      if (!run || run.conclusion !== 'success')
        throw new Error(`round ${round} did not succeed: ${run ? runner.readLog(run.id) : 'no run'}`);
      const jobs = runner.getRun(run.id)?.jobs ?? [];
      const ms = (name: string) => {
        const job = jobs.find((j) => j.name === name);
        return Date.parse(job?.completedAt ?? '') - Date.parse(job?.startedAt ?? '');
      };
      const setUp = /ready in (.*)$/m.exec(runner.readLog(run.id, { job: 'container' }))?.[1] ?? '?';
      if (round === 0) {
        log(
          `  warm-up (the runner image ensured): host ${ms('host')} ms, container ${ms('container')} ms; set-up ${setUp}`,
        );
        continue;
      }
      durations.host.push(ms('host'));
      durations.container.push(ms('container'));
      setUps.push(setUp);
      log(`  round ${round}: host ${ms('host')} ms, container ${ms('container')} ms; container set-up ${setUp}`);
    }
    const host = median(durations.host);
    const container = median(durations.container);
    log(
      `a job of 3 steps: median ${host} ms on this host, ${container} ms in a fresh container: the container costs ${((container - host) / 1000).toFixed(2)} s per job (aim < 1 s)`,
    );
  } finally {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}
