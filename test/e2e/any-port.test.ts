/**
 * Any port works (issue 9): a cloud on a port the kernel picks, which the engine's
 * registries.conf knows nothing about. The engine reaches the cloud's registry over TLS,
 * verified with the CA the cloud wrote into its certs.d, with no restart of the Podman API
 * service. A job pushed to the cloud's git hosting logs in, builds FROM an image in that
 * registry and pushes with `docker`; an ECS service runs the job's image to RUNNING and
 * serves. Stopping the cloud takes the engine's trust back. A cloud that cannot write
 * certs.d (not root) says so on `up --detach`, with the fix.
 */
import assert from 'node:assert/strict';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { CreateServiceCommand, DescribeServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { ENGINE_CERTS_DIR, engineTrustPath } from '../../src/tls/engine-trust.js';

import { tinyHttpServerScript } from '../../src/images/tiny-image.js';
import {
  addressOf,
  clientConfig,
  CONTAINER_PORT,
  describeTask,
  httpGet,
  prepare,
  registerWeb,
  untilStatus,
  type Fixture,
} from '../runtime/support.js';
import { seedTrustPolicy } from '../support/cloud.js';
import { DOCKYARD_BIN } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

const REPOSITORY = 'me/any-port';
const GREETING = 'built by a job, served from any port';

/** Every port some registries.conf drop-in names (scripts/setup-engine's list among them). */
function portsInRegistriesConf(): Set<number> {
  const dir = '/etc/containers/registries.conf.d';
  const files = existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
  const text = [...files, '/etc/containers/registries.conf']
    .filter(existsSync)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  return new Set([...text.matchAll(/localhost:(\d+)/g)].map((m) => Number(m[1])));
}

describe('any port: the engine trusts the cloud’s registry through its CA', { timeout: 600_000 }, () => {
  const engine = new DockerApiEngine();
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-any-port-'));
  const work = mkdtempSync(join(tmpdir(), 'dockyard-any-port-work-'));
  let cloud: Cloud;
  let stopped = false;
  let port: number;
  let fixture: Fixture;

  before(async () => {
    cloud = await Cloud.start({ dataDir, port: 0, host: '127.0.0.1', runtime: { engine, tickMs: 50 } });
    await cloud.ready();
    port = Number(new URL(cloud.url).port);
  });
  after(async () => {
    if (cloud && !stopped) {
      if (fixture) await deleteServiceAndWait(fixture.ecs, 'apps', 'greeter');
      await cloud.stop();
    }
    await removeCloudContainers(dataDir);
    if (port) await removeImages(`localhost:${port}/`);
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('the port is one registries.conf does not know; the engine trusts the cloud’s CA for it', () => {
    assert.ok(!portsInRegistriesConf().has(port), `port ${port} must be unknown to registries.conf`);
    assert.ok(port < 45660 || port > 45679);
    const trusted = engineTrustPath(ENGINE_CERTS_DIR, `localhost:${port}`);
    assert.equal(readFileSync(trusted, 'utf8'), readFileSync(cloud.tls.caCertPath, 'utf8'));
    assert.equal(cloud.tls.engineTrust?.ok, true);
    assert.equal(cloud.tls.engineTrust.path, trusted);
  });

  it(
    'podman pushes over verified TLS; a job builds FROM the registry and pushes with docker',
    { timeout: 300_000 },
    async () => {
      // The tiny image goes in with `podman push`, TLS verified against certs.d (support.ts).
      fixture = await prepare(cloud, engine);
      // The control: without the CA in certs.d the engine refuses the registry's certificate, so
      // what follows is verified TLS (a secure registry never falls back to plain HTTP).
      const trusted = engineTrustPath(ENGINE_CERTS_DIR, `localhost:${port}`);
      const ca = readFileSync(trusted, 'utf8');
      rmSync(trusted);
      try {
        await assert.rejects(engine.pullImage(fixture.localImage), /x509: certificate signed by unknown authority/);
      } finally {
        writeFileSync(trusted, ca);
      }
      // Clients outside the engine trust the CA where it lives: <data>/tls works as a cert dir.
      const token =
        (await new ECRClient(clientConfig(cloud)).send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]
          ?.authorizationToken ?? '';
      const creds = Buffer.from(token, 'base64').toString('utf8');
      const inspected = await runOk('skopeo', [
        'inspect',
        '--cert-dir',
        join(dataDir, 'tls'),
        '--creds',
        creds,
        `docker://${fixture.localImage}`,
      ]);
      assert.equal((JSON.parse(inspected.stdout) as { Name: string }).Name, `localhost:${port}/tiny`);
      const config = clientConfig(cloud);
      const iam = new IAMClient(config);
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com'],
        }),
      );
      const role = await iam.send(
        new CreateRoleCommand({
          RoleName: 'builder',
          AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId, `repo:${REPOSITORY}:ref:refs/heads/main`),
        }),
      );
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'builder',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser',
        }),
      );
      await new ECRClient(config).send(new CreateRepositoryCommand({ repositoryName: 'built' }));

      await cloud.ci.repositories.create(REPOSITORY);
      mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
      // What the service will answer comes from this build: the image's own command.
      writeFileSync(
        join(work, 'Dockerfile'),
        `FROM ${fixture.localImage}\nCMD ${JSON.stringify(['/bin/perl', '-e', tinyHttpServerScript(CONTAINER_PORT, GREETING)])}\n`,
      );
      writeFileSync(
        join(work, '.github', 'workflows', 'build.yml'),
        [
          'on: push',
          'jobs:',
          '  build:',
          '    runs-on: ubuntu-latest',
          '    permissions:',
          '      contents: read',
          '      id-token: write',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: aws-actions/configure-aws-credentials@v4',
          '        with:',
          `          role-to-assume: ${role.Role?.Arn ?? ''}`,
          `          aws-region: ${cloud.region}`,
          '      - id: ecr',
          '        uses: aws-actions/amazon-ecr-login@v2',
          '      - name: Build and push',
          '        run: |',
          '          docker build -t ${{ steps.ecr.outputs.registry }}/built:${{ github.sha }} .',
          '          docker push ${{ steps.ecr.outputs.registry }}/built:${{ github.sha }}',
        ].join('\n'),
      );
      const git = (args: string[]) =>
        runOk('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: work });
      await git(['init', '-q', '-b', 'main']);
      await git(['add', '-A']);
      await git(['commit', '-qm', 'build from the cloud registry']);
      const pushed = await run(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: ${basicAuthorization(cloud.state.admin)}`,
          'push',
          cloud.ci.repositories.cloneUrl(REPOSITORY),
          'main',
        ],
        { cwd: work },
      );
      const runRecord = cloud.ci.runner.listRuns({ repository: REPOSITORY, limit: 1 })[0];
      assert.ok(runRecord, pushed.stderr);
      const log = cloud.ci.runner.readLog(runRecord.id);
      assert.match(pushed.stderr, /remote: dockyard: all 1 run\(s\) succeeded/, `${pushed.stderr}\n${log}`);
      assert.match(
        log,
        new RegExp(`Trying to pull localhost:${port}/tiny:1`),
        'the build pulled its base from the registry',
      );
      // ECR gives a job AWS's registry name (decision 81); the engine pushes it below localhost:PORT.
      assert.match(log, /Logging into registry \d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\n/);
      assert.match(
        log,
        new RegExp(
          `The push refers to repository \\[localhost:${port}/\\d{12}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/built:${runRecord.sha}\\]\\n.*${runRecord.sha}: digest: sha256:`,
        ),
      );

      const images = await new ECRClient(config).send(new DescribeImagesCommand({ repositoryName: 'built' }));
      assert.deepEqual(
        images.imageDetails?.map((d) => d.imageTags),
        [[runRecord.sha]],
      );
    },
  );

  it(
    'an ECS service runs the job’s image, pulled by the engine over TLS, to RUNNING',
    { timeout: 180_000 },
    async () => {
      const sha = cloud.ci.runner.listRuns({ repository: REPOSITORY, limit: 1 })[0]?.sha ?? '';
      // Nothing local: the task's pull must go to the registry.
      await removeImages(`localhost:${port}/`);
      const image = `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/built:${sha}`;
      await registerWeb(cloud, fixture.ecs, 'greeter', 'exec', { image, entryPoint: undefined, command: undefined });
      await fixture.ecs.send(
        new CreateServiceCommand({
          cluster: 'apps',
          serviceName: 'greeter',
          taskDefinition: 'greeter',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [fixture.subnet],
              securityGroups: [fixture.group],
              assignPublicIp: 'ENABLED',
            },
          },
        }),
      );
      const taskArn = await waitFor(
        'the service’s task',
        async () =>
          (await fixture.ecs.send(new ListTasksCommand({ cluster: 'apps', serviceName: 'greeter' }))).taskArns?.[0],
        { timeoutMs: 30_000 },
      );
      const task = await untilStatus(fixture.ecs, taskArn, 'RUNNING');
      const service = (await fixture.ecs.send(new DescribeServicesCommand({ cluster: 'apps', services: ['greeter'] })))
        .services?.[0];
      assert.equal(service?.runningCount, 1);
      const address = addressOf(task) ?? '';
      assert.equal(
        await waitFor('the task to answer', () => httpGet(address, CONTAINER_PORT), { timeoutMs: 30_000 }),
        GREETING,
      );
      assert.equal((await describeTask(fixture.ecs, taskArn)).lastStatus, 'RUNNING');
    },
  );

  it('stopping the cloud takes the engine’s trust back', async () => {
    const trusted = engineTrustPath(ENGINE_CERTS_DIR, `localhost:${port}`);
    await deleteServiceAndWait(fixture.ecs, 'apps', 'greeter');
    stopped = true;
    await cloud.stop();
    assert.equal(existsSync(trusted), false);
    assert.equal(existsSync(join(ENGINE_CERTS_DIR, `localhost:${port}`)), false);
  });
});

describe('a cloud that cannot make the engine trust it', () => {
  it('says so on `up --detach`, with the fix, and still serves', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-any-port-nonroot-'));
    const nobody = { uid: 65534, gid: 65534 };
    chownSync(dataDir, nobody.uid, nobody.gid);
    const cli = (args: string[]) =>
      run('runuser', ['-u', 'nobody', '--', process.execPath, DOCKYARD_BIN, ...args, '--data', dataDir]);
    try {
      const up = await cli(['up', '--detach', '--port', '0']);
      assert.equal(up.status, 0, up.stderr);
      assert.match(
        up.stderr,
        /warning: the container engine cannot verify this cloud's registry \(https:\/\/localhost:\d+\): \/etc\/containers(\/certs\.d)? cannot be written \(EACCES\)/,
      );
      assert.match(
        up.stderr,
        new RegExp(
          `sudo install -D -m 0644 ${dataDir}/tls/ca\\.crt /etc/containers/certs\\.d/localhost:\\d+/dockyard-ca\\.crt`,
        ),
      );
      const url = /dockyard is up at (\S+)/.exec(up.stdout)?.[1] ?? '';
      assert.equal((await fetch(`${url}/v2/`)).status, 401, 'the registry answers (and asks for credentials)');
    } finally {
      await cli(['down']);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
