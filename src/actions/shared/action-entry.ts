/**
 * How every built-in action's main and post programs run: the step's body is an async function;
 * whatever it throws becomes `::error::<message>` and exit code 1, which is what @actions/core's
 * setFailed does for the real actions.
 */
import * as core from '@actions/core';

/** The message an action reports for a thrown value (the real actions print `error.message`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a step body and turns a failure into the runner's failed-step protocol. */
export function runStep(body: () => Promise<void> | void): void {
  Promise.resolve()
    .then(body)
    .catch((error: unknown) => core.setFailed(errorMessage(error)));
}
