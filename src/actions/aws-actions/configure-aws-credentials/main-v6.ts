/** configure-aws-credentials v6's main step: aws-profile, sts-endpoint, custom-tags, stricter validation (./configure.ts). */
import { runStep } from '../../shared/action-entry.js';
import { configureCredentials } from './configure.js';

runStep(() => configureCredentials(6));
