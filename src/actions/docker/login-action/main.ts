/** docker/login-action's main step (see login.ts): every registry logged into, the list saved for the post step. */
import * as core from '@actions/core';
import { runStep } from '../../shared/action-entry.js';
import { authList, login } from './login.js';

runStep(async () => {
  const logoutInput = core.getInput('logout');
  const logoutAtEnd = logoutInput === '' ? true : core.getBooleanInput('logout');
  const auths = authList({
    registry: core.getInput('registry'),
    username: core.getInput('username'),
    password: core.getInput('password'),
    scope: core.getInput('scope'),
    ecr: core.getInput('ecr'),
    registryAuth: core.getInput('registry-auth'),
  });
  core.saveState('logout', String(logoutAtEnd));
  const unique = [
    ...new Map(
      auths.map((a) => [`${a.registry}|${a.configDir}`, { registry: a.registry, configDir: a.configDir }]),
    ).values(),
  ];
  core.saveState('registries', JSON.stringify(unique));
  // By design: ECR logins go to the proxy endpoints ECR answers (the cloud's registry here, the
  // same host on AWS), and those are logged out too, so no credential outlives the job.
  const save = (logged: string[], configDir: string) => {
    for (const registry of logged)
      if (!unique.some((u) => u.registry === registry && u.configDir === configDir))
        unique.push({ registry, configDir });
    core.saveState('registries', JSON.stringify(unique));
  };
  if (auths.length === 1 && auths[0]) {
    save(await login(auths[0]), auths[0].configDir);
    return;
  }
  for (const auth of auths) {
    core.startGroup(`Login to ${auth.registry}`);
    try {
      save(await login(auth), auth.configDir);
    } finally {
      core.endGroup();
    }
  }
});
