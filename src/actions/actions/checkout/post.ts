/**
 * actions/checkout's post step: removes the persisted auth header from the checked-out
 * repository's config, so the job's token does not outlive the job in .git/config.
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStep } from '../../shared/action-entry.js';
import { runCommand } from '../../shared/run-command.js';

runStep(async () => {
  const path = core.getState('repositoryPath');
  const key = core.getState('extraHeaderKey');
  if (!path || !key || !existsSync(join(path, '.git'))) return;
  core.info(`[command]/usr/bin/git config --local --unset-all ${key}`);
  await runCommand('git', ['config', '--local', '--unset-all', key], { cwd: path });
});
