/**
 * configure-aws-credentials v3 and v4's post step: blanks the credential and region variables
 * it exported, unless output-env-credentials was turned off (then it exported none).
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { unsetCredentials } from './exports.js';

runStep(() => {
  // Reproduced quirk: compared case-sensitively here, unlike in the main step.
  if ((core.getInput('output-env-credentials') || 'true') === 'true') unsetCredentials();
});
