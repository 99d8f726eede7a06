/** configure-aws-credentials v3 and v4's main step (v3 is v4.0.0 on node16: decision 50). */
import { runStep } from '../../shared/action-entry.js';
import { configureCredentials } from './configure.js';

runStep(() => configureCredentials(4));
