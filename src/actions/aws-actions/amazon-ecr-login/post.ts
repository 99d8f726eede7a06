/**
 * amazon-ecr-login's post step: `docker logout` from every registry the main step logged into
 * (none were saved with skip-logout); every logout is tried before failing.
 */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { runCommand } from '../../shared/run-command.js';

runStep(async () => {
  const saved = core.getState('registries');
  if (!saved) return;
  const failed: string[] = [];
  for (const registry of saved.split(',')) {
    core.info(`Logging out of registry ${registry}`);
    const result = await runCommand('docker', ['logout', registry]);
    if (result.exitCode !== 0) {
      core.debug(result.stdout);
      core.error(`Could not logout of registry ${registry}: ${result.stderr}`);
      failed.push(registry);
    }
  }
  if (failed.length > 0) throw new Error(`Failed to logout: ${failed.join(',')}`);
});
