/**
 * configure-aws-credentials' retry policy for getIDToken, the AssumeRole calls and (v6) the
 * credential checks: up to `maxAttempts` attempts in all (12 by default), sleeping a random
 * 0…2^n·50 ms between them; with retries disabled the first error is final. v5.1 reports each
 * failed attempt as a debug line, v6 as an info line naming the operation.
 */
import * as core from '@actions/core';
import { errorMessage } from '../../../core/errors.js';

/** How attempts are reported: not at all (v1–v5.0), as debug lines (v5.1), or as info lines with the operation's name (v6). */
export type RetryReport = { style: 'none' } | { style: 'debug' } | { style: 'info'; label: string };

/** Calls `fn` until it succeeds or `maxAttempts` attempts have failed; rethrows the last error. */
export async function retryAndBackoff<T>(
  fn: () => Promise<T>,
  retryable: boolean,
  maxAttempts: number,
  report: RetryReport = { style: 'none' },
  baseMs = 50,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!retryable) {
        if (report.style !== 'none') core.debug(`retryAndBackoff: error is not retryable: ${errorMessage(error)}`);
        throw error;
      }
      const delay = Math.random() * 2 ** attempt * baseMs;
      const next = attempt + 1;
      if (report.style === 'debug')
        core.debug(
          `retryAndBackoff: attempt ${next} of ${maxAttempts} failed: ${errorMessage(error)}. Retrying after ${Math.floor(delay)}ms.`,
        );
      if (report.style === 'info')
        core.info(
          `Retry ${report.label}: attempt ${next} of ${maxAttempts} failed: ${errorMessage(error)}. Retrying after ${Math.floor(delay)}ms.`,
        );
      // Reproduced quirk: the real action sleeps even after the last failed attempt.
      await sleep(delay);
      if (next >= maxAttempts) {
        if (report.style === 'debug') core.debug('retryAndBackoff: reached max retries; giving up.');
        if (report.style === 'info')
          core.info(`Retry ${report.label}: reached max retries (${maxAttempts}); giving up.`);
        throw error;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
