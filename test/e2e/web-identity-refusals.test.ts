/**
 * Acceptance: AssumeRoleWithWebIdentity refuses, with AWS's error code and no credentials
 * issued, every token or setup that AWS refuses.
 */
import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { ManualClock } from '../../src/core/clock.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { assumeWithToken, prepareSeedRole, sessionCount } from '../support/sts-fixture.js';

const REPO = 'your-username/ecsapp';
const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

describe('AssumeRoleWithWebIdentity refusals', () => {
  let cloud: TestCloud;
  let clock: ManualClock;
  let roleArn: string;
  const job = (overrides: Record<string, string> = {}) =>
    cloud.cloud.state.issuer.issue({
      repository: REPO,
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
      ...overrides,
    });

  before(async () => {
    clock = new ManualClock(Date.now());
    cloud = await startTestCloud({ clock });
    roleArn = await prepareSeedRole(cloud);
  });
  after(async () => cloud.stop());

  async function refused(token: string, code: string, message?: RegExp, role = roleArn) {
    const before = sessionCount(cloud);
    const result = await assumeWithToken(cloud, role, token);
    assert.equal(result.code, code, result.body);
    if (message) assert.match(result.message ?? '', message);
    assert.ok(result.status >= 400 && result.status < 500, `status ${result.status}`);
    assert.doesNotMatch(result.body, /<Credentials>/);
    assert.equal(sessionCount(cloud), before, 'no credentials issued');
  }

  it('admits the main branch (control)', async () => {
    const result = await assumeWithToken(cloud, roleArn, await job());
    assert.equal(result.status, 200, result.body);
    assert.match(result.body, /<AccessKeyId>ASIA/);
  });

  it('refuses branch master', async () => {
    await refused(
      await job({ ref: 'refs/heads/master' }),
      'AccessDenied',
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity$/,
    );
  });

  it('refuses another repository', async () => {
    await refused(await job({ repository: 'someone-else/ecsapp' }), 'AccessDenied');
  });

  it('refuses a wrong audience', async () => {
    await refused(
      await job({ audience: 'https://github.com/your-username' }),
      'InvalidIdentityToken',
      /^Incorrect token audience$/,
    );
  });

  it('refuses an expired token', async () => {
    const token = await job();
    clock.advance(301_000 + 10_000);
    try {
      await refused(token, 'ExpiredTokenException', /^Token expired/);
    } finally {
      clock.advance(-311_000);
    }
  });

  it('refuses a token that is not yet valid', async () => {
    clock.advance(3600_000);
    const token = await job();
    clock.advance(-3600_000);
    await refused(token, 'ExpiredTokenException');
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await job({ ref: 'refs/heads/master' })).split('.');
    const claims = decodeJwt(await job({ ref: 'refs/heads/master' }));
    const forged = b64url(JSON.stringify({ ...claims, sub: `repo:${REPO}:ref:refs/heads/main` }));
    await refused(`${header}.${forged}.${signature}`, 'InvalidIdentityToken');
  });

  it('refuses a signature by an unknown key, with or without a known kid', async () => {
    const claims = decodeJwt(await job());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'UNKNOWNKID' })
      .sign(privateKey);
    await refused(unknownKid, 'InvalidIdentityToken');
    const { kid } = decodeProtectedHeader(await job());
    const knownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(privateKey);
    await refused(knownKid, 'InvalidIdentityToken');
  });

  it('refuses alg none', async () => {
    const claims = decodeJwt(await job());
    await refused(
      `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`,
      'InvalidIdentityToken',
    );
  });

  it('refuses HS256 keyed with the public key', async () => {
    const token = await job();
    const claims = decodeJwt(token);
    const { kid } = decodeProtectedHeader(token);
    const jwk = cloud.cloud.state.issuer.jwks().keys.find((k) => k.kid === kid);
    assert.ok(jwk);
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const signingInput = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
    const mac = createHmac('sha256', pem).update(signingInput).digest('base64url');
    await refused(`${signingInput}.${mac}`, 'InvalidIdentityToken');
  });

  it('refuses an unknown issuer', async () => {
    const claims = decodeJwt(await job());
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({ ...claims, iss: 'https://issuer.invalid' })
      .setProtectedHeader({ alg: 'RS256', kid: 'X' })
      .sign(privateKey);
    await refused(
      token,
      'InvalidIdentityToken',
      /^No OpenIDConnect provider found in your account for https:\/\/issuer\.invalid$/,
    );
  });

  it('refuses garbage tokens', async () => {
    for (const garbage of ['abcd', 'a.b.c', `${b64url('{')}.${b64url('{}')}.x`, 'x'.repeat(19_000)])
      await refused(garbage, 'InvalidIdentityToken');
  });

  it('refuses a trust policy naming another provider', async () => {
    const other = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${cloud.accountId}:oidc-provider/gitlab.example.com` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
        },
      ],
    });
    // IAM refuses a trust policy naming a provider that does not exist, so it is created first.
    await new IAMClient(sdkConfig(cloud)).send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://gitlab.example.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
    const otherRole = await prepareSeedRole(cloud, 'OtherProviderRole', other);
    await refused(await job(), 'AccessDenied', undefined, otherRole);
  });

  it('refuses a deleted role', async () => {
    const doomed = await prepareSeedRole(cloud, 'DoomedRole');
    assert.equal((await assumeWithToken(cloud, doomed, await job())).status, 200);
    await new IAMClient(sdkConfig(cloud)).send(new DeleteRoleCommand({ RoleName: 'DoomedRole' }));
    await refused(await job(), 'AccessDenied', undefined, doomed);
  });

  it('refuses after the provider is deleted (last)', async () => {
    await new IAMClient(sdkConfig(cloud)).send(
      new DeleteOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: `arn:aws:iam::${cloud.accountId}:oidc-provider/token.actions.githubusercontent.com`,
      }),
    );
    await refused(
      await job(),
      'InvalidIdentityToken',
      /^No OpenIDConnect provider found in your account for https:\/\/token\.actions\.githubusercontent\.com$/,
    );
  });
});
