/**
 * The injected clock. Everything that depends on time (token expiry, SigV4 skew, session
 * lifetimes, the runtime's tick, housekeeping) asks a Clock for the time and for its timers,
 * so tests move time instead of sleeping.
 */

/** A pending timer; `unref` lets the process exit while it waits, as Node's timers do. */
export interface ClockTimer {
  unref(): void;
}

export interface Clock {
  now(): Date;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  setInterval(callback: () => void, ms: number): ClockTimer;
  /** Cancels a timer of either kind; undefined and spent timers are ignored. */
  clearTimer(timer: ClockTimer | undefined): void;
}

/** Wall-clock time and Node's own timers. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearTimer: (timer) => {
    // Node's clearTimeout clears intervals too; anything else is not one of ours.
    if (timer !== undefined) clearTimeout(timer as NodeJS.Timeout);
  },
};

interface ManualTimer extends ClockTimer {
  due: number;
  /** Repeats every `every` ms; undefined for a one-shot timer. */
  every: number | undefined;
  callback: () => void;
  order: number;
}

/**
 * A clock that only moves when told to; for tests and benchmarks. Its timers fire during
 * `advance`, in due order, each seeing `now()` at its own due time.
 */
export class ManualClock implements Clock {
  private ms: number;
  private readonly timers = new Set<ManualTimer>();
  private created = 0;

  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    return this.add(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): ClockTimer {
    return this.add(callback, ms, Math.max(1, ms));
  }

  clearTimer(timer: ClockTimer | undefined): void {
    if (timer !== undefined) this.timers.delete(timer as ManualTimer);
  }

  /** How many timers are waiting (a test can check that something stopped its timers). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.ms + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.ms = next.due;
      if (next.every === undefined) this.timers.delete(next);
      else next.due += next.every;
      next.callback();
    }
    this.ms = target;
  }

  /** Sets the time; timers due by then fire as with `advance`, and a step back fires none. */
  set(to: Date): void {
    const ms = to.getTime();
    if (ms >= this.ms) this.advance(ms - this.ms);
    else this.ms = ms;
  }

  private add(callback: () => void, ms: number, every: number | undefined): ClockTimer {
    const timer: ManualTimer = { due: this.ms + Math.max(0, ms), every, callback, order: this.created++, unref() {} };
    this.timers.add(timer);
    return timer;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.due > limit) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
    }
    return next;
  }
}
