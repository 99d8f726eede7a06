/**
 * `dockyard demo --example node-app`: examples/node-app on this machine. Its AWS resources are
 * created (the secret and parameter its task definition names, execution, task and deploy
 * roles, ECR, cluster, both services), its build context prepared offline (dependencies from
 * dockyard's own node_modules, TypeScript compiled), its repository hosted and pushed; the
 * workflow deploys the worker then the app, and the demo prints what the app reports: the
 * secret (masked) and the parameter it was given, who STS says it is, and the worker's answer
 * at its private IP. Idempotent like the seed's demo: its own repository and working copy are reset.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_APP, prepareNodeAppContext, provisionNodeApp } from '../seed/node-app.js';
import { primaryTaskPublicIp } from '../seed/public-ip.js';
import { makePrivateDir } from '../store/private-files.js';
import { CliError } from './command.js';
import { ControlClient } from './control-client.js';
import { cloudSession } from './cloud-session.js';
import { ensureBaseImage } from './demo-support.js';
import { pushWatchingDeployment } from './demo-watch.js';
import { addRemote } from './repo.js';
import type { RunningCloud } from './running.js';

export async function nodeAppDemo(root: string, dataDir: string, cloud: RunningCloud, dataFlag: string): Promise<void> {
  const example = join(root, 'examples', 'node-app');
  step('base image node:20-slim for the Dockerfile');
  done(await ensureBaseImage(root, 'docker.io/library/node:20-slim'));

  const { aws } = cloudSession(dataDir, cloud);
  step("node-app's AWS resources");
  await provisionNodeApp(aws, cloud.accountId, cloud.region, example, (what) => done(what));

  step(`host ${NODE_APP.repository}, prepare the build context offline, push to main`);
  const api = ControlClient.forDataDir(dataDir);
  await api.delete(`/repos/${NODE_APP.repository}`).catch(() => undefined);
  const repo = await api.post<{ cloneUrl: string }>('/repos', { name: NODE_APP.repository });
  const work = join(dataDir, 'demo', 'node-app');
  rmSync(work, { recursive: true, force: true });
  makePrivateDir(dirname(work));
  cpSync(example, work, { recursive: true });
  if (cloud.accountId !== '000000000000')
    for (const file of ['ecs-task-def.json', 'ecs-worker-def.json', '.github/workflows/deployment.yaml']) {
      const path = join(work, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll('000000000000', cloud.accountId));
    }
  prepareNodeAppContext(work, root);
  git(work, ['init', '-q', '-b', 'main']);
  git(work, ['add', '-A']);
  git(work, ['commit', '-qm', 'node-app']);
  addRemote('dockyard', repo.cloneUrl, dataDir, work);
  done(`${repo.cloneUrl} (working copy: ${work})`);
  const ecs = new ECSClient(aws);
  const pushed = await pushWatchingDeployment(work, ecs, api, {
    repository: NODE_APP.repository,
    hints: { cluster: NODE_APP.cluster, service: NODE_APP.service, dataFlag },
  });
  if (pushed.status !== 0 || pushed.verdict !== true)
    throw new CliError(`the workflow run did not succeed; see \`dockyard runs list${dataFlag}\``);

  step('the app reports');
  const ec2 = new EC2Client(aws);
  const deadline = Date.now() + 60_000;
  let ip: string | undefined;
  while (!(ip = await primaryTaskPublicIp(ecs, ec2, NODE_APP.cluster, NODE_APP.service))) {
    if (Date.now() > deadline) throw new CliError('the app service has no running task with a public IP');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const url = `http://${ip}/`;
  const report = await fetchReport(url);
  for (const line of report.split('\n')) process.stdout.write(`    ${line}\n`);
  process.stdout.write(
    `\nThe app keeps running at ${url}. Its log: bin/dockyard logs --cluster ${NODE_APP.cluster} --service ${NODE_APP.service}${dataFlag}\n`,
  );
}

async function fetchReport(url: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (response.ok) return (await response.text()).trim();
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (Date.now() > deadline) throw new CliError(`${url} does not answer: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function git(cwd: string, args: string[]): void {
  const result = spawnSync(
    'git',
    ['-c', 'user.name=dockyard demo', '-c', 'user.email=demo@dockyard.invalid', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new CliError(`git ${args[0]} failed: ${result.stderr.trim()}`);
}

function step(text: string): void {
  process.stdout.write(`\n▸ ${text}\n`);
}
function done(text: string): void {
  process.stdout.write(`  ✓ ${text}\n`);
}
