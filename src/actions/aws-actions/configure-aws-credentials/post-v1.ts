/** configure-aws-credentials v1 and v2's post step: always blanks the credential and region variables. */
import { runStep } from '../../shared/action-entry.js';
import { unsetCredentials } from './exports.js';

runStep(() => unsetCredentials());
