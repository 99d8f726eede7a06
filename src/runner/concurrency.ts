/**
 * Concurrency groups (`concurrency:` on a workflow or a job), per repository, in memory.
 *
 * Reproduced from GitHub: at most one run (or job) in progress and one pending per group; a new
 * request replaces the pending one (which is cancelled); with `cancel-in-progress: true` it also
 * cancels the one in progress, then waits for it to finish. The message is GitHub's.
 * By design: groups live in memory; runs do not survive a restart either.
 */

/** Whoever holds or waits for a group; `cancel` is called when a newer request displaces it. */
export interface ConcurrencyHolder {
  cancel(message: string): void;
}

interface Waiter {
  holder: ConcurrencyHolder;
  grant(release: () => void): void;
  displace(message: string): void;
}

interface Group {
  running?: Waiter;
  pending?: Waiter;
}

export type Acquired = { release: () => void } | { cancelled: string };

/** GitHub's wording when a newer run or job displaces this one. */
export function displacedMessage(group: string): string {
  return `Canceling since a higher priority waiting request for '${group}' exists`;
}

export class ConcurrencyGroups {
  private readonly groups = new Map<string, Group>();

  /** Waits until `holder` may run in the group (repository-scoped `key`), or is displaced. */
  acquire(key: string, group: string, cancelInProgress: boolean, holder: ConcurrencyHolder): Promise<Acquired> {
    const state = this.groups.get(key) ?? {};
    this.groups.set(key, state);
    return new Promise<Acquired>((resolve) => {
      const waiter: Waiter = {
        holder,
        grant: (release) => resolve({ release }),
        displace: (message) => resolve({ cancelled: message }),
      };
      const release = () => this.release(key, waiter);
      if (state.pending !== undefined) {
        const displaced = state.pending;
        state.pending = undefined;
        displaced.displace(displacedMessage(group));
      }
      if (state.running === undefined) {
        state.running = waiter;
        waiter.grant(release);
        return;
      }
      if (cancelInProgress) state.running.holder.cancel(displacedMessage(group));
      state.pending = waiter;
    });
  }

  private release(key: string, waiter: Waiter): void {
    const state = this.groups.get(key);
    if (state === undefined || state.running !== waiter) return;
    const next = state.pending;
    state.pending = undefined;
    state.running = next;
    if (next === undefined) {
      this.groups.delete(key);
      return;
    }
    next.grant(() => this.release(key, next));
  }
}
