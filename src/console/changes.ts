/**
 * The cloud's change feeds as one, for the console's live pages: ECS (services, deployments,
 * tasks, events, task definitions), the runner (runs, jobs, steps, log lines), ECR's images,
 * STS's decisions and CloudWatch Logs' appends. The console subscribes to each feed once, while
 * some page is open, and fans changes out to its pages' streams; nothing is polled.
 *
 * Run events arrive synchronously (the runner emits a log line right after writing it), so a
 * stream that subscribes and reads a stored log in one turn sees every line exactly once.
 */
import type { RunEvent } from '../runner/types.js';
import type { EcsChange } from '../services/ecs/changes.js';
import type { ConsoleDeps } from './deps.js';

export type Change =
  | { kind: 'ecs'; change: EcsChange }
  | { kind: 'run'; event: RunEvent }
  | { kind: 'images'; repository: string }
  | { kind: 'decision'; roleArn: string; runId?: string }
  | { kind: 'logs'; group: string; stream: string };

type Feeds = Pick<ConsoleDeps, 'ecs' | 'runner' | 'images' | 'decisions' | 'logs'>;

export class ChangeHub {
  private readonly listeners = new Set<(change: Change) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly feeds: Feeds) {}

  /** Calls `listener` with every later change; returns the unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    this.unsubscribe ??= this.follow();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Leaves every feed (the cloud is stopping). */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private follow(): () => void {
    const { ecs, runner, images, decisions, logs } = this.feeds;
    const stops = [
      ecs.changes.subscribe((change) => this.emit({ kind: 'ecs', change })),
      runner.watchAll((event) => this.emit({ kind: 'run', event })),
      images.onChange((repository) => this.emit({ kind: 'images', repository })),
      decisions.subscribe((d) => {
        const runId = d.claims.run_id;
        this.emit({ kind: 'decision', roleArn: d.roleArn, ...(typeof runId === 'string' ? { runId } : {}) });
      }),
      logs.onAppend((group, stream) => this.emit({ kind: 'logs', group, stream })),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  private emit(change: Change): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // One page's failure is its own.
      }
    }
  }
}
