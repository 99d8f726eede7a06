/** docker/login-action's post step: `docker logout` from each registry, unless `logout: false`. */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { logout } from './login.js';

runStep(async () => {
  if (core.getState('logout') !== 'true') return;
  const saved = core.getState('registries');
  const registries = saved ? (JSON.parse(saved) as { registry: string; configDir: string }[]) : [];
  for (const { registry, configDir } of registries) {
    core.startGroup(`Logout from ${registry}`);
    await logout(registry, configDir);
    core.endGroup();
  }
});
