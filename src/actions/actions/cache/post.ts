/**
 * actions/cache@v4's post step: save `path` under the primary key unless the main step restored
 * exactly that key; a key another job already saved is reported and skipped, not a failure.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { cacheClient } from '../../shared/toolkit.js';
import { crossOs, listInput, MATCHED_KEY_STATE, PRIMARY_KEY_STATE } from './inputs.js';

runStep(async () => {
  const cache = cacheClient();
  if (!cache.isFeatureAvailable()) return;
  const primaryKey = core.getState(PRIMARY_KEY_STATE) || core.getInput('key');
  if (primaryKey === '') {
    core.warning('Key is not specified.');
    return;
  }
  const restored = core.getState(MATCHED_KEY_STATE);
  if (restored !== '' && restored.localeCompare(primaryKey, undefined, { sensitivity: 'accent' }) === 0) {
    core.info(`Cache hit occurred on the primary key ${primaryKey}, not saving cache.`);
    return;
  }
  const chunk = core.getInput('upload-chunk-size');
  const options = chunk === '' ? {} : { uploadChunkSize: Number(chunk) };
  const id = await cache.saveCache(listInput('path', true), primaryKey, options, crossOs());
  if (id !== -1) core.info(`Cache saved with key: ${primaryKey}`);
});
