/**
 * `dockyard demo`: the seed's whole system on this machine. It starts the cloud, makes sure the
 * base image the seed's Dockerfile needs is in the engine, performs Steps 2 and 3 through the
 * AWS APIs, hosts the seed's repository (examples/seed-app, deploying from main, the branch
 * its trust policy admits), pushes it and follows the workflow run, waits for the service and
 * prints where the app answers. Then it commits a changed message, pushes again and shows
 * the rolling deployment switching to the new text with no failed request in between. If the
 * deployment a push starts stalls (its tasks keep stopping), it cancels the run and stops with
 * the reason and what to try, exiting non-zero (demo-watch.ts).
 *
 * Idempotent: a second run reuses the cloud, the AWS resources and the service, and resets only
 * its own repository and working copy (<data>/demo/ecsapp). The cloud and the app keep running.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { provisionSeed, SEED } from '../seed/provision.js';
import { primaryTaskPublicIp } from '../seed/public-ip.js';
import { makePrivateDir } from '../store/private-files.js';
import { CliError, parseFlags, parsePort, stringFlag, type Command } from './command.js';
import { ControlClient } from './control-client.js';
import { cloudSession } from './cloud-session.js';
import { nodeAppDemo } from './demo-node-app.js';
import { ensureBaseImage, watchResponses } from './demo-support.js';
import { pushWatchingDeployment } from './demo-watch.js';
import { endpointPorts, endpointUrl } from './endpoint-ports.js';
import { addRemote } from './repo.js';
import { runningCloud } from './running.js';
import { startDetached } from './up.js';
import { consoleUrl } from './console.js';

const USAGE = `Usage: dockyard demo [--data DIR] [--port N] [--example seed-app|node-app]

The seed's pipeline end to end on this machine: starts the cloud (if it is not running), builds
the python:3.11-slim base image offline if the engine lacks it, creates the seed's AWS resources,
hosts its repository, pushes it (the workflow builds, pushes and deploys the Flask app with OIDC
credentials), prints the app's URL, then pushes a change and shows the rolling deployment.
Running it again reuses everything and resets only the demo's own repository.
--example node-app deploys examples/node-app instead: a TypeScript service whose task reads a
secret and a parameter, calls STS and SSM as its task role and reaches a worker task.`;

/** The package root: dist/src/cli/demo.js → three levels up. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
const SEED_MESSAGE = '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!';

export const demoCommand: Command = {
  name: ['demo'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(
      argv,
      { data: { type: 'string' }, port: { type: 'string' }, example: { type: 'string' } },
      USAGE,
    );
    if (!flags) return 0;
    const dataDir = resolveDataDir(stringFlag(flags, 'data'));
    const started = Date.now();

    let cloud = runningCloud(dataDir);
    if (!cloud) {
      step(`starting the local cloud (data: ${dataDir})`);
      cloud = await startDetached(['--port', String(parsePort(stringFlag(flags, 'port'), DEFAULTS.port))], dataDir);
    }
    done(`cloud at ${cloud.url}, account ${cloud.accountId}, region ${cloud.region}`);
    const example = stringFlag(flags, 'example') ?? 'seed-app';
    if (example === 'node-app') {
      await nodeAppDemo(ROOT, dataDir, cloud, stringFlag(flags, 'data') ? ` --data ${dataDir}` : '');
      return 0;
    }
    if (example !== 'seed-app')
      throw new CliError(`--example must be seed-app or node-app, not ${example.slice(0, 64)}`);

    step("base image python:3.11-slim for the seed's Dockerfile");
    done(await ensureBaseImage(ROOT));

    const { aws } = cloudSession(dataDir, cloud);
    step("the seed's Steps 3 and 2 through the AWS APIs");
    const seed = await provisionSeed(aws, cloud.accountId, EXAMPLE, (what, detail) =>
      done(detail ? `${what}: ${detail}` : what),
    );

    step(`host ${SEED.repository} and push the seed's app to main`);
    const api = ControlClient.forDataDir(dataDir);
    const ecs = new ECSClient(aws);
    const dataFlag = stringFlag(flags, 'data') ? ` --data ${dataDir}` : '';
    const watched = { repository: SEED.repository, hints: { cluster: SEED.cluster, service: SEED.service, dataFlag } };
    await api.delete(`/repos/${SEED.repository}`).catch(() => undefined);
    const repo = await api.post<{ cloneUrl: string }>('/repos', { name: SEED.repository });
    const work = join(dataDir, 'demo', 'ecsapp');
    prepareWorkingCopy(work, repo.cloneUrl, dataDir, cloud.accountId);
    done(`${repo.cloneUrl} (working copy: ${work})`);
    process.stdout.write('  git push dockyard main\n');
    const first = await pushWatchingDeployment(work, ecs, api, watched);
    if (first.status !== 0) throw new CliError('git push failed (see above)');
    if (first.verdict !== true)
      throw new CliError(`the workflow run did not succeed; see \`dockyard runs list --data ${dataDir}\``);

    const ec2 = new EC2Client(aws);
    const taskUrl = await publicUrl(ecs, ec2);
    const serviceArn = `arn:aws:ecs:${cloud.region}:${cloud.accountId}:service/${SEED.cluster}/${SEED.service}`;
    const port = endpointPorts(dataDir, [serviceArn]).get(serviceArn);
    const endpoint = port === undefined ? undefined : endpointUrl(port);
    const answer = await fetchText(taskUrl);
    step('the app answers');
    done(`${taskUrl} → ${answer}`);
    if (endpoint) done(`${endpoint} (the service's stable endpoint) → ${await fetchText(endpoint)}`);

    step('change the message, commit, push: a rolling deployment');
    const newMessage = `🚢 Hello again from my-app, redeployed by dockyard at ${new Date().toISOString().slice(11, 19)} UTC`;
    const appPy = join(work, 'app.py');
    writeFileSync(appPy, readFileSync(appPy, 'utf8').replace(SEED_MESSAGE, newMessage));
    git(work, ['commit', '-qam', 'Change the greeting']);
    const watcher = endpoint ? watchResponses(endpoint) : undefined;
    const second = await pushWatchingDeployment(work, ecs, api, watched).catch(async (error: unknown) => {
      await watcher?.stop();
      throw error;
    });
    const seen = await watcher?.stop();
    if (second.status !== 0 || second.verdict !== true)
      throw new CliError(`the second run did not succeed; see \`dockyard runs list --data ${dataDir}\``);
    const newUrl = await publicUrl(ecs, ec2);
    done(`${newUrl} → ${await fetchText(newUrl)}`);
    if (seen) {
      done(
        `during the deployment the endpoint answered ${seen.ok} requests, ${seen.failed} failed; it served, in order:`,
      );
      for (const text of seen.distinct) process.stdout.write(`      ${text}\n`);
      if (seen.failures.length > 0) process.stdout.write(`    the failures: ${seen.failures.join('; ')}\n`);
    }

    const data = dataFlag;
    const cmd = (text: string, why: string) => `  ${text}\n      ${why}\n`;
    process.stdout.write(
      `\nDone in ${Math.round((Date.now() - started) / 1000)} s. The cloud and the app keep running: open ${newUrl}${endpoint ? ` (or the stable ${endpoint})` : ''}\n\nLook around:\n` +
        cmd(
          `bin/dockyard console${data}`,
          `the web console (${consoleUrl(cloud.url)}): the run's steps, the rolling deployment, why STS admitted the job`,
        ) +
        cmd(`bin/dockyard status${data}`, 'the services, their addresses and the latest runs') +
        cmd(
          `bin/dockyard logs --cluster ${SEED.cluster} --service ${SEED.service} --follow${data}`,
          "the app's output, from CloudWatch Logs",
        ) +
        cmd(`bin/dockyard runs list${data}`, "the workflow runs (runs view ID --log shows a run's log)") +
        cmd(`eval "$(bin/dockyard env${data})"`, 'then the AWS CLI against the local cloud, for example:') +
        cmd(
          `/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" ecs describe-services --cluster ${SEED.cluster} --services ${SEED.service}`,
          'the service, its deployments and events',
        ) +
        cmd(
          `bin/dockyard trust check --role-arn ${seed.roleArn} --repo ${SEED.repository} --ref refs/heads/master${data}`,
          "why the seed's own workflow (on master) would be refused",
        ) +
        cmd(
          `bin/dockyard bootstrap --repo ${SEED.repository} --workflow ${join(work, '.github/workflows/deployment.yaml')} --dry-run${data}`,
          "the least-privilege role for this workflow, instead of the seed's two full-access policies",
        ) +
        cmd(`cd ${work} && git push dockyard main`, 'push your own changes') +
        `Stop: bin/dockyard down${data}\n`,
    );
    return 0;
  },
};

/** A fresh working copy of examples/seed-app with the cloud as its `dockyard` remote. */
function prepareWorkingCopy(work: string, cloneUrl: string, dataDir: string, accountId: string): void {
  if (!existsSync(join(EXAMPLE, 'app.py'))) throw new CliError(`the example app is missing from ${EXAMPLE}`);
  rmSync(work, { recursive: true, force: true });
  makePrivateDir(dirname(work));
  cpSync(EXAMPLE, work, { recursive: true });
  if (accountId !== '000000000000') {
    for (const file of ['ecs-task-def.json', '.github/workflows/deployment.yaml']) {
      const path = join(work, file);
      writeFileSync(path, readFileSync(path, 'utf8').replaceAll('000000000000', accountId));
    }
  }
  git(work, ['init', '-q', '-b', 'main']);
  git(work, ['add', '-A']);
  git(work, ['commit', '-qm', 'add CI/CD']);
  addRemote('dockyard', cloneUrl, dataDir, work);
}

