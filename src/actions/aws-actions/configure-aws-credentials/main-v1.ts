/** configure-aws-credentials v1's main step (./legacy.ts). */
import { runStep } from '../../shared/action-entry.js';
import { configureLegacyCredentials } from './legacy.js';

runStep(() => configureLegacyCredentials(1));
