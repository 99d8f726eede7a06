/**
 * configure-aws-credentials' retry policy for getIDToken and the AssumeRole calls: up to
 * `maxAttempts` attempts in all (12 by default), sleeping a random 0…2^n·50 ms between them;
 * with retries disabled the first error is final.
 */

/** Calls `fn` until it succeeds or `maxAttempts` attempts have failed; rethrows the last error. */
export async function retryAndBackoff<T>(
  fn: () => Promise<T>,
  retryable: boolean,
  maxAttempts: number,
  baseMs = 50,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!retryable) throw error;
      // Reproduced quirk: the real action sleeps even after the last failed attempt.
      await sleep(Math.random() * 2 ** attempt * baseMs);
      if (attempt + 1 >= maxAttempts) throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
