/**
 * The one way tests wait: poll a condition until it yields a value, with a deadline. Never a
 * fixed sleep. `check` may be synchronous or not; it is done when it returns anything but
 * undefined or false (that value is returned). An error it throws counts as "not yet" and is
 * reported if the deadline passes. Polls start at 5 ms apart and back off to 100 ms, so a
 * quick condition is seen at once and a slow one (an engine, a deployment) is not hammered.
 */
export interface WaitOptions {
  /** How long to wait before failing (ms). Default 10 s. */
  timeoutMs?: number;
}

export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, undefined | false>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let interval = 5;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`,
      );
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(100, interval * 2);
  }
}
