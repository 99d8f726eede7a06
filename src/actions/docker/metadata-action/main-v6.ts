/** docker/metadata-action v6 (see run.ts). */
import { runMetadataAction } from './run.js';

runMetadataAction(6);
