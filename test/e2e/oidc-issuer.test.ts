/**
 * Acceptance: the CI OIDC issuer over HTTP. Discovery and JWKS shaped like GitHub's; the
 * Actions ID-token endpoint answers GitHub's own client (@actions/core getIDToken) with a token
 * STS accepts; key rotation by `dockyard keys` reaches a running cloud.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ID_TOKEN_PATH } from '../../src/identity/index.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { dockyard } from '../support/dockyard-cli.js';
import { assumeWithToken, prepareSeedRole } from '../support/sts-fixture.js';

describe('the CI OIDC issuer over HTTP', () => {
  let cloud: TestCloud;
  let roleArn: string;
  before(async () => {
    cloud = await startTestCloud();
    roleArn = await prepareSeedRole(cloud);
  });
  after(async () => cloud.stop());

  it('serves discovery and JWKS shaped like GitHub’s', async () => {
    const discovery = (await (await fetch(`${cloud.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(discovery.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(discovery.jwks_uri, 'https://token.actions.githubusercontent.com/.well-known/jwks');
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(discovery.subject_types_supported, ['public', 'pairwise']);
    const jwks = (await (await fetch(`${cloud.url}/.well-known/jwks`)).json()) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    const [key] = jwks.keys;
    assert.equal(key?.kty, 'RSA');
    assert.equal(key?.alg, 'RS256');
    assert.equal(key?.use, 'sig');
    assert.match(String(key?.kid), /^[0-9A-F]{40}$/);
  });

  it('answers @actions/core getIDToken with a token STS accepts, only for a registered job', async () => {
    const job = cloud.cloud.broker.register({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      workflow: 'Deploy my-app to Amazon ECS',
    });
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${cloud.url}${ID_TOKEN_PATH}?api-version=2.0`;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = job.requestToken;
    try {
      const core = await import('@actions/core');
      const token = await core.getIDToken('sts.amazonaws.com');
      const claims = decodeJwt(token);
      assert.equal(claims.aud, 'sts.amazonaws.com');
      assert.equal(claims.sub, 'repo:your-username/ecsapp:ref:refs/heads/main');
      assert.equal(claims.repository, 'your-username/ecsapp');
      assert.equal(decodeProtectedHeader(token).alg, 'RS256');
      const assumed = await new STSClient(sdkConfig(cloud)).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: 'GitHubActions',
          WebIdentityToken: token,
        }),
      );
      assert.ok(assumed.Credentials?.AccessKeyId);
      const defaultAudience = decodeJwt(await core.getIDToken());
      assert.equal(defaultAudience.aud, 'https://github.com/your-username');

      job.revoke();
      await assert.rejects(core.getIDToken('sts.amazonaws.com'), /Failed to get ID Token/);
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'not-a-job';
      await assert.rejects(core.getIDToken('sts.amazonaws.com'), /Error Code : 401/);
    } finally {
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    }
  });

  it('follows key rotation and removal done by `dockyard keys` while running', async () => {
    const env = { DOCKYARD_DATA: cloud.dataDir };
    const before = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    const oldKid = decodeProtectedHeader(before).kid as string;
    const rotated = await dockyard(['keys', 'rotate'], env);
    assert.equal(rotated.status, 0, rotated.stderr);
    const after = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    assert.notEqual(decodeProtectedHeader(after).kid, oldKid, 'the running cloud signs with the new key');
    assert.equal((await assumeWithToken(cloud, roleArn, before)).status, 200, 'a retired key still verifies');
    const jwks = (await (await fetch(`${cloud.url}/.well-known/jwks`)).json()) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 2);

    const activeRemoval = await dockyard(['keys', 'remove', '--kid', decodeProtectedHeader(after).kid as string], env);
    assert.equal(activeRemoval.status, 1);
    const removed = await dockyard(['keys', 'remove', '--kid', oldKid], env);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal(
      (await assumeWithToken(cloud, roleArn, before)).code,
      'InvalidIdentityToken',
      'a removed key no longer verifies',
    );
    assert.equal((await assumeWithToken(cloud, roleArn, after)).status, 200);
    const listed = await dockyard(['keys', 'list', '--json'], env);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 1);
  });
});
