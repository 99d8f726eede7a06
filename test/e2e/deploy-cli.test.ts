/**
 * `dockyard deploy` from the terminal against a running cloud with real containers: build and
 * push the seed app from a git checkout (tagged with its commit, as the workflow tags with
 * github.sha), roll it out, roll out a change, restart without a new image, go back to an
 * earlier image; and its refusals.
 */
import assert from 'node:assert/strict';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { provisionSeed, SEED } from '../../src/seed/provision.js';
import { dockyard, startDockyardCloud, type DockyardProcess } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { runOk } from '../support/run.js';
import { servedByPrimaryTask } from '../support/served.js';

/** The cloud's port (its registry is localhost:PORT to the engine). */
let port = 0;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
const SEED_MESSAGE = '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!';

describe('dockyard deploy', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-deploy-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-deploy-app-'));
  let proc: DockyardProcess;
  let ecs: ECSClient;
  let ec2: EC2Client;

  before(async () => {
    await runOk('bash', [join(ROOT, 'scripts', 'base-images')]);
    proc = await startDockyardCloud(['--data', dataDir]);
    port = proc.port;
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const config = { endpoint: proc.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 };
    ecs = new ECSClient(config);
    ec2 = new EC2Client(config);
    await provisionSeed(config, '000000000000', EXAMPLE);
    cpSync(EXAMPLE, work, { recursive: true });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'first']);
  });
  after(async () => {
    if (ecs) await deleteServiceAndWait(ecs, SEED.cluster, SEED.service);
    await proc?.stop();
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port}/`);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work });
  const deploy = (args: string[]) =>
    dockyard(['deploy', '--cluster', SEED.cluster, '--service', SEED.service, '--data', dataDir, ...args]);
  const served = () => servedByPrimaryTask(ecs, ec2, SEED.cluster, SEED.service);

  it('builds, pushes and rolls out a commit, then a change, a restart, an earlier image and a task definition file', async () => {
    const sha = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    const first = await deploy(['--build', work]);
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const image = `localhost:${port}/my-app:${sha}`;
    assert.match(first.stdout, new RegExp(`pushed ${image}`));
    assert.match(first.stdout, /registered my-app-task:2 with my-app = /);
    assert.match(first.stdout, /✓ my-app-service runs my-app-task:2/);
    assert.equal(await served(), SEED_MESSAGE);

    writeFileSync(
      join(work, 'app.py'),
      readFileSync(join(work, 'app.py'), 'utf8').replace(SEED_MESSAGE, 'Deployed from a terminal'),
    );
    await git(['commit', '-qam', 'second']);
    const second = await deploy(['--build', work, '--json']);
    assert.equal(second.status, 0, second.stderr);
    const result = JSON.parse(second.stdout) as { taskDefinitionArn: string; image: string; rolloutState: string };
    assert.match(result.taskDefinitionArn, /task-definition\/my-app-task:3$/);
    assert.equal(result.image, `localhost:${port}/my-app:${(await git(['rev-parse', 'HEAD'])).stdout.trim()}`);
    assert.equal(result.rolloutState, 'COMPLETED');
    assert.match(second.stderr, /building .* from /, 'progress goes to stderr under --json');
    assert.equal(await served(), 'Deployed from a terminal');

    const restart = await deploy([]);
    assert.equal(restart.status, 0, restart.stderr);
    assert.match(restart.stdout, /forcing a new deployment of the current revision/);
    assert.match(restart.stdout, /✓ my-app-service runs my-app-task:3/);

    const back = await deploy(['--image', image]);
    assert.equal(back.status, 0, back.stderr);
    assert.match(back.stdout, /registered my-app-task:4/);
    assert.equal(await served(), SEED_MESSAGE);

    // From the repository's own task definition file, as the workflow's render step starts.
    const fromFile = await deploy([
      '--task-definition',
      join(work, 'ecs-task-def.json'),
      '--image',
      image,
      '--no-wait',
    ]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.match(fromFile.stdout, /registered my-app-task:5 with my-app = /);
    assert.doesNotMatch(fromFile.stdout, /✓/);
  });

  it('refuses what it cannot do, saying why', async () => {
    const unknown = await dockyard(['deploy', '--cluster', SEED.cluster, '--service', 'nope', '--data', dataDir]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /service nope is not ACTIVE in cluster my-app-cluster/);
    const empty = mkdtempSync(join(tmpdir(), 'dockyard-deploy-empty-'));
    try {
      const noDockerfile = await deploy(['--build', empty]);
      assert.equal(noDockerfile.status, 2);
      assert.match(noDockerfile.stderr, /has no Dockerfile/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const container = await deploy(['--image', 'x:1', '--container', 'web']);
    assert.equal(container.status, 2);
    assert.match(container.stderr, /no container named web \(it has: my-app\)/);
    const noRepo = await deploy(['--build', work, '--repository', 'missing']);
    assert.equal(noRepo.status, 1);
    assert.match(noRepo.stderr, /ECR repository missing: RepositoryNotFoundException/);
  });
});
