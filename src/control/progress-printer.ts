/**
 * Turns a run's progress events into the short lines a terminal shows: one per job and step
 * as it ends, for a failed step the last lines of its log (where the error is), and notices
 * from outside the steps (a deployment failing) under the step that is running, as it happens.
 * Shared by the post-receive hook (lines become git's `remote: …`) and `dockyard push`/`run`/
 * `runs watch`. Stateful only to remember each step's recent log lines and the running steps.
 */
import type { ProgressEvent, RunSummary } from './contract.js';

const TAIL_LINES = 12;
const MAX_LINE = 200;
/** Notices are wrapped, not clipped: their end (an error's detail) is what matters. */
const NOTICE_WIDTH = 160;
const NOTICE_LINES = 6;

export class ProgressPrinter {
  private readonly tails = new Map<string, string[]>();
  /** The step each job is running, for log lines that do not name theirs. */
  private readonly current = new Map<string, number>();
  /** The running step's name per job, and whether a notice has shown it yet. */
  private readonly running = new Map<string, { name: string; shown: boolean }>();
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
        const note =
          event.run.status === 'completed' && event.run.note
            ? event.run.note
                .split('\n')
                .filter((l) => l.trim())
                .map((l) => `  | ${clip(l)}`)
            : [];
        return [runLine(event.run), ...note];
      }
      case 'job':
        if (event.status === 'completed') this.running.delete(event.job);
        if (event.status === 'in_progress') return [`  job ${event.name}`];
        if (event.status === 'completed')
          return [
            `  ${mark(event.conclusion)} job ${event.name} ${event.conclusion ?? ''}${duration(event.durationMs)}`,
          ];
        return [];
      case 'step': {
        const key = `${event.job}#${event.number}`;
        if (event.status !== 'completed') {
          this.current.set(event.job, event.number);
          this.running.set(event.job, { name: event.name, shown: false });
          this.tails.set(key, []);
          return [];
        }
        this.running.delete(event.job);
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
      case 'notice': {
        const step = event.job === undefined ? undefined : this.running.get(event.job);
        const out: string[] = [];
        if (step && !step.shown) {
          // A step is printed when it ends; the notice is about the one still running.
          out.push(`    … ${step.name}`);
          step.shown = true;
        }
        const indent = step ? '      ' : event.job !== undefined ? '    ' : '  ';
        const text = `${event.level}: ${event.title ? `${event.title}: ` : ''}${event.message}`;
        return [
          ...out,
          ...wrap(clip(text, Infinity), NOTICE_WIDTH, NOTICE_LINES).map(
            (line, i) => `${indent}${i === 0 ? '' : '  '}${line}`,
          ),
        ];
      }
    }
  }
}

/** `text` in lines of at most `width`, broken at spaces where it can be; the last line ends in … when more was left. */
function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let rest = text.replace(/\s+/g, ' ').trim();
  while (rest.length > 0 && lines.length < maxLines) {
    if (rest.length <= width) {
      lines.push(rest);
      rest = '';
      break;
    }
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) lines[lines.length - 1] = `${(lines.at(-1) ?? '').slice(0, width - 1)}…`;
  return lines;
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

function clip(line: string, max = MAX_LINE): string {
  // eslint-disable-next-line no-control-regex -- terminal escapes from a step's output are not ours to replay
  const plain = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}
