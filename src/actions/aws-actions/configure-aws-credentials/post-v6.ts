/**
 * configure-aws-credentials v6's post step (skipped by the runner when AWS_SKIP_CLEANUP_STEP is
 * `true`: action.yml's post-if): blanks what the main step exported, AWS_PROFILE included; with
 * aws-profile nothing was exported unless output-env-credentials said so.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { strictFlag } from '../../shared/input-flags.js';
import { unsetCredentials } from './exports.js';

runStep(() => {
  const profile = core.getInput('aws-profile');
  if (strictFlag('output-env-credentials', !profile)) unsetCredentials(Boolean(profile));
});
