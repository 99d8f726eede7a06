/**
 * Acceptance (ECR): the AWS CLI, docker (through Podman's Docker API), podman and skopeo,
 * unmodified, against the local ECR: create a repository, log in with get-login-password,
 * build, push and pull; copy in both directions; DescribeImages and BatchGetImage agree with
 * what was pushed, byte for byte; immutable tags, pull-only roles, expired and foreign tokens.
 */
import { AttachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { awsCli } from '../support/aws-cli.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { run, runOk } from '../support/run.js';
import { prepareSeedRole } from '../support/sts-fixture.js';
import { removeImages } from '../support/engine-cleanup.js';

const DOCKER_HOST = 'unix:///run/podman/podman.sock';

describe('ECR with real clients', () => {
  let cloud: TestCloud;
  let clock: ManualClock;
  let work: string;
  let registry: string;
  let password: string;
  const dockerEnv = () => ({ DOCKER_HOST, DOCKER_CONFIG: join(work, 'docker-config') });

  before(async () => {
    clock = new ManualClock(Date.now());
    cloud = await startTestCloud({ clock, engine: true });
    work = mkdtempSync(join(tmpdir(), 'dockyard-ecr-'));
    writeFileSync(join(work, 'hello.txt'), `hello from dockyard ${Date.now()}\n`);
    writeFileSync(join(work, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  });
  after(async () => {
    await removeImages(`localhost:${cloud.port}/`);
    await cloud.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates a repository with the AWS CLI, at an address docker accepts', async () => {
    const created = await awsCli(cloud, ['ecr', 'create-repository', '--repository-name', 'my-app']);
    assert.equal(created.status, 0, created.stderr);
    const repo = (JSON.parse(created.stdout) as { repository: { repositoryUri: string; repositoryArn: string } })
      .repository;
    assert.equal(repo.repositoryArn, `arn:aws:ecr:${cloud.region}:${cloud.accountId}:repository/my-app`);
    registry = repo.repositoryUri.slice(0, repo.repositoryUri.indexOf('/'));
    assert.equal(registry, `localhost:${cloud.port}`);
    const login = await awsCli(cloud, ['ecr', 'get-login-password']);
    assert.equal(login.status, 0, login.stderr);
    password = login.stdout.trim();
  });

  it('logs docker in with get-login-password, builds, pushes and pulls', async () => {
    const login = await run('docker', ['login', '--username', 'AWS', '--password-stdin', registry], {
      env: dockerEnv(),
      input: password,
    });
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    await runOk('docker', ['build', '-t', `${registry}/my-app:v1`, work], { env: dockerEnv() });
    const pushed = await runOk('docker', ['push', `${registry}/my-app:v1`], { env: dockerEnv() });
    assert.doesNotMatch(pushed.stderr, /error/i);
    await runOk('docker', ['rmi', `${registry}/my-app:v1`], { env: dockerEnv() });
    await runOk('docker', ['pull', `${registry}/my-app:v1`], { env: dockerEnv() });
  });

  it('shows the image in DescribeImages and returns its manifest byte for byte', async () => {
    const raw = await runOk('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      `AWS:${password}`,
      `docker://${registry}/my-app:v1`,
    ]);
    const digest = `sha256:${createHash('sha256').update(raw.stdout).digest('hex')}`;
    const described = await awsCli(cloud, ['ecr', 'describe-images', '--repository-name', 'my-app']);
    assert.equal(described.status, 0, described.stderr);
    const [image] = (
      JSON.parse(described.stdout) as {
        imageDetails: { imageDigest: string; imageTags: string[]; imageSizeInBytes: number }[];
      }
    ).imageDetails;
    assert.equal(image?.imageDigest, digest);
    assert.deepEqual(image?.imageTags, ['v1']);
    assert.ok((image?.imageSizeInBytes ?? 0) > 0);
    const got = await awsCli(cloud, [
      'ecr',
      'batch-get-image',
      '--repository-name',
      'my-app',
      '--image-ids',
      'imageTag=v1',
    ]);
    const manifest = (JSON.parse(got.stdout) as { images: { imageManifest: string }[] }).images[0]?.imageManifest;
    assert.equal(manifest, raw.stdout);
  });

  it('copies with skopeo in both directions', async () => {
    const layout = join(work, 'layout');
    await runOk('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `AWS:${password}`,
      `docker://${registry}/my-app:v1`,
      `oci:${layout}:v1`,
    ]);
    await runOk('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `AWS:${password}`,
      `oci:${layout}:v1`,
      `docker://${registry}/my-app:v2`,
    ]);
    const tags = await awsCli(cloud, ['ecr', 'list-images', '--repository-name', 'my-app']);
    const listed = (JSON.parse(tags.stdout) as { imageIds: { imageTag?: string }[] }).imageIds
      .map((i) => i.imageTag)
      .sort();
    assert.deepEqual(listed, ['v1', 'v2']);
  });

  it('pushes and pulls with podman', async () => {
    await runOk('podman', ['tag', `${registry}/my-app:v1`, `${registry}/my-app:v3`]);
    await runOk('podman', ['push', '--creds', `AWS:${password}`, `${registry}/my-app:v3`]);
    await runOk('podman', ['rmi', `${registry}/my-app:v3`]);
    await runOk('podman', ['pull', '--creds', `AWS:${password}`, `${registry}/my-app:v3`]);
  });

  it('refuses a second push of a tag to an IMMUTABLE repository', async () => {
    const created = await awsCli(cloud, [
      'ecr',
      'create-repository',
      '--repository-name',
      'frozen',
      '--image-tag-mutability',
      'IMMUTABLE',
    ]);
    assert.equal(created.status, 0, created.stderr);
    const layout = join(work, 'layout');
    await runOk('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `AWS:${password}`,
      `oci:${layout}:v1`,
      `docker://${registry}/frozen:release`,
    ]);
    writeFileSync(join(work, 'hello.txt'), 'changed\n');
    await runOk('docker', ['build', '-t', `${registry}/frozen:release`, work], { env: dockerEnv() });
    const second = await run('docker', ['push', `${registry}/frozen:release`], { env: dockerEnv() });
    assert.notEqual(second.status, 0);
    assert.match(
      second.stderr + second.stdout,
      /already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable/,
    );
  });

  it('lets a pull-only role pull and refuses it push; refuses foreign and expired tokens', async () => {
    const roleArn = await prepareSeedRole(cloud, 'reader');
    await new IAMClient(sdkConfig(cloud)).send(
      new AttachRolePolicyCommand({
        RoleName: 'reader',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
      }),
    );
    const token = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const c = (
      await new STSClient(sdkConfig(cloud)).send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'reader', WebIdentityToken: token }),
      )
    ).Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    const readerLogin = await awsCli(cloud, ['ecr', 'get-login-password'], {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    });
    assert.equal(readerLogin.status, 0, readerLogin.stderr);
    const readerPassword = readerLogin.stdout.trim();
    const layout = join(work, 'reader-layout');
    await runOk('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `AWS:${readerPassword}`,
      `docker://${registry}/my-app:v1`,
      `oci:${layout}:v1`,
    ]);
    const push = await run('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `AWS:${readerPassword}`,
      `oci:${layout}:v1`,
      `docker://${registry}/my-app:reader`,
    ]);
    assert.notEqual(push.status, 0);
    assert.match(push.stderr, /denied|DENIED|not authorized/);

    const foreign = await run('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      'AWS:not-a-token',
      `docker://${registry}/my-app:v1`,
    ]);
    assert.notEqual(foreign.status, 0);

    clock.advance(12 * 3600_000 + 60_000);
    try {
      const expired = await run('skopeo', [
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `AWS:${password}`,
        `docker://${registry}/my-app:v1`,
      ]);
      assert.notEqual(expired.status, 0);
      assert.match(expired.stderr, /401|unauthorized|authentication required/i);
    } finally {
      clock.advance(-(12 * 3600_000 + 60_000));
    }
  });
});
