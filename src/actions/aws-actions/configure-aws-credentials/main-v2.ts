/** configure-aws-credentials v2's main step: v1's, with role-chaining, session policies and http-proxy (./legacy.ts). */
import { runStep } from '../../shared/action-entry.js';
import { configureLegacyCredentials } from './legacy.js';

runStep(() => configureLegacyCredentials(2));
