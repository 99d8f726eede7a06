/** build-push-action's post step: the temporary directory (iidfile, metadata file, a fetched Git context) goes. */
import * as core from '@actions/core';
import { rmSync } from 'node:fs';
import { runStep } from '../../shared/action-entry.js';

runStep(() => {
  const tempDir = core.getState('tmpDir');
  if (!tempDir) return;
  core.info(`Removing temp folder ${tempDir}`);
  try {
    rmSync(tempDir, { recursive: true, force: true });
  } catch {
    core.warning(`Failed to remove temp folder ${tempDir}`);
  }
});
