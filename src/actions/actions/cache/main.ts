/**
 * actions/cache@v4's main step: restore by @actions/cache from the results service (exact key,
 * then prefixes; the job's ref, then the default branch). cache-hit is set only when an entry
 * was found (`true` for the exact key), as upstream does; the keys go to the post step.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { inputFlag } from '../../shared/input-flags.js';
import { cacheClient } from '../../shared/toolkit.js';
import { crossOs, listInput, MATCHED_KEY_STATE, PRIMARY_KEY_STATE } from './inputs.js';

runStep(async () => {
  const cache = cacheClient();
  if (!cache.isFeatureAvailable()) {
    core.warning(
      'Cache action is only supported on GHES version >= 3.5. If you are on version >=3.5 Please check with GHES admin if Actions cache service is enabled or not.',
    );
    return;
  }
  const primaryKey = core.getInput('key', { required: true });
  core.saveState(PRIMARY_KEY_STATE, primaryKey);
  const restoreKeys = listInput('restore-keys');
  const paths = listInput('path', true);
  const lookupOnly = inputFlag('lookup-only');
  const matched = await cache.restoreCache(paths, primaryKey, restoreKeys, { lookupOnly }, crossOs());
  if (matched === undefined) {
    if (inputFlag('fail-on-cache-miss')) {
      throw new Error(`Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${primaryKey}`);
    }
    core.info(`Cache not found for input keys: ${[primaryKey, ...restoreKeys].join(', ')}`);
    return;
  }
  core.saveState(MATCHED_KEY_STATE, matched);
  core.setOutput('cache-hit', String(matched.localeCompare(primaryKey, undefined, { sensitivity: 'accent' }) === 0));
  core.info(
    lookupOnly ? `Cache found and can be restored from key: ${matched}` : `Cache restored from key: ${matched}`,
  );
});
