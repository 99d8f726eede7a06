/**
 * The IAM user path, end to end, on a cloud on a port the kernel picks: a deploy workflow of the
 * old shape (GitHub's starter workflow: configure-aws-credentials with aws-access-key-id and
 * aws-secret-access-key from repository secrets → ECR login → docker build and push → render →
 * deploy) deploys with the key of a least-privilege user that `dockyard bootstrap --static-keys`
 * made and stored in the repository's secrets; the same key is refused outside its policy; then
 * `dockyard migrate-to-oidc` turns the workflow keyless, the key secrets are deleted, and the
 * pushed workflow deploys through OIDC. Real git, runner, engine, registry and containers.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetAccessKeyLastUsedCommand, IAMClient } from '@aws-sdk/client-iam';
import { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { provisionSeed, SEED } from '../../src/seed/provision.js';
import { clientConfig } from '../runtime/support.js';
import { awsCli } from '../support/aws-cli.js';
import { dockyard } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { servedByPrimaryTask } from '../support/served.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'seed-app');
const SEED_MESSAGE = '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!';
const WORKFLOW = join('.github', 'workflows', 'aws.yml');
const USER = 'github-deploy-your-username-ecsapp';

/** GitHub's starter workflow for ECS (deploy-to-amazon-ecs), filled in for the example. */
const STATIC_KEY_WORKFLOW = `# Deploys with an IAM user's access keys from the repository's secrets.
name: Deploy to Amazon ECS

on:
  push:
    branches: [ "main" ]

env:
  AWS_REGION: us-east-1                  # set this to your preferred AWS region
  ECR_REPOSITORY: my-app                 # set this to your Amazon ECR repository name
  ECS_SERVICE: my-app-service            # set this to your Amazon ECS service name
  ECS_CLUSTER: my-app-cluster            # set this to your Amazon ECS cluster name
  ECS_TASK_DEFINITION: ecs-task-def.json # set this to the path to your Amazon ECS task definition
  CONTAINER_NAME: my-app                 # set this to the name of the container

permissions:
  contents: read

jobs:
  deploy:
    name: Deploy
    runs-on: ubuntu-latest

    steps:
    - name: Checkout
      uses: actions/checkout@v4

    - name: Configure AWS credentials
      uses: aws-actions/configure-aws-credentials@v4
      with:
        aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
        aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
        aws-region: \${{ env.AWS_REGION }}

    - name: Login to Amazon ECR
      id: login-ecr
      uses: aws-actions/amazon-ecr-login@v2

    - name: Build, tag, and push image to Amazon ECR
      id: build-image
      env:
        ECR_REGISTRY: \${{ steps.login-ecr.outputs.registry }}
        IMAGE_TAG: \${{ github.sha }}
      run: |
        docker build -t $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG .
        docker push $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG
        echo "image=$ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG" >> $GITHUB_OUTPUT

    - name: Fill in the new image ID in the Amazon ECS task definition
      id: task-def
      uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: \${{ env.ECS_TASK_DEFINITION }}
        container-name: \${{ env.CONTAINER_NAME }}
        image: \${{ steps.build-image.outputs.image }}

    - name: Deploy Amazon ECS task definition
      uses: aws-actions/amazon-ecs-deploy-task-definition@v2
      with:
        task-definition: \${{ steps.task-def.outputs.task-definition }}
        service: \${{ env.ECS_SERVICE }}
        cluster: \${{ env.ECS_CLUSTER }}
        wait-for-service-stability: true
`;

