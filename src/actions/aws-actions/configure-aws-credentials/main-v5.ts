/** configure-aws-credentials v5's main step: strict booleans, allowed-account-ids, force-skip-oidc (./configure.ts). */
import { runStep } from '../../shared/action-entry.js';
import { configureCredentials } from './configure.js';

runStep(() => configureCredentials(5));
