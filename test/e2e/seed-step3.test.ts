/**
 * Acceptance: the seed's Step 3 verbatim, with the AWS CLI v2 and with the AWS SDK v3. A job
 * of repo:your-username/ecsapp on refs/heads/main assumes the role; GetCallerIdentity with the
 * returned credentials shows the assumed-role ARN.
 */
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../support/aws-cli.js';
import { sdkConfig, seedTrustPolicy, startTestCloud, type TestCloud } from '../support/cloud.js';

const REPO = 'your-username/ecsapp';

describe("the seed's Step 3 with the AWS CLI v2", () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(async () => cloud.stop());

  it('creates the provider, the role and attaches the policies, then a main-branch job assumes it', async (t) => {
    const created = await awsCli(cloud, [
      'iam',
      'create-open-id-connect-provider',
      '--url',
      'https://token.actions.githubusercontent.com',
      '--client-id-list',
      'sts.amazonaws.com',
      // AWS CLI 2.9 still requires a thumbprint; AWS ignores it for GitHub's provider since 2023.
      '--thumbprint-list',
      '6938fd4d98bab03faadb97b34396831e3780aea1',
    ]);
    assert.equal(created.status, 0, created.stderr);
    const providerArn = (JSON.parse(created.stdout) as { OpenIDConnectProviderArn: string }).OpenIDConnectProviderArn;
    assert.equal(providerArn, `arn:aws:iam::${cloud.accountId}:oidc-provider/token.actions.githubusercontent.com`);

    const dir = mkdtempSync(join(tmpdir(), 'dockyard-seed-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'trust.json'), seedTrustPolicy(cloud.accountId));
    const role = await awsCli(cloud, [
      'iam',
      'create-role',
      '--role-name',
      'GitHub_Actions_Role',
      '--assume-role-policy-document',
      `file://${join(dir, 'trust.json')}`,
    ]);
    assert.equal(role.status, 0, role.stderr);
    const roleOut = JSON.parse(role.stdout) as {
      Role: { Arn: string; RoleId: string; AssumeRolePolicyDocument: unknown };
    };
    assert.equal(roleOut.Role.Arn, `arn:aws:iam::${cloud.accountId}:role/GitHub_Actions_Role`);
    assert.match(roleOut.Role.RoleId, /^AROA[A-Z2-7]{17}$/);
    // The CLI decodes IAM's URL-encoded policy documents into JSON objects.
    assert.deepEqual(roleOut.Role.AssumeRolePolicyDocument, JSON.parse(seedTrustPolicy(cloud.accountId)));

    for (const policy of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
      const attached = await awsCli(cloud, [
        'iam',
        'attach-role-policy',
        '--role-name',
        'GitHub_Actions_Role',
        '--policy-arn',
        `arn:aws:iam::aws:policy/${policy}`,
      ]);
      assert.equal(attached.status, 0, attached.stderr);
    }
    const listed = await awsCli(cloud, ['iam', 'list-attached-role-policies', '--role-name', 'GitHub_Actions_Role']);
    const names = (JSON.parse(listed.stdout) as { AttachedPolicies: { PolicyName: string }[] }).AttachedPolicies.map(
      (p) => p.PolicyName,
    ).sort();
    assert.deepEqual(names, ['AmazonEC2ContainerRegistryFullAccess', 'AmazonECS_FullAccess']);

    const token = await cloud.cloud.state.issuer.issue({
      repository: REPO,
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const assumed = await awsCli(
      cloud,
      [
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        roleOut.Role.Arn,
        '--role-session-name',
        'GitHubActions',
        '--web-identity-token',
        token,
      ],
      'none',
    );
    assert.equal(assumed.status, 0, assumed.stderr);
    const out = JSON.parse(assumed.stdout) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      SubjectFromWebIdentityToken: string;
      AssumedRoleUser: { Arn: string; AssumedRoleId: string };
      Provider: string;
      Audience: string;
    };
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.SubjectFromWebIdentityToken, `repo:${REPO}:ref:refs/heads/main`);
    assert.equal(
      out.AssumedRoleUser.Arn,
      `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/GitHubActions`,
    );
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${roleOut.Role.RoleId}:GitHubActions`);
    assert.equal(out.Audience, 'sts.amazonaws.com');
    const lifetime = Date.parse(out.Credentials.Expiration) - Date.now();
    assert.ok(lifetime > 3590_000 && lifetime <= 3600_000, `one-hour credentials, got ${lifetime} ms`);

    const who = await awsCli(cloud, ['sts', 'get-caller-identity'], {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    });
    assert.equal(who.status, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout), {
      UserId: `${roleOut.Role.RoleId}:GitHubActions`,
      Account: cloud.accountId,
      Arn: `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/GitHubActions`,
    });
  });
});

describe("the seed's Step 3 with the AWS SDK v3", () => {
  let cloud: TestCloud;
  before(async () => (cloud = await startTestCloud()));
  after(async () => cloud.stop());

  it('creates the provider, the role and attaches the policies, then a main-branch job assumes it', async () => {
    const iam = new IAMClient(sdkConfig(cloud));
    const provider = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    assert.equal(
      provider.OpenIDConnectProviderArn,
      `arn:aws:iam::${cloud.accountId}:oidc-provider/token.actions.githubusercontent.com`,
    );
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'GitHub_Actions_Role',
        AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId),
      }),
    );
    const roleArn = role.Role?.Arn as string;
    // The SDK, unlike the CLI, leaves IAM's URL-encoded documents as they come.
    assert.equal(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''), seedTrustPolicy(cloud.accountId));
    for (const policy of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'GitHub_Actions_Role',
          PolicyArn: `arn:aws:iam::aws:policy/${policy}`,
        }),
      );
    }
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'GitHub_Actions_Role' }));
    assert.equal(attached.AttachedPolicies?.length, 2);

    const token = await cloud.cloud.state.issuer.issue({
      repository: REPO,
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const sts = new STSClient({
      ...sdkConfig(cloud),
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    });
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token,
      }),
    );
    const creds = assumed.Credentials;
    assert.ok(creds?.AccessKeyId && creds.SecretAccessKey && creds.SessionToken);
    assert.ok(creds.Expiration instanceof Date);
    const who = await new STSClient(
      sdkConfig(cloud, {
        accessKeyId: creds.AccessKeyId,
        secretAccessKey: creds.SecretAccessKey,
        sessionToken: creds.SessionToken,
      }),
    ).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${cloud.accountId}:assumed-role/GitHub_Actions_Role/GitHubActions`);
    assert.equal(who.Account, cloud.accountId);
  });
});