describe(
  'static keys: a least-privilege user deploys, is refused the rest, and migrate-to-oidc makes the workflow keyless',
  { timeout: 900_000 },
  () => {
    const engine = new DockerApiEngine();
    const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-static-keys-'));
    const work = mkdtempSync(join(tmpdir(), 'dockyard-static-keys-work-'));
    let cloud: Cloud;
    let ecs: ECSClient;
    let port = 0;

    before(async () => {
      await runOk('bash', [join(ROOT, 'scripts', 'base-images')]);
      // Published (endpoint.json), so that the dockyard CLI finds it, as it finds `dockyard up`.
      cloud = await Cloud.start({
        dataDir,
        port: 0,
        host: '127.0.0.1',
        publish: true,
        runtime: { engine, tickMs: 50, timings: { noHealthCheckGraceMs: 0 } },
      });
      await cloud.ready();
      port = Number(new URL(cloud.url).port);
      ecs = new ECSClient(clientConfig(cloud));
      await provisionSeed(clientConfig(cloud), cloud.accountId, EXAMPLE);
      await cloud.ci.repositories.create(SEED.repository);
      cpSync(EXAMPLE, work, { recursive: true });
      rmSync(join(work, '.github', 'workflows', 'deployment.yaml'));
      writeFileSync(join(work, WORKFLOW), STATIC_KEY_WORKFLOW);
      await git(['init', '-q', '-b', 'main']);
      await git(['add', '-A']);
      await git(['commit', '-qm', 'deploy with access keys']);
    });
    after(async () => {
      if (cloud) {
        await deleteServiceAndWait(ecs, SEED.cluster, SEED.service);
        await cloud.stop();
      }
      await removeCloudContainers(dataDir);
      if (port) await removeImages(`localhost:${port}/`);
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });

    const git = (args: string[]) =>
      runOk('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: work });
    const push = () =>
      run(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
          'push',
          cloud.ci.repositories.cloneUrl(SEED.repository),
          'main',
        ],
        { cwd: work },
      );
    const latestRun = () => cloud.ci.runner.listRuns({ repository: SEED.repository, limit: 1 })[0];
    const servedByTask = () => servedByPrimaryTask(ecs, new EC2Client(clientConfig(cloud)), SEED.cluster, SEED.service);
    const keys = () => {
      const secrets = cloud.ci.settings.secretValues(SEED.repository);
      return { accessKeyId: secrets.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: secrets.AWS_SECRET_ACCESS_KEY ?? '' };
    };
    const assertGreen = (pushed: { stderr: string }) => {
      const record = latestRun();
      assert.ok(record, pushed.stderr);
      const log = cloud.ci.runner.readLog(record.id);
      assert.match(pushed.stderr, /remote: dockyard: all 1 run\(s\) succeeded/, `${pushed.stderr}\n${log}`);
      const steps = cloud.ci.runner.getRun(record.id)?.jobs[0]?.steps.map((s) => `${s.name}:${s.conclusion}`) ?? [];
      for (const name of [
        'Configure AWS credentials',
        'Login to Amazon ECR',
        'Build, tag, and push image to Amazon ECR',
        'Deploy Amazon ECS task definition',
      ]) {
        assert.ok(steps.includes(`${name}:success`), `${name} succeeded: ${steps.join(', ')}`);
      }
      return log;
    };

    it(
      'bootstrap --static-keys makes the user and stores its key in the secrets, never printing it; the workflow deploys with it',
      { timeout: 400_000 },
      async () => {
        const made = await dockyard([
          'bootstrap',
          '--static-keys',
          '--repo',
          SEED.repository,
          '--workflow',
          join(work, WORKFLOW),
          '--set-secrets',
          '--data',
          dataDir,
        ]);
        assert.equal(made.status, 0, made.stderr + made.stdout);
        assert.match(
          made.stdout,
          /the workflow says: access keys from secrets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; region us-east-1; branches main; ECR repository my-app; service my-app-cluster\/my-app-service/,
        );
        assert.match(made.stdout, new RegExp(`✓ deploy user ${USER}: created`));
        const { accessKeyId, secretAccessKey } = keys();
        assert.match(accessKeyId, /^AKIA/);
        assert.match(
          made.stdout,
          new RegExp(
            `stored ${accessKeyId} in your-username/ecsapp's secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
          ),
        );
        assert.ok(
          !made.stdout.includes(secretAccessKey) && !made.stderr.includes(secretAccessKey),
          'the secret is never printed',
        );

        const log = assertGreen(await push());
        assert.ok(!log.includes(secretAccessKey), 'the secret is masked in the log');
        assert.equal(await servedByTask(), SEED_MESSAGE);
        const used = await new IAMClient(clientConfig(cloud)).send(
          new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }),
        );
        assert.equal(used.UserName, USER);
        assert.equal(
          used.AccessKeyLastUsed?.ServiceName,
          'ecs',
          'the last call was the deploy action waiting for the service',
        );
      },
    );

    it('the same key is refused outside its policy, with AWS’s message naming the user', async () => {
      const userArn = `arn:aws:iam::${cloud.accountId}:user/${USER}`;
      const cloudCli = { url: cloud.url, region: cloud.region, admin: cloud.state.admin };
      const identity = await awsCli(cloudCli, ['sts', 'get-caller-identity'], keys());
      assert.equal((JSON.parse(identity.stdout) as { Arn: string }).Arn, userArn);
      const refusals: [string[], string, string][] = [
        [
          ['ecs', 'delete-service', '--cluster', SEED.cluster, '--service', SEED.service, '--force'],
          'ecs:DeleteService',
          `arn:aws:ecs:us-east-1:${cloud.accountId}:service/${SEED.cluster}/${SEED.service}`,
        ],
        [
          ['ecr', 'create-repository', '--repository-name', 'elsewhere'],
          'ecr:CreateRepository',
          `arn:aws:ecr:us-east-1:${cloud.accountId}:repository/elsewhere`,
        ],
        [['iam', 'create-access-key', '--user-name', USER], 'iam:CreateAccessKey', userArn],
      ];
      for (const [args, action, resource] of refusals) {
        const refused = await awsCli(cloudCli, args, keys());
        assert.notEqual(refused.status, 0, args.join(' '));
        assert.ok(
          refused.stderr.includes(
            `User: ${userArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
          ),
          refused.stderr,
        );
      }
    });

    it(
      'migrate-to-oidc: the role its calls need and the edited workflow; pushed without the key secrets, it deploys through OIDC',
      { timeout: 400_000 },
      async () => {
        const file = join(work, WORKFLOW);
        const before = readFileSync(file, 'utf8');
        const diff = await dockyard([
          'migrate-to-oidc',
          '--workflow',
          file,
          '--repo',
          SEED.repository,
          '--data',
          dataDir,
        ]);
        assert.equal(diff.status, 0, diff.stderr);
        const role = `arn:aws:iam::${cloud.accountId}:role/github-deploy-your-username-ecsapp`;
        assert.match(
          diff.stdout,
          new RegExp(
            `^-        aws-access-key-id: \\$\\{\\{ secrets.AWS_ACCESS_KEY_ID \\}\\}\n-        aws-secret-access-key: .*\n\\+        role-to-assume: ${role}$`,
            'm',
          ),
        );
        assert.match(diff.stdout, /^\+ {2}id-token: write$/m);
        assert.match(diff.stderr, /✓ deploy role github-deploy-your-username-ecsapp: created/);
        assert.equal(readFileSync(file, 'utf8'), before, 'a diff changes nothing');

        const written = await dockyard([
          'migrate-to-oidc',
          '--workflow',
          file,
          '--repo',
          SEED.repository,
          '--write',
          '--data',
          dataDir,
        ]);
        assert.equal(written.status, 0, written.stderr);
        assert.match(written.stderr, /= deploy role github-deploy-your-username-ecsapp: unchanged/);
        const after = readFileSync(file, 'utf8');
        assert.doesNotMatch(after, /aws-access-key-id|aws-secret-access-key/);
        assert.equal(
          after.split('\n').length,
          before.split('\n').length,
          'two key lines out, role-to-assume and id-token in; nothing else moved',
        );

        for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
          const deleted = await dockyard(['secret', 'delete', name, '--repo', SEED.repository, '--data', dataDir]);
          assert.equal(deleted.status, 0, deleted.stderr);
        }
        writeFileSync(
          join(work, 'app.py'),
          readFileSync(join(work, 'app.py'), 'utf8').replace(SEED_MESSAGE, 'Hello, keyless'),
        );
        await git(['commit', '-qam', 'Deploy through OIDC']);
        const log = assertGreen(await push());
        assert.match(log, /Authenticated as assumedRoleId AROA[A-Z0-9]+:GitHubActions/);
        assert.equal(await servedByTask(), 'Hello, keyless');
      },
    );
  },
);
