/**
 * The seed's whole system with real git, a real runner, real containers: `git push` to the
 * hosted repository runs the seed's workflow (checkout, configure-aws-credentials with the
 * job's OIDC token, amazon-ecr-login, docker build and push, render and deploy the task
 * definition), and the service serves the new version. Also the seed's own mismatch (workflow
 * and push on master, trust policy for main), a job without `id-token: write`, and masking.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { bootstrapDeployRole } from '../../src/bootstrap/apply.js';
import type { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { provisionSeed, SEED } from '../../src/seed/provision.js';

import { clientConfig, portOf, startRuntimeCloud } from '../runtime/support.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { servedByPrimaryTask } from '../support/served.js';
import { waitFor } from '../support/wait-for.js';

let port = 0;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
const SEED_MESSAGE = '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!';

describe("the seed's pipeline: git push → workflow with OIDC → ECR → ECS", { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-pipeline-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-pipeline-work-'));
  let cloud: Cloud;
  let ecs: ECSClient;

  before(async () => {
    await runOk('bash', [join(ROOT, 'scripts', 'base-images')]);
    cloud = await startRuntimeCloud(engine, dataDir, { timings: { noHealthCheckGraceMs: 0 } });
    port = portOf(cloud);
    ecs = new ECSClient(clientConfig(cloud));
    await provisionSeed(clientConfig(cloud), cloud.accountId, EXAMPLE);
    await cloud.ci.repositories.create(SEED.repository);
    cpSync(EXAMPLE, work, { recursive: true });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'add CI/CD']);
  });
  after(async () => {
    if (cloud) {
      await deleteServiceAndWait(ecs, SEED.cluster, SEED.service);
      await cloud.stop();
    }
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${port}/my-app`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const git = (args: string[]) =>
    runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work });
  const push = (refspec: string) =>
    run(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
        'push',
        '--force',
        cloud.ci.repositories.cloneUrl(SEED.repository),
        refspec,
      ],
      { cwd: work },
    );
  const latestRun = () => cloud.ci.runner.listRuns({ repository: SEED.repository, limit: 1 })[0];

  const servedByTask = () => servedByPrimaryTask(ecs, new EC2Client(clientConfig(cloud)), SEED.cluster, SEED.service);

  it(
    'a push to main runs the workflow green and the app serves; a second push, with least privilege, rolls the new text out',
    { timeout: 300_000 },
    async () => {
      const first = await push('main');
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stderr, /remote: dockyard: all 1 run\(s\) succeeded/, first.stderr);
      const run1 = latestRun();
      assert.equal(run1?.conclusion, 'success');
      const detail = cloud.ci.runner.getRun(run1.id);
      const steps = detail?.jobs[0]?.steps.map((s) => `${s.name}:${s.conclusion}`) ?? [];
      for (const name of [
        'Checkout',
        'Configure AWS credentials',
        'Login to Amazon ECR',
        'Build and push Docker image',
        'Render Amazon ECS task definition',
        'Deploy Amazon ECS task definition',
      ]) {
        assert.ok(steps.includes(`${name}:success`), `${name} succeeded: ${steps.join(', ')}`);
      }
      const log = cloud.ci.runner.readLog(run1.id);
      assert.match(log, /Authenticated as assumedRoleId AROA[A-Z0-9]+:GitHubActions/);
      assert.equal(await servedByTask(), SEED_MESSAGE);
      // GitHub's URL shape at the origin works too: the official actions/checkout fetches `${GITHUB_SERVER_URL}/OWNER/NAME`.
      const atRoot = await run('git', [
        '-c',
        `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
        'ls-remote',
        `http://localhost:${port}/${SEED.repository}`,
        'refs/heads/main',
      ]);
      assert.match(atRoot.stdout, new RegExp(`^${run1.sha}\trefs/heads/main`), atRoot.stderr);

      // The second push deploys with least privilege: `dockyard bootstrap`'s policy instead of the
      // seed's two full-access managed policies must be enough for every step of the workflow.
      const iam = new IAMClient(clientConfig(cloud));
      await bootstrapDeployRole(
        { iam, ecr: new ECRClient(clientConfig(cloud)) },
        {
          accountId: cloud.accountId,
          region: cloud.region,
          repository: SEED.repository,
          branches: ['main'],
          environments: [],
          cluster: SEED.cluster,
          service: SEED.service,
          ecrRepository: SEED.ecrRepository,
          executionRole: SEED.executionRole,
        },
        { roleName: SEED.role },
      );
      for (const name of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
        await iam.send(
          new DetachRolePolicyCommand({ RoleName: SEED.role, PolicyArn: `arn:aws:iam::aws:policy/${name}` }),
        );
      }
      writeFileSync(
        join(work, 'app.py'),
        readFileSync(join(work, 'app.py'), 'utf8').replace(SEED_MESSAGE, 'Hello from version two'),
      );
      await git(['commit', '-qam', 'Version two']);
      const second = await push('main');
      assert.match(second.stderr, /remote: dockyard: all 1 run\(s\) succeeded/, second.stderr);
      assert.equal(await servedByTask(), 'Hello from version two');
    },
  );

  // configure-aws-credentials retries a refused AssumeRoleWithWebIdentity 12 times with jittered
  // exponential backoff (about 100 s on average, as on GitHub), so this test is slow on purpose.
  it(
    'the seed as written (workflow and push on master) is refused at the credentials step and deploys nothing',
    { timeout: 300_000 },
    async () => {
      const before =
        (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: SEED.family }))).taskDefinitionArns ?? [];
      await git(['checkout', '-q', '-b', 'master']);
      const workflow = join(work, '.github', 'workflows', 'deployment.yaml');
      writeFileSync(workflow, readFileSync(workflow, 'utf8').replace('branches: [ main ]', 'branches: [ master ]'));
      await git(['commit', '-qam', 'Deploy from master, as the seed does']);
      const pushed = await push('master');
      assert.match(pushed.stderr, /did not succeed/);
      const runId = latestRun()?.id ?? 0;
      const job = cloud.ci.runner.getRun(runId)?.jobs[0];
      assert.equal(job?.steps.find((s) => s.name === 'Configure AWS credentials')?.conclusion, 'failure');
      assert.equal(job?.steps.find((s) => s.name === 'Deploy Amazon ECS task definition')?.conclusion, 'skipped');
      assert.match(
        cloud.ci.runner.readLog(runId),
        /Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
      );
      const afterwards =
        (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: SEED.family }))).taskDefinitionArns ?? [];
      assert.deepEqual(afterwards, before, 'no task definition was registered');
    },
  );

  it('without id-token: write the credentials step fails as on GitHub', { timeout: 120_000 }, async () => {
    await git(['checkout', '-q', '-b', 'no-oidc', 'main']);
    const workflow = join(work, '.github', 'workflows', 'deployment.yaml');
    writeFileSync(
      workflow,
      readFileSync(workflow, 'utf8')
        .replace('branches: [ main ]', 'branches: [ no-oidc ]')
        .replace('      id-token: write\n', ''),
    );
    await git(['commit', '-qam', 'No id-token permission']);
    await push('no-oidc');
    const runId = latestRun()?.id ?? 0;
    const log = cloud.ci.runner.readLog(runId);
    assert.match(log, /Could not load credentials from any providers/);
    assert.equal(cloud.ci.runner.getRun(runId)?.conclusion, 'failure');
  });

  it('masked values never reach stored or streamed logs', { timeout: 120_000 }, async () => {
    const repository = 'your-username/masking';
    await cloud.ci.repositories.create(repository);
    const settings = cloud.ci.settings;
    const secret = 'pa55-w0rd-that-must-never-show';
    settings.setSecret(repository, 'DEPLOY_PASSWORD', secret);
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-masking-'));
    try {
      const wf = join(dir, '.github', 'workflows');
      await runOk('mkdir', ['-p', wf]);
      writeFileSync(
        join(wf, 'mask.yml'),
        [
          'on: push',
          'jobs:',
          '  show:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo "secret is ${{ secrets.DEPLOY_PASSWORD }}"',
          '      - run: |',
          '          value="generated-$((4200 + 42))"',
          '          echo "::add-mask::$value"',
          '          echo "value $value here"',
          '          echo "token $GITHUB_TOKEN"',
          '        env:',
          '          GITHUB_TOKEN: ${{ github.token }}',
        ].join('\n'),
      );
      const g = (args: string[]) =>
        runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
      await g(['init', '-q', '-b', 'main']);
      await g(['add', '-A']);
      await g(['commit', '-qm', 'mask']);
      const pushed = await run(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
          'push',
          cloud.ci.repositories.cloneUrl(repository),
          'main',
        ],
        { cwd: dir },
      );
      const runRecord = cloud.ci.runner.listRuns({ repository, limit: 1 })[0];
      assert.ok(runRecord);
      await waitFor(
        'the masking run',
        async () => (cloud.ci.runner.getRun(runRecord.id)?.status === 'completed' ? true : undefined),
        { timeoutMs: 60_000 },
      );
      const log = cloud.ci.runner.readLog(runRecord.id);
      assert.match(log, /secret is \*\*\*/);
      assert.match(log, /value \*\*\* here/);
      assert.match(log, /token \*\*\*/);
      for (const text of [log, pushed.stderr, readAll(join(dataDir, 'runs'))]) {
        assert.ok(!text.includes(secret), 'the secret never appears');
        assert.ok(!text.includes('generated-4242'), 'the add-mask value never appears');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every file under `dir`, concatenated (what the runner stored on disk). */
function readAll(dir: string): string {
  let text = '';
  const walk = (d: string) => {
    for (const entry of readdirSyncSafe(d)) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else text += readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return text;
}

function readdirSyncSafe(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
