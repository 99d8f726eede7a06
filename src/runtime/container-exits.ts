/**
 * ContainerExits: tells the runtime when a task's container exits, from one event stream of the
 * engine for all of this cloud's containers (label `dockyard.cloud=<label>`), not a `wait`
 * request per container: Podman's compat `wait` polls the container's state, and a hundred
 * waiters kept Podman's service busy at more than a core while every task sat idle.
 *
 * - `watch(id, signal)` resolves with the exit code when the container dies (the event's
 *   exitCode, else inspect's); it rejects with the signal's reason when the watch is aborted.
 * - A container that died before its watch began, or while the stream was down, is caught by
 *   one inspect when the watch begins and after every reconnect.
 * - The stream reconnects after a pause when the engine ends it; it stops with `close()`.
 */
import type { Logger } from '../core/logger.js';
import type { ContainerEngine } from '../engine/contract.js';

/** Pause before reconnecting a broken event stream (ms). */
const RECONNECT_MS = 1000;

interface Watch {
  resolve(exitCode: number): void;
}

export class ContainerExits {
  private readonly watches = new Map<string, Watch>();
  private abort: AbortController | undefined;
  /** Resolves once the stream is subscribed (the engine answered the request). */
  private subscribed: Promise<void> | undefined;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly labels: Record<string, string>,
    private readonly logger: Logger,
  ) {}

  /** The container's exit code once it is not running. */
  async watch(id: string, signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    const exited = new Promise<number>((resolve, reject) => {
      this.watches.set(id, { resolve });
      signal.addEventListener(
        'abort',
        () => {
          this.watches.delete(id);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
    await this.ensureStream();
    void this.check(id);
    return exited;
  }

  /** Stops following events; pending watches stay pending until their signals abort. */
  close(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.subscribed = undefined;
  }

  private ensureStream(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    const abort = new AbortController();
    this.abort = abort;
    let ready!: () => void;
    this.subscribed = new Promise<void>((resolve) => (ready = resolve));
    void this.follow(abort.signal, ready);
    return this.subscribed;
  }

  private async follow(signal: AbortSignal, ready: () => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const events = await this.engine.containerEvents({ labels: this.labels, signal });
        // Subscribed: from here no exit is missed; what happened before, inspect tells.
        ready();
        for (const id of [...this.watches.keys()]) void this.check(id);
        for await (const event of events) if (event.action === 'die') this.settle(event.id, event.exitCode);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn('container event stream failed; reconnecting', { error: String(error) });
      }
      // A first subscription that failed must not hold watches back; they inspect meanwhile.
      ready();
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS).unref());
    }
  }

  /** Settles the watch of a container that is no longer running. */
  private async check(id: string): Promise<void> {
    if (!this.watches.has(id)) return;
    try {
      const details = await this.engine.inspectContainer(id);
      if (!details.running && details.status !== 'created') this.settle(id, details.exitCode);
    } catch (error) {
      // Gone altogether (removed behind our back): it exited.
      if ((error as { code?: string }).code === 'NotFound') this.settle(id, undefined);
    }
  }

  private settle(id: string, exitCode: number | undefined): void {
    const watch = this.watches.get(id);
    if (!watch) return;
    this.watches.delete(id);
    if (exitCode !== undefined) {
      watch.resolve(exitCode);
      return;
    }
    this.engine.inspectContainer(id).then(
      (d) => watch.resolve(d.exitCode ?? -1),
      () => watch.resolve(-1),
    );
  }
}
