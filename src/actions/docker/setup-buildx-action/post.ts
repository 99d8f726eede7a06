/** setup-buildx-action's post step: the builder it created is removed (unless `cleanup: false`). */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { lastLine, runBuildx } from '../buildx-runner.js';

runStep(async () => {
  const name = core.getState('builderName');
  if (core.getState('cleanup') !== 'true' || !name || core.getState('builderDriver') === 'docker') return;
  core.startGroup('Removing builder');
  const removed = await runBuildx(['rm', name]);
  if (removed.exitCode !== 0) core.warning(lastLine(removed.stderr));
  core.endGroup();
});
