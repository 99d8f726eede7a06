/**
 * `dockyard runs list|view|watch|cancel|rerun` and `dockyard run`: workflow runs as GitHub's `gh run`
 * shows them. Everything goes through the running cloud, which records the runs.
 */
import { resolveDataDir } from '../cloud/config.js';
import type { ProgressEvent, RunSummary, RunView } from '../control/contract.js';
import { ProgressPrinter, runLine } from '../control/progress-printer.js';
import {
  CliError,
  DATA_OPTION,
  UsageError,
  parseArgsAndFlags,
  stringFlag,
  type Command,
  type Flags,
} from './command.js';
import { ControlClient } from './control-client.js';

const LIST_USAGE = `Usage: dockyard runs list [--repo OWNER/NAME] [--limit N] [--json] [--data DIR]

Lists recent workflow runs, newest first.`;

export const runsListCommand: Command = {
  name: ['runs', 'list'],
  usage: LIST_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      { ...DATA_OPTION, repo: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      LIST_USAGE,
      { min: 0, max: 0 },
    );
    if (!parsed) return 0;
    const query = new URLSearchParams();
    const repo = stringFlag(parsed.flags, 'repo');
    if (repo) query.set('repository', repo);
    query.set('limit', String(positive(stringFlag(parsed.flags, 'limit') ?? '20', '--limit')));
    const runs = await client(parsed.flags).get<RunSummary[]>(`/runs?${query.toString()}`);
    if (parsed.flags.json) {
      process.stdout.write(`${JSON.stringify(runs)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write(
        'no runs yet: push to a hosted repository (dockyard repo create) or start one with dockyard run\n',
      );
      return 0;
    }
    const rows = runs.map((r) => [
      String(r.id),
      r.status === 'completed' ? (r.conclusion ?? '') : r.status,
      r.workflow,
      r.repository,
      `${r.event} ${r.ref.replace(/^refs\/(heads|tags)\//, '')}`,
      r.sha.slice(0, 7),
      elapsed(r),
      r.createdAt.replace('T', ' ').slice(0, 19),
    ]);
    printTable(['ID', 'STATUS', 'WORKFLOW', 'REPOSITORY', 'TRIGGER', 'SHA', 'ELAPSED', 'CREATED'], rows);
    return 0;
  },
};

const VIEW_USAGE = `Usage: dockyard runs view ID [--log] [--job JOB] [--json] [--data DIR]

Shows a run's jobs and steps with their results and timings.
  --log       print the run's full log (masked), or one job's with --job
  --json      print the run as JSON`;

export const runsViewCommand: Command = {
  name: ['runs', 'view'],
  usage: VIEW_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      { ...DATA_OPTION, log: { type: 'boolean' }, job: { type: 'string' }, json: { type: 'boolean' } },
      VIEW_USAGE,
      { min: 1, max: 1 },
    );
    if (!parsed) return 0;
    const id = positive(parsed.args[0] as string, 'ID');
    const api = client(parsed.flags);
    if (parsed.flags.log) {
      const job = stringFlag(parsed.flags, 'job');
      const { log } = await api.get<{ log: string }>(`/runs/${id}/log${job ? `?job=${encodeURIComponent(job)}` : ''}`);
      process.stdout.write(log.endsWith('\n') || log === '' ? log : `${log}\n`);
      return 0;
    }
    const run = await api.get<RunView>(`/runs/${id}`);
    if (parsed.flags.json) {
      process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `${runLine(run)}\n  repository ${run.repository}, workflow ${run.workflowFile}, actor ${run.actor}, elapsed ${elapsed(run)}\n`,
    );
    if (run.note) process.stdout.write(`  ${run.note.trimEnd().replaceAll('\n', '\n  ')}\n`);
    for (const job of run.jobs) {
      process.stdout.write(
        `\n  ${mark(job.conclusion ?? job.status)} ${job.name}  ${job.conclusion ?? job.status}${span(job.startedAt, job.completedAt)}\n`,
      );
      for (const step of job.steps)
        process.stdout.write(
          `    ${mark(step.conclusion ?? step.status)} ${step.name}${span(step.startedAt, step.completedAt)}\n`,
        );
      const outputs = Object.entries(job.outputs ?? {});
      if (outputs.length > 0) process.stdout.write(`    outputs: ${outputs.map(([k, v]) => `${k}=${v}`).join(', ')}\n`);
    }
    if (run.annotations.length > 0) {
      process.stdout.write('\nAnnotations\n');
      for (const a of run.annotations.slice(0, 20)) {
        const where = a.file ? ` ${a.file}${a.line !== undefined ? `:${a.line}` : ''}` : '';
        const first = a.message.split('\n')[0] ?? '';
        process.stdout.write(
          `  ${a.level === 'error' ? '✗' : a.level === 'warning' ? '!' : '-'} ${a.job ? `${a.job}: ` : ''}${a.title ? `${a.title}: ` : ''}${first.slice(0, 200)}${where}\n`,
        );
      }
    }
    process.stdout.write(`\nFull log: dockyard runs view ${run.id} --log\n`);
    return 0;
  },
};

const WATCH_USAGE = `Usage: dockyard runs watch ID [--verbose] [--data DIR]

Follows a run until it ends, step by step; exits 1 unless it succeeds.
  --verbose   print every log line as it comes`;

export const runsWatchCommand: Command = {
  name: ['runs', 'watch'],
  usage: WATCH_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, verbose: { type: 'boolean' } }, WATCH_USAGE, {
      min: 1,
      max: 1,
    });
    if (!parsed) return 0;
    const run = await follow(
      client(parsed.flags),
      positive(parsed.args[0] as string, 'ID'),
      parsed.flags.verbose === true,
    );
    return run.conclusion === 'success' ? 0 : 1;
  },
};

