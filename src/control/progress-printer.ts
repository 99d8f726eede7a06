/**
 * Turns a run's progress events into the short lines a terminal shows: one per job and step
 * as it ends, and for a failed step the last lines of its log (where the error is). Shared by
 * the post-receive hook (lines become git's `remote: …`) and `dockyard push`/`run`/`runs watch`.
 * Stateful only to remember each step's recent log lines.
 */
import type { ProgressEvent, RunSummary } from './contract.js';

const TAIL_LINES = 12;
const MAX_LINE = 200;

export class ProgressPrinter {
  private readonly tails = new Map<string, string[]>();
  /** The step each job is running, for log lines that do not name theirs. */
  private readonly current = new Map<string, number>();
  private readonly verbose: boolean;

  /** `verbose` prints every log line as it comes, not only a failed step's tail. */
  constructor(options: { verbose?: boolean } = {}) {
    this.verbose = options.verbose ?? false;
  }

  lines(event: ProgressEvent): string[] {
    switch (event.type) {
      case 'run': {
        // "queued" then "started" a moment later says nothing the next line does not.
        if (event.run.status === 'queued') return [];
        const note = event.run.status === 'completed' && event.run.note ? event.run.note.split('\n').filter((l) => l.trim()).map((l) => `  | ${clip(l)}`) : [];
        return [runLine(event.run), ...note];
      }
      case 'job':
        if (event.status === 'in_progress') return [`  job ${event.name}`];
        if (event.status === 'completed') return [`  ${mark(event.conclusion)} job ${event.name} ${event.conclusion ?? ''}${duration(event.durationMs)}`];
        return [];
      case 'step': {
        const key = `${event.job}#${event.number}`;
        if (event.status !== 'completed') {
          this.current.set(event.job, event.number);
          this.tails.set(key, []);
          return [];
        }
        const out = [`    ${mark(event.conclusion)} ${event.name}${duration(event.durationMs)}`];
        if (event.conclusion === 'failure' && !this.verbose) {
          for (const line of this.tails.get(key) ?? []) out.push(`      | ${line}`);
        }
        this.tails.delete(key);
        return out;
      }
      case 'log': {
        const line = clip(event.line);
        if (this.verbose) return [`      | ${line}`];
        const key = `${event.job}#${event.step ?? this.current.get(event.job) ?? 0}`;
        const tail = this.tails.get(key) ?? [];
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        this.tails.set(key, tail);
        return [];
      }
    }
  }
}

export function runLine(run: RunSummary): string {
  const what = `run #${run.id} ${run.workflow} (${run.event} to ${shortRef(run.ref)} at ${run.sha.slice(0, 7)})`;
  if (run.status !== 'completed') return `${what} ${run.status === 'queued' ? 'queued' : 'started'}`;
  return `${mark(run.conclusion)} ${what}: ${run.conclusion ?? 'completed'}`;
}

function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function mark(conclusion: string | undefined): string {
  if (conclusion === 'success') return '✓';
  if (conclusion === 'skipped') return '-';
  if (conclusion === 'cancelled') return '⊘';
  return '✗';
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? ` (${ms} ms)` : ` (${(ms / 1000).toFixed(1)} s)`;
}

function clip(line: string): string {
  // eslint-disable-next-line no-control-regex -- terminal escapes from a step's output are not ours to replay
  const plain = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return plain.length > MAX_LINE ? `${plain.slice(0, MAX_LINE - 1)}…` : plain;
}
