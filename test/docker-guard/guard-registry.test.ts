/**
 * The guard's registry hook against a real cloud's ECR: a job names its registry the AWS way
 * (`<account>.dkr.ecr.<region>.amazonaws.com/app:tag`), the hook maps that host to the cloud's
 * `localhost:PORT`, and `docker login`, build -t, push, rmi, pull and run all go through with the
 * AWS names; the login hook answers for the hosts it knows. The cloud is on a port the kernel
 * picks; the engine trusts its CA for localhost:PORT, as the engine itself pushes and pulls.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { startDockerGuard, type DockerGuard } from '../../src/docker-guard/guard.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES } from '../../src/images/tiny-image.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { removeImages } from '../support/engine-cleanup.js';
import { run, runOk } from '../support/run.js';

const ENGINE = 'unix:///run/podman/podman.sock';

describe('docker API guard: registry names and logins', () => {
  const tag = randomBytes(4).toString('hex');
  const base = mkdtempSync(join(tmpdir(), 'dockyard-guard-registry-'));
  const workspace = join(base, 'workspace');
  const socketPath = join(base, 'docker.sock');
  const baseImage = `localhost/dockyard-guard-regbase-${tag}:1`;
  const engine = new DockerApiEngine({ endpoint: ENGINE });
  let cloud: TestCloud;
  let guard: DockerGuard;
  let ecrHost = '';
  let password = '';
  const logins: string[] = [];

  const env = () => ({ DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(base, 'docker-config') });
  const docker = (args: string[], input?: string) => run('docker', args, { env: env(), cwd: workspace, input });
  const dockerOk = (args: string[], input?: string) => runOk('docker', args, { env: env(), cwd: workspace, input });

  before(async () => {
    cloud = await startTestCloud({ engine: true });
    ecrHost = `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com`;
    const ecr = new ECRClient(sdkConfig(cloud));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'guard-app' }));
    const token =
      (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
    password = Buffer.from(token, 'base64').toString().replace(/^AWS:/, '');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'Dockerfile'), `FROM ${baseImage}\nCMD ["sh", "-c", "echo from ecr ${tag}"]\n`);
    await engine.importImage(buildTinyImageTar(), baseImage, {
      changes: TINY_IMAGE_CHANGES,
      signal: AbortSignal.timeout(120_000),
    });
    guard = await startDockerGuard({
      socketPath,
      engine: ENGINE,
      job: { labelKey: 'dockyard.job', id: `guard-registry-${tag}` },
      mounts: [{ hostPath: workspace }],
      registries: (host) => (host === ecrHost ? `localhost:${cloud.port}` : undefined),
      login: async (login) => {
        logins.push(login.serverAddress);
        return login.serverAddress === 'refused.example.com'
          ? { ok: false, message: 'refused.example.com: the password is not valid' }
          : undefined;
      },
      removeImages: true,
    });
  });

  after(async () => {
    await guard?.close().catch(() => undefined);
    await cloud?.stop();
    await removeImages(`localhost:${cloud.port}/`).catch(() => undefined);
    await removeImages(baseImage.slice(0, baseImage.lastIndexOf(':')));
    await engine.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('logs in, builds, pushes, removes, pulls and runs an image named the AWS way', async () => {
    const image = `${ecrHost}/guard-app:${tag}`;
    const login = await dockerOk(['login', '--username', 'AWS', '--password-stdin', ecrHost], password);
    assert.match(login.stdout, /Login Succeeded/);
    assert.deepEqual(logins, [ecrHost], 'the login hook saw the AWS host first');
    await dockerOk(['build', '-t', image, '.']);
    const pushed = await dockerOk(['push', image]);
    assert.match(pushed.stdout, new RegExp(`${tag}: digest: sha256:`));
    const described = await new ECRClient(sdkConfig(cloud)).send(
      new DescribeImagesCommand({ repositoryName: 'guard-app' }),
    );
    assert.ok(
      described.imageDetails?.some((d) => d.imageTags?.includes(tag)),
      "the push reached the cloud's ECR",
    );
    assert.match((await dockerOk(['inspect', '-f', '{{.Id}}', image])).stdout, /^sha256:/);
    await dockerOk(['rmi', image]);
    await dockerOk(['pull', image]);
    assert.equal((await dockerOk(['run', '--rm', image])).stdout, `from ecr ${tag}\n`);
  });

  it("lends the job's login to the registry's other name: logged in by the AWS host, pushes by localhost:PORT", async () => {
    // The previous case logged in to the AWS host only; this job's docker config has nothing for localhost:PORT.
    const local = `localhost:${cloud.port}/guard-app:${tag}-local`;
    await dockerOk(['tag', `${ecrHost}/guard-app:${tag}`, local]);
    const pushed = await dockerOk(['push', local]);
    assert.match(pushed.stdout, new RegExp(`${tag}-local: digest: sha256:`));
    await dockerOk(['rmi', local]);
    await dockerOk(['pull', local]);
  });

  it('answers a login the hook refuses with its message, as a registry refusal', async () => {
    const refused = await docker(['login', '--username', 'u', '--password-stdin', 'refused.example.com'], 'wrong');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /refused\.example\.com: the password is not valid/);
  });
});
