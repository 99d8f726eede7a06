/**
 * The exit code of a container removed as it exited (`docker run --rm`). Podman 4.3 answers
 * `wait?condition=removed` with StatusCode 0 whatever the container's exit code was (it asks
 * for the code once the container is already gone), so a failing `docker run --rm` step would
 * pass. The engine's event log keeps the `die` event with its `exitCode`: it is followed from a
 * little before the wait began (replaying what happened already, then live). The answer is the
 * first death after the wait began (`docker run` waits before it starts the container), or, for
 * a container that had died before, the last death before its `remove`.
 */
import type { EngineHttpClient } from '../engine/http-client.js';

/** How far back the event log is read: the container may have died just before the wait arrived. */
const REPLAY_SECONDS = 5;
/** How long to wait for the `remove` event once the engine said the container was removed. */
const SETTLE_MS = 3000;

interface WireEvent {
  Action?: string;
  status?: string;
  id?: string;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

/** Follows a container's events from now (minus a margin) until asked for its exit code. */
export class ExitCodeWatch {
  private readonly abort = new AbortController();
  private lastDie: number | undefined;
  /** A death after the wait began: the answer, without waiting for the removal. */
  private dieSinceWait: number | undefined;
  private readonly waitStart = Date.now();
  private removed = false;
  private readonly waiters: Array<() => void> = [];
  private ended = false;

  constructor(engine: EngineHttpClient, containerId: string) {
    const since = Math.floor(Date.now() / 1000) - REPLAY_SECONDS;
    void this.follow(engine, containerId, since);
  }

  private async follow(engine: EngineHttpClient, id: string, since: number): Promise<void> {
    try {
      const stream = await engine.stream({
        operation: 'follow container events',
        method: 'GET',
        path: '/events',
        query: { since, filters: JSON.stringify({ container: [id] }) },
        signal: this.abort.signal,
      });
      let partial = '';
      for await (const chunk of stream) {
        const lines = (partial + (chunk as Buffer).toString('utf8')).split('\n');
        partial = (lines.pop() ?? '').slice(-64 * 1024);
        for (const line of lines) this.onEvent(line, id);
        if (this.removed) break;
      }
    } catch {
      // aborted, or the engine went away: the engine's own answer stands
    } finally {
      this.ended = true;
      this.abort.abort();
      this.notify();
    }
  }

  private onEvent(line: string, id: string): void {
    let event: WireEvent;
    try {
      event = JSON.parse(line) as WireEvent;
    } catch {
      return;
    }
    if (event.id !== id) return;
    const action = event.Action ?? event.status;
    const code = Number(event.Actor?.Attributes?.exitCode ?? event.Actor?.Attributes?.containerExitCode);
    if (action === 'die' && Number.isInteger(code)) {
      this.lastDie = code;
      // Event times are the engine's clock, the same host's; a second's margin covers rounding.
      if (this.dieSinceWait === undefined && (event.timeNano ?? 0) / 1e6 >= this.waitStart - 1000)
        this.dieSinceWait = code;
    }
    if (action === 'remove') this.removed = true;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The exit code (undefined when the engine's log did not tell it in time). */
  async exitCode(): Promise<number | undefined> {
    const deadline = Date.now() + SETTLE_MS;
    while (this.dieSinceWait === undefined && !this.removed && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.stop();
    return this.dieSinceWait ?? (this.removed ? this.lastDie : undefined);
  }

  /** Stops following. */
  stop(): void {
    this.abort.abort();
  }
}
