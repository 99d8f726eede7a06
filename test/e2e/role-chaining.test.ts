/**
 * AssumeRole as configure-aws-credentials uses it for role chaining: the session's identity
 * policy and the target's trust policy must both allow sts:AssumeRole, session tags need
 * sts:TagSession, chained sessions last at most an hour; plus presigned-URL SigV4.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { prepareSeedRole } from '../support/sts-fixture.js';

describe('AssumeRole (role chaining) and presigned requests', () => {
  let cloud: TestCloud;
  let first: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  let targetArn: string;

  before(async () => {
    cloud = await startTestCloud();
    const ciRole = await prepareSeedRole(cloud, 'ci');
    const iam = new IAMClient(sdkConfig(cloud));
    const target = await iam.send(
      new CreateRoleCommand({
        RoleName: 'deployer',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: ciRole }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    targetArn = target.Role?.Arn as string;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'ci',
        PolicyName: 'chain',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: targetArn }],
        }),
      }),
    );
    const token = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const assumed = await new STSClient(sdkConfig(cloud)).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ciRole,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token,
      }),
    );
    const c = assumed.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    first = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  });
  after(async () => cloud.stop());

  it('chains into a role that trusts the first role', async () => {
    const sts = new STSClient(sdkConfig(cloud, first));
    const chained = await sts.send(new AssumeRoleCommand({ RoleArn: targetArn, RoleSessionName: 'chained' }));
    const c = chained.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    const who = await new STSClient(
      sdkConfig(cloud, {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      }),
    ).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${cloud.accountId}:assumed-role/deployer/chained`);
  });

  it('refuses session tags unless the trust policy allows sts:TagSession', async () => {
    const sts = new STSClient(sdkConfig(cloud, first));
    await assert.rejects(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: targetArn,
          RoleSessionName: 'tagged',
          Tags: [{ Key: 'GitHub', Value: 'Actions' }],
        }),
      ),
      (error: Error) => {
        assert.equal(error.name, 'AccessDenied');
        assert.match(
          error.message,
          /is not authorized to perform: sts:TagSession on resource: arn:aws:iam::\d+:role\/deployer/,
        );
        return true;
      },
    );
  });

  it('limits chained sessions to one hour', async () => {
    const sts = new STSClient(sdkConfig(cloud, first));
    await assert.rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: targetArn, RoleSessionName: 'long', DurationSeconds: 7200 })),
      /1 hour session limit/,
    );
  });

  it('accepts a presigned GetCallerIdentity URL and refuses it once tampered', async () => {
    const url = new URL(cloud.url);
    const signer = new SignatureV4({ credentials: first, region: cloud.region, service: 'sts', sha256: Sha256 });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host },
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      },
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await fetch(`${cloud.url}/?${query}`);
    const body = await ok.text();
    assert.equal(ok.status, 200, body);
    assert.match(body, /<Arn>arn:aws:sts::\d+:assumed-role\/ci\/GitHubActions<\/Arn>/);
    const tampered = await fetch(`${cloud.url}/?${query.replace('GetCallerIdentity', 'GetCallerIdentitY')}`);
    assert.equal(tampered.status, 403);
  });
});