function git(cwd: string, args: string[]): void {
  const result = spawnSync(
    'git',
    ['-c', 'user.name=dockyard demo', '-c', 'user.email=demo@dockyard.invalid', ...args],
    { cwd, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new CliError(`git ${args[0]} failed: ${result.stderr.trim()}`);
}

/** The running task's public IP as a URL (the seed's Step 5: copy Public IP, open in a browser). */
async function publicUrl(ecs: ECSClient, ec2: EC2Client): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ip = await primaryTaskPublicIp(ecs, ec2, SEED.cluster, SEED.service);
    if (ip) return `http://${ip}/`;
    if (Date.now() > deadline) {
      const service = (await ecs.send(new DescribeServicesCommand({ cluster: SEED.cluster, services: [SEED.service] })))
        .services?.[0];
      throw new CliError(
        `the service has no running task with a public IP (${service?.events?.[0]?.message ?? 'no events'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The app's answer; waits (up to a minute) while the app in a just-started task comes up. */
async function fetchText(url: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const text = (await response.text()).trim();
      // The endpoint answers 503 until a task is RUNNING and healthy, as a load balancer does.
      if (response.ok) return text;
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (Date.now() > deadline) throw new CliError(`${url} does not answer: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function step(text: string): void {
  process.stdout.write(`\n▸ ${text}\n`);
}
function done(text: string): void {
  process.stdout.write(`  ✓ ${text}\n`);
}
