/**
 * `dockyard bootstrap --static-keys` and `dockyard migrate-to-oidc` against any AWS-compatible
 * endpoint with the usual credential chain (as --aws talks to AWS): the user, its one policy and
 * a key shown once with --show-secret; a rerun changes nothing and names the old key; a third key
 * is refused with the way out; --set-secrets is for this machine's git hosting only; a dry run
 * of the migration creates nothing; a workflow without keys is refused before anything is made.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetRoleCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';

const REPO = 'acme/api';
const TARGET = ['--repo', REPO, '--cluster', 'apps', '--service', 'api', '--ecr-repository', 'api'];

describe('bootstrap --static-keys and migrate-to-oidc on an endpoint', () => {
  let cloud: TestCloud;
  let iam: IAMClient;
  let env: NodeJS.ProcessEnv;
  const work = mkdtempSync(join(tmpdir(), 'dockyard-static-keys-cli-'));

  before(async () => {
    cloud = await startTestCloud();
    iam = new IAMClient(sdkConfig(cloud));
    env = {
      AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  });
  after(async () => {
    await cloud?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const cli = (args: string[]) => dockyard([...args, '--endpoint-url', cloud.url, '--region', 'us-east-1'], env);

  it('makes the user with the deploy policy and, with --show-secret, a key shown once that signs as the user', async () => {
    const made = await cli(['bootstrap', '--static-keys', ...TARGET, '--show-secret']);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /✓ deploy user github-deploy-acme-api: created/);
    const accessKeyId = /AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})/.exec(made.stdout)?.[1];
    const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S{40})$/m.exec(made.stdout)?.[1];
    assert.ok(accessKeyId && secretAccessKey, made.stdout);
    const identity = await new STSClient(sdkConfig(cloud, { accessKeyId, secretAccessKey })).send(
      new GetCallerIdentityCommand({}),
    );
    assert.equal(identity.Arn, `arn:aws:iam::${cloud.accountId}:user/github-deploy-acme-api`);
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: 'github-deploy-acme-api', PolicyName: 'dockyard-deploy' }),
    );
    const statements = (
      JSON.parse(decodeURIComponent(policy.PolicyDocument ?? '')) as { Statement: { Sid: string; Resource: unknown }[] }
    ).Statement;
    assert.equal(
      statements.find((s) => s.Sid === 'DeployTheService')?.Resource,
      `arn:aws:ecs:us-east-1:${cloud.accountId}:service/apps/api`,
    );

    const again = await cli(['bootstrap', '--static-keys', ...TARGET]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stdout,
      /= deploy user github-deploy-acme-api: unchanged\n {2}= deploy policy dockyard-deploy: unchanged/,
    );
    assert.match(again.stdout, /No access key was made/);
    assert.match(again.stdout, new RegExp(`also has the access key ${accessKeyId}`));
    assert.doesNotMatch(again.stdout, /AWS_SECRET_ACCESS_KEY=/);
  });

  it('refuses a third key with the way out, and --set-secrets away from this machine’s git hosting', async () => {
    assert.equal((await cli(['bootstrap', '--static-keys', ...TARGET, '--show-secret'])).status, 0);
    const third = await cli(['bootstrap', '--static-keys', ...TARGET, '--show-secret']);
    assert.equal(third.status, 1);
    assert.match(
      third.stderr,
      /github-deploy-acme-api already has two access keys .*aws iam delete-access-key --user-name github-deploy-acme-api --access-key-id AKIA/,
    );
    assert.equal(
      (await iam.send(new ListAccessKeysCommand({ UserName: 'github-deploy-acme-api' }))).AccessKeyMetadata?.length,
      2,
    );
    const elsewhere = await cli(['bootstrap', '--static-keys', ...TARGET, '--set-secrets']);
    assert.equal(elsewhere.status, 2);
    assert.match(elsewhere.stderr, /--set-secrets stores the key in this machine's git hosting/);
    const branch = await cli(['bootstrap', '--static-keys', ...TARGET, '--branch', 'main']);
    assert.equal(branch.status, 2);
    assert.match(branch.stderr, /--branch is for the keyless role; an access key works from any branch/);
  });

  it('migrate-to-oidc --dry-run prints the diff and creates nothing; a workflow without keys is refused before anything is made', async () => {
    mkdirSync(join(work, '.github', 'workflows'), { recursive: true });
    const file = join(work, '.github', 'workflows', 'deploy.yml');
    writeFileSync(
      file,
      [
        'on:',
        '  push:',
        '    branches: [release]',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        '          aws-access-key-id: ${{ secrets.DEPLOY_KEY_ID }}',
        '          aws-secret-access-key: ${{ secrets.DEPLOY_SECRET }}',
        '          aws-region: us-east-1',
        '',
      ].join('\n'),
    );
    const dry = await cli(['migrate-to-oidc', '--workflow', file, ...TARGET, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stdout,
      new RegExp(`^\\+ {10}role-to-assume: arn:aws:iam::${cloud.accountId}:role/github-deploy-acme-api$`, 'm'),
    );
    assert.match(dry.stdout, /^\+ {4}permissions:\n\+ {6}id-token: write\n\+ {6}contents: read\n {5}steps:$/m);
    assert.match(dry.stderr, /~ deploy role github-deploy-acme-api: would create/);
    assert.match(dry.stderr, /admits: repo:acme\/api:ref:refs\/heads\/release/);
    assert.match(dry.stderr, /dockyard secret delete DEPLOY_KEY_ID --repo acme\/api/);
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'github-deploy-acme-api' })), {
      name: 'NoSuchEntityException',
    });

    writeFileSync(file, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n');
    const nothing = await cli(['migrate-to-oidc', '--workflow', file, ...TARGET]);
    assert.equal(nothing.status, 1);
    assert.match(
      nothing.stderr,
      /deploy\.yml cannot be migrated: no configure-aws-credentials step passes aws-access-key-id/,
    );
    await assert.rejects(iam.send(new GetRoleCommand({ RoleName: 'github-deploy-acme-api' })), {
      name: 'NoSuchEntityException',
    });
    const missing = await cli(['migrate-to-oidc', '--workflow', join(work, 'nope.yml'), ...TARGET]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read .*nope\.yml/);
  });
});
