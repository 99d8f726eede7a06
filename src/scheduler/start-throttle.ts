/**
 * ECS's service throttle logic: when a service's tasks keep going from PENDING straight to
 * STOPPED (an image that cannot be pulled, a container that cannot be created), the time between
 * restart attempts grows, up to 15 minutes, and the service reports that it "is unable to
 * consistently start tasks successfully". A task that reached RUNNING never counts, and a new
 * deployment starts over (AWS: "update your service to use a new task definition").
 *
 * AWS publishes no schedule beyond the 15-minute cap; ours: the first two failures in a row are
 * retried at once (a transient pull error costs nothing), then 10 s, doubling per failure.
 */

export interface StartThrottleTimings {
  /** Consecutive failures retried without delay before the throttle starts. */
  freeRetries: number;
  /** The delay after the first throttled failure; it doubles with each further one. */
  firstDelayMs: number;
  /** AWS's cap. */
  maxDelayMs: number;
}

export const DEFAULT_START_THROTTLE: StartThrottleTimings = {
  freeRetries: 2,
  firstDelayMs: 10_000,
  maxDelayMs: 15 * 60_000,
};

/** The PRIMARY deployment's tasks that stopped without reaching RUNNING since its last one that did. */
export interface StartFailures {
  count: number;
  /** When the latest of them stopped. */
  lastAt: Date;
}

/** How long after the latest failure the next start may happen (0: at once). */
export function startDelayMs(failures: number, timings: StartThrottleTimings = DEFAULT_START_THROTTLE): number {
  if (failures <= timings.freeRetries) return 0;
  return Math.min(timings.maxDelayMs, timings.firstDelayMs * 2 ** (failures - timings.freeRetries - 1));
}

/** Until when new tasks must wait; undefined when they need not. */
export function throttledUntil(
  failures: StartFailures | undefined,
  now: Date,
  timings: StartThrottleTimings = DEFAULT_START_THROTTLE,
): Date | undefined {
  if (!failures) return undefined;
  const until = failures.lastAt.getTime() + startDelayMs(failures.count, timings);
  return until > now.getTime() ? new Date(until) : undefined;
}

/**
 * Counts the start failures from the PRIMARY deployment's stopped tasks (`startedAt`: when a
 * task reached RUNNING) and the latest RUNNING start among its tasks, stopped or live.
 */
export function countStartFailures(
  stopped: readonly { startedAt?: Date; stoppedAt?: Date }[],
  latestRunningStart: Date | undefined,
): StartFailures | undefined {
  const since = latestRunningStart?.getTime() ?? -Infinity;
  let count = 0;
  let lastAt = -Infinity;
  for (const task of stopped) {
    const stoppedAt = task.stoppedAt?.getTime();
    if (task.startedAt !== undefined || stoppedAt === undefined || stoppedAt <= since) continue;
    count++;
    lastAt = Math.max(lastAt, stoppedAt);
  }
  return count === 0 ? undefined : { count, lastAt: new Date(lastAt) };
}
