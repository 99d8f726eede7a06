/** configure-aws-credentials v5's post step: v4's, with output-env-credentials read strictly (`yes` fails the step). */
import { runStep } from '../../shared/action-entry.js';
import { strictFlag } from '../../shared/input-flags.js';
import { unsetCredentials } from './exports.js';

runStep(() => {
  if (strictFlag('output-env-credentials', true)) unsetCredentials();
});