const CANCEL_USAGE = `Usage: dockyard runs cancel ID [--data DIR]

Cancels a queued or running run: its steps' processes are stopped and it ends cancelled.`;

export const runsCancelCommand: Command = {
  name: ['runs', 'cancel'],
  usage: CANCEL_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, CANCEL_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    const id = positive(parsed.args[0] as string, 'ID');
    await client(parsed.flags).post(`/runs/${id}/cancel`);
    process.stdout.write(`cancelling run #${id}\n`);
    return 0;
  },
};

const RERUN_USAGE = `Usage: dockyard runs rerun ID [--no-follow] [--data DIR]

Re-runs a completed run, as GitHub's re-run: the same run id and event, the workflow file as it
was at the run's commit, run attempt one more; every job runs again. Then follows it.`;

export const runsRerunCommand: Command = {
  name: ['runs', 'rerun'],
  usage: RERUN_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, 'no-follow': { type: 'boolean' } }, RERUN_USAGE, {
      min: 1,
      max: 1,
    });
    if (!parsed) return 0;
    const id = positive(parsed.args[0] as string, 'ID');
    const control = client(parsed.flags);
    const run = await control.post<RunSummary>(`/runs/${id}/rerun`);
    process.stdout.write(`run #${run.id} attempt ${run.runAttempt} started\n`);
    if (parsed.flags['no-follow']) return 0;
    const followed = await follow(control, run.id, false);
    return followed.conclusion === 'success' ? 0 : 1;
  },
};

const RUN_USAGE = `Usage: dockyard run WORKFLOW --repo OWNER/NAME [--ref REF] [-f NAME=VALUE]... [--no-follow] [--json] [--data DIR]

Starts a workflow that has \`on: workflow_dispatch\` (like \`gh workflow run\`) and follows it.
  WORKFLOW         the file name (deploy.yml) or path (.github/workflows/deploy.yml)
  --ref REF        branch or tag to run on (default: the repository's default branch)
  -f NAME=VALUE    a workflow_dispatch input (repeatable)
  --no-follow      print the run and return at once`;

export const runCommand: Command = {
  name: ['run'],
  usage: RUN_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      {
        ...DATA_OPTION,
        repo: { type: 'string' },
        ref: { type: 'string' },
        field: { type: 'string', short: 'f', multiple: true },
        'no-follow': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      RUN_USAGE,
      { min: 1, max: 1 },
    );
    if (!parsed) return 0;
    const repository = stringFlag(parsed.flags, 'repo');
    if (!repository) throw new UsageError(`--repo OWNER/NAME is required\n\n${RUN_USAGE}`);
    const inputs: Record<string, string> = {};
    const fields = parsed.flags.field;
    for (const field of Array.isArray(fields) ? fields : []) {
      const text = String(field);
      const eq = text.indexOf('=');
      if (eq <= 0) throw new UsageError(`-f takes NAME=VALUE, not ${text}`);
      inputs[text.slice(0, eq)] = text.slice(eq + 1);
    }
    const api = client(parsed.flags);
    const run = await api.post<RunSummary>('/runs', {
      repository,
      workflow: parsed.args[0],
      ref: stringFlag(parsed.flags, 'ref'),
      inputs,
    });
    if (parsed.flags['no-follow']) {
      process.stdout.write(parsed.flags.json ? `${JSON.stringify(run)}\n` : `${runLine(run)}\n`);
      return 0;
    }
    const done = await follow(api, run.id, false);
    if (parsed.flags.json) process.stdout.write(`${JSON.stringify(done)}\n`);
    return done.conclusion === 'success' ? 0 : 1;
  },
};

/** Prints a run's progress until it completes. */
export async function follow(api: ControlClient, runId: number, verbose: boolean): Promise<RunSummary> {
  const printer = new ProgressPrinter({ verbose });
  const run = await api.follow(runId, (event: ProgressEvent) => {
    for (const line of printer.lines(event)) process.stdout.write(`${line}\n`);
  });
  if (run.conclusion !== 'success') process.stdout.write(`Full log: dockyard runs view ${run.id} --log\n`);
  return run;
}

function client(flags: Flags): ControlClient {
  return ControlClient.forDataDir(resolveDataDir(stringFlag(flags, 'data')));
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${what} must be a positive whole number, not ${text}`);
  return n;
}

function elapsed(run: { startedAt?: string; completedAt?: string }): string {
  if (!run.startedAt) return '-';
  const end = run.completedAt ? Date.parse(run.completedAt) : Date.now();
  const s = Math.max(0, Math.round((end - Date.parse(run.startedAt)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function span(startedAt?: string, completedAt?: string): string {
  if (!startedAt || !completedAt) return '';
  const ms = Date.parse(completedAt) - Date.parse(startedAt);
  return ms < 1000 ? ` (${ms} ms)` : ` (${(ms / 1000).toFixed(1)} s)`;
}

function mark(state: string): string {
  return (
    (
      { success: '✓', failure: '✗', cancelled: '⊘', skipped: '-', in_progress: '…', queued: '·' } as Record<
        string,
        string
      >
    )[state] ?? '?'
  );
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > (widths[i] ?? 0) ? `${c.slice(0, (widths[i] ?? 1) - 1)}…` : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${fmt(header)}\n`);
  for (const row of rows) process.stdout.write(`${fmt(row)}\n`);
}
