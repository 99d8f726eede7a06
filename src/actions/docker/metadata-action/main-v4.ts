/** docker/metadata-action v4 (see run.ts). */
import { runMetadataAction } from './run.js';

runMetadataAction(4);
