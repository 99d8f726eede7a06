/**
 * The built-in docker actions run as a runner runs them, against a real cloud (any port: the
 * engine trusts its registry's TLS) and the engine (Podman's Docker API): login-action to ECR
 * by its AWS host name (GetAuthorizationToken with the job's OIDC credentials) and to a plain
 * registry, setup-buildx and setup-qemu outputs, build-push with build args, labels and two
 * tags pushed to ECR (the digest output is the registry's), loaded into the engine, and its
 * failures in the real action's words.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  ECRClient,
  BatchGetImageCommand,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { sdkConfig, startTestCloud, type TestCloud } from '../../support/cloud.js';
import { idTokenEnv, setUpIam, type IamFixture } from '../aws-setup.js';
import { ACTIONS, DOCKER_HOST, dockerAuths, TestJob } from '../support.js';

const DOCKER = {
  login: 'docker/login-action/v3',
  loginV2: 'docker/login-action/v2',
  setupBuildx: 'docker/setup-buildx-action/v3',
  setupQemu: 'docker/setup-qemu-action/v3',
  buildPush: 'docker/build-push-action/v6',
  buildPushV5: 'docker/build-push-action/v5',
  metadata: 'docker/metadata-action/v5',
  metadataV4: 'docker/metadata-action/v4',
} as const;

const suffix = Math.random().toString(36).slice(2, 8);
const REPOSITORY = `dockyard-dx-${suffix}`;

describe('docker actions (built-in)', () => {
  let cloud: TestCloud;
  let iam: IamFixture;
  let registry: string;
  let password: string;
  const jobs: TestJob[] = [];
  const images: string[] = [];

  const newJob = () => {
    const job = new TestJob({ env: { AWS_ENDPOINT_URL: cloud.url, DOCKER_HOST, ...idTokenEnv(cloud) } });
    jobs.push(job);
    return job;
  };
  /** A job logged in to the cloud's registry with a plain docker login. */
  const loggedInJob = async () => {
    const job = newJob();
    const login = await job.run(DOCKER.login, 'login', { inputs: { registry, username: 'AWS', password } });
    assert.equal(login.exitCode, 0, login.stdout + login.stderr);
    return job;
  };

  before(async () => {
    cloud = await startTestCloud({ engine: true });
    iam = await setUpIam(cloud);
    registry = `localhost:${new URL(cloud.url).port}`;
    const ecr = new ECRClient(sdkConfig(cloud));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    password =
      Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64')
        .toString()
        .split(':')[1] ?? '';
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    for (const image of images) {
      try {
        execFileSync('docker', ['rmi', '-f', image], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    await cloud.stop();
  });

  it('login-action logs in to ECR by its AWS host name through GetAuthorizationToken, and out in post', async () => {
    const job = newJob();
    const creds = await job.run(ACTIONS.configureAwsCredentials, 'aws', {
      inputs: { 'role-to-assume': iam.oidcRoleArn, 'aws-region': cloud.region },
    });
    assert.equal(creds.exitCode, 0, creds.stdout + creds.stderr);
    const ecrHost = `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com`;
    const login = await job.run(DOCKER.login, 'login', { inputs: { registry: ecrHost } });
    assert.equal(login.exitCode, 0, login.stdout + login.stderr);
    assert.match(login.stdout, /Retrieving registries data through AWS SDK\.\.\./);
    assert.match(login.stdout, new RegExp(`AWS ECR detected with ${cloud.region} region`));
    assert.match(login.stdout, /Login Succeeded!/);
    assert.deepEqual(dockerAuths(job), [registry]);
    assert.ok(login.masks.length >= 2, 'the user name and password are masked');
    const logout = await job.post(DOCKER.login, 'login', login);
    assert.equal(logout.exitCode, 0, logout.stdout + logout.stderr);
    assert.deepEqual(dockerAuths(job), []);
  });

  it('login-action logs in to a plain registry; bad or missing credentials fail in its words', async () => {
    const job = await loggedInJob();
    assert.deepEqual(dockerAuths(job), [registry]);
    const v2 = await newJob().run(DOCKER.loginV2, 'login', { inputs: { registry, username: 'AWS', password } });
    assert.equal(v2.exitCode, 0, v2.stdout + v2.stderr);
    const wrong = await newJob().run(DOCKER.login, 'login', {
      inputs: { registry, username: 'AWS', password: 'not-a-token' },
    });
    assert.equal(wrong.exitCode, 1);
    assert.match(wrong.errors[0] ?? '', /401|unauthorized|denied/i);
    const noUser = await newJob().run(DOCKER.login, 'login', { inputs: { registry, password: 'x' } });
    assert.deepEqual(noUser.errors, ['Username required']);
    const none = await newJob().run(DOCKER.login, 'login', { inputs: { registry } });
    assert.deepEqual(none.errors, ['Username and password required']);
  });

  it('setup-buildx creates a builder and outputs its facts; post removes it', async () => {
    const job = newJob();
    const setup = await job.run(DOCKER.setupBuildx, 'buildx');
    assert.equal(setup.exitCode, 0, setup.stdout + setup.stderr);
    assert.match(setup.outputs.name ?? '', /^builder-[0-9a-f-]{36}$/);
    assert.equal(setup.outputs.driver, 'docker-container');
    assert.ok((setup.outputs.platforms ?? '').split(',').includes('linux/amd64'), setup.outputs.platforms);
    const nodes = JSON.parse(setup.outputs.nodes ?? '[]') as {
      name: string;
      status: string;
      'buildkitd-flags': string;
      platforms: string;
    }[];
    assert.equal(nodes[0]?.name, `${setup.outputs.name ?? ''}0`);
    assert.equal(nodes[0]?.status, 'running');
    assert.equal(
      setup.outputs.flags,
      '--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host',
    );
    assert.equal(setup.outputs.status, 'running');
    const instances = join(job.env.HOME ?? '', '.docker', 'buildx', 'instances', setup.outputs.name ?? '');
    assert.ok(existsSync(instances));
    const post = await job.post(DOCKER.setupBuildx, 'buildx', setup);
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.ok(!existsSync(instances));
  });

  it('setup-qemu outputs the platforms the engine runs; one it cannot name fails clearly', async () => {
    const job = newJob();
    const qemu = await job.run(DOCKER.setupQemu, 'qemu');
    assert.equal(qemu.exitCode, 0, qemu.stdout + qemu.stderr);
    const platforms = (qemu.outputs.platforms ?? '').split(',');
    assert.ok(platforms.includes('linux/amd64'));
    const emulated = existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64');
    assert.equal(
      platforms.includes('linux/arm64'),
      emulated,
      `linux/arm64 is listed exactly when this host has a binfmt handler for it: ${qemu.outputs.platforms ?? ''}`,
    );
    const asked = await job.run(DOCKER.setupQemu, 'qemu', { inputs: { platforms: 'arm64' } });
    assert.equal(asked.exitCode, emulated ? 0 : 1, asked.stdout);
    if (!emulated) assert.match(asked.errors[0] ?? '', /cannot run linux\/arm64: .*qemu-user-static/);
  });

  it('build-push builds with build args and labels, pushes two tags, and outputs the registry digest, image ID and metadata', async () => {
    const job = await loggedInJob();
    writeFileSync(
      join(job.workspace, 'Dockerfile'),
      'FROM scratch\nARG GREETING=none\nCOPY hello.txt /hello.txt\nLABEL greeting=$GREETING\n',
    );
    writeFileSync(join(job.workspace, 'hello.txt'), `hello ${suffix}\n`);
    const tags = [`${registry}/${REPOSITORY}:v1`, `${registry}/${REPOSITORY}:latest`];
    const build = await job.run(DOCKER.buildPush, 'build', {
      inputs: {
        context: job.workspace,
        push: 'true',
        tags: tags.join('\n'),
        'build-args': 'GREETING=hi there',
        labels: 'org.opencontainers.image.title=dx\nteam=ci',
      },
    });
    assert.equal(build.exitCode, 0, build.stdout + build.stderr);
    const digest = build.outputs.digest ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.match(build.outputs.imageid ?? '', /^sha256:[0-9a-f]{64}$/);
    const metadata = JSON.parse(build.outputs.metadata ?? '{}') as Record<string, unknown>;
    assert.equal(metadata['containerimage.digest'], digest);
    assert.equal(metadata['containerimage.config.digest'], build.outputs.imageid);
    assert.equal(metadata['image.name'], tags.join(','));
    assert.match(String(metadata['buildx.build.ref']), /^default\/default\/[a-z0-9]{25}$/);
    const descriptor = metadata['containerimage.descriptor'] as { digest: string; mediaType: string; size: number };
    assert.equal(descriptor.digest, digest);

    const ecr = new ECRClient(sdkConfig(cloud));
    for (const tag of ['v1', 'latest']) {
      const got = await ecr.send(
        new BatchGetImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: tag }] }),
      );
      assert.equal(got.images?.[0]?.imageId?.imageDigest, digest, `${tag} is the pushed digest`);
      const manifest = JSON.parse(got.images?.[0]?.imageManifest ?? '{}') as { config?: { digest?: string } };
      assert.equal(manifest.config?.digest, build.outputs.imageid);
    }
    // The default builder (docker driver) also loads the image, with its labels and build args applied.
    images.push(...tags);
    const labels = JSON.parse(
      execFileSync('docker', ['image', 'inspect', tags[0] ?? '', '--format', '{{json .Config.Labels}}'], {
        env: { ...process.env, DOCKER_HOST },
        encoding: 'utf8',
      }),
    ) as Record<string, string>;
    assert.equal(labels.greeting, 'hi there');
    assert.equal(labels.team, 'ci');
    const post = await job.post(DOCKER.buildPush, 'build', build);
    assert.equal(post.exitCode, 0);
    assert.ok(!existsSync(build.state.tmpDir ?? '/nonexistent'));
  });

  it('build-push after setup-buildx: not loaded unless load: true, then in the engine', async () => {
    const job = await loggedInJob();
    const setup = await job.run(DOCKER.setupBuildx, 'buildx');
    assert.equal(setup.exitCode, 0, setup.stdout + setup.stderr);
    writeFileSync(join(job.workspace, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
    writeFileSync(join(job.workspace, 'a'), suffix);
    const name = `localhost/dockyard-dx-load-${suffix}:1`;
    const noLoad = await job.run(DOCKER.buildPushV5, 'build', { inputs: { context: job.workspace, tags: name } });
    assert.equal(noLoad.exitCode, 0, noLoad.stdout + noLoad.stderr);
    assert.match(noLoad.stdout, /No output specified with docker-container driver/);
    assert.throws(() =>
      execFileSync('docker', ['image', 'inspect', name], { env: { ...process.env, DOCKER_HOST }, stdio: 'ignore' }),
    );
    const load = await job.run(DOCKER.buildPushV5, 'build', {
      inputs: { context: job.workspace, tags: name, load: 'true' },
    });
    assert.equal(load.exitCode, 0, load.stdout + load.stderr);
    images.push(name);
    const id = execFileSync('docker', ['image', 'inspect', name, '--format', '{{.Id}}'], {
      env: { ...process.env, DOCKER_HOST },
      encoding: 'utf8',
    }).trim();
    assert.equal(`sha256:${id.replace(/^sha256:/, '')}`, load.outputs.imageid);
    // Nothing was pushed: the engine's image ID stands for the manifest digest BuildKit's docker exporter would report.
    assert.equal(load.outputs.digest, load.outputs.imageid);
  });

  it('metadata-action feeds build-push as in its README: tags and OCI labels from the run, bake files, output variables', async () => {
    const job = await loggedInJob();
    const event = join(job.root, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        repository: { name: 'ecsapp', html_url: 'https://github.com/your-username/ecsapp', default_branch: 'main' },
        head_commit: { id: job.github.sha, timestamp: '2026-01-02T03:04:05Z' },
      }),
    );
    const image = `${registry}/${REPOSITORY}`;
    const meta = await job.run(DOCKER.metadata, 'meta', {
      inputs: {
        images: image,
        tags: 'type=ref,event=branch\ntype=sha\ntype=raw,value=latest,enable={{is_default_branch}}',
      },
      env: { GITHUB_EVENT_PATH: event },
    });
    assert.equal(meta.exitCode, 0, meta.stdout + meta.stderr);
    const short = job.github.sha.slice(0, 7);
    // By priority: ref (600), raw (200), sha (100).
    assert.equal(meta.outputs.tags, [`${image}:main`, `${image}:latest`, `${image}:sha-${short}`].join('\n'));
    assert.equal(meta.outputs.version, 'main');
    assert.match(meta.outputs.labels ?? '', /^org\.opencontainers\.image\.created=\d{4}-/m);
    assert.match(
      meta.outputs.labels ?? '',
      new RegExp(`^org\\.opencontainers\\.image\\.revision=${job.github.sha}$`, 'm'),
    );
    assert.match(
      meta.outputs.labels ?? '',
      /^org\.opencontainers\.image\.source=https:\/\/github\.com\/your-username\/ecsapp$/m,
    );
    assert.equal(meta.exported.DOCKER_METADATA_OUTPUT_VERSION, 'main');
    const bake = JSON.parse(readFileSync(meta.outputs['bake-file'] ?? '', 'utf8')) as {
      target: Record<string, { tags: string[] }>;
    };
    assert.deepEqual(bake.target['docker-metadata-action']?.tags, meta.outputs.tags?.split('\n'));
    const json = JSON.parse(meta.outputs.json ?? '{}') as { annotations: string[] };
    assert.ok(json.annotations.includes('manifest:org.opencontainers.image.version=main'));
    const v4 = await job.run(DOCKER.metadataV4, 'meta4', {
      inputs: { images: image },
      env: { GITHUB_EVENT_PATH: event },
    });
    assert.equal(v4.exitCode, 0, v4.stdout + v4.stderr);
    assert.equal(v4.outputs.annotations, undefined, 'v4 has no annotations output');

    writeFileSync(join(job.workspace, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /Dockerfile\n');
    const build = await job.run(DOCKER.buildPush, 'build', {
      inputs: {
        context: job.workspace,
        push: 'true',
        tags: meta.outputs.tags ?? '',
        labels: meta.outputs.labels ?? '',
      },
    });
    assert.equal(build.exitCode, 0, build.stdout + build.stderr);
    images.push(...(meta.outputs.tags ?? '').split('\n'));
    const revision = execFileSync(
      'docker',
      ['image', 'inspect', `${image}:main`, '--format', '{{index .Config.Labels "org.opencontainers.image.revision"}}'],
      { env: { ...process.env, DOCKER_HOST }, encoding: 'utf8' },
    ).trim();
    assert.equal(revision, job.github.sha);
  });

  it('build-push failures: a failing Dockerfile, a bad boolean, provenance on the docker driver', async () => {
    const job = newJob();
    writeFileSync(join(job.workspace, 'Dockerfile'), 'FROM scratch\nCOPY missing.txt /x\n');
    const failed = await job.run(DOCKER.buildPush, 'build', { inputs: { context: job.workspace } });
    assert.equal(failed.exitCode, 1);
    assert.match(failed.errors[0] ?? '', /^buildx failed with: ERROR: .*missing\.txt/);
    const badBool = await job.run(DOCKER.buildPush, 'build', { inputs: { context: job.workspace, push: 'yes' } });
    assert.match(badBool.errors[0] ?? '', /Input does not meet YAML 1\.2 "Core Schema" specification: push/);
    const provenance = await job.run(DOCKER.buildPush, 'build', {
      inputs: { context: job.workspace, provenance: 'true' },
    });
    assert.match(
      provenance.errors[0] ?? '',
      /buildx failed with: Learn more at https:\/\/docs\.docker\.com\/go\/attestations\//,
    );
    assert.match(provenance.stdout, /Attestation is not supported for the docker driver\./);
  });
});
