/**
 * How every built-in action's main and post programs run: the step's body is an async function;
 * whatever it throws becomes `::error::<message>` and exit code 1, which is what @actions/core's
 * setFailed does for the real actions.
 */
import * as core from '@actions/core';
import { errorMessage } from '../../core/errors.js';

/** Runs a step body and turns a failure into the runner's failed-step protocol. */
export function runStep(body: () => Promise<void> | void): void {
  // dockyard runs on Node 20, which the SDK versions in the lockfile support; their notice about
  // future versions is noise in every step's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  Promise.resolve()
    .then(body)
    .catch((error: unknown) => core.setFailed(errorMessage(error)));
}
