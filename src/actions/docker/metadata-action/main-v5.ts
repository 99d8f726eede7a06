/** docker/metadata-action v5 (see run.ts). */
import { runMetadataAction } from './run.js';

runMetadataAction(5);
