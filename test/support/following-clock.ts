/**
 * A ManualClock that follows wall time (a real timer moves it every few milliseconds, firing
 * the cloud's timers as it goes) and that a test can also move ahead at once with `advance`:
 * a running cloud behaves as on the system clock, and a test proves that nothing happens
 * within a span by skipping the span, not by sleeping through it.
 */
import { ManualClock } from '../../src/core/clock.js';

const FOLLOW_MS = 5;

export class FollowingClock extends ManualClock {
  private wall = Date.now();
  private readonly driver: NodeJS.Timeout;

  constructor() {
    super(Date.now());
    this.driver = setInterval(() => {
      const now = Date.now();
      const elapsed = now - this.wall;
      this.wall = now;
      this.advance(elapsed);
    }, FOLLOW_MS);
    this.driver.unref();
  }

  /** Stops following wall time (the clock keeps its time and timers). */
  stop(): void {
    clearInterval(this.driver);
  }
}
