/**
 * The injected clock. Everything that depends on time (token expiry, SigV4 skew, session
 * lifetimes, later schedules) asks a Clock, so tests move time instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and benchmarks. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  set(to: Date): void {
    this.ms = to.getTime();
  }
}
