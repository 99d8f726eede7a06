/**
 * Authentication and authorization on the data plane: ECR's challenge, user AWS only,
 * expired tokens, IAM denial of push for a pull-only role (with ECR's message), the
 * repository policy, NAME_UNKNOWN only after authorization, and the token store itself.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_VALIDITY_MS } from '../../src/registry/tokens.js';
import {
  ACCOUNT,
  allowPolicy,
  errorOf,
  PULL_ACTIONS,
  ROOT,
  sha256,
  startRegistry,
  type RegistryHarness,
} from './support/harness.js';

let h: RegistryHarness;
beforeEach(async () => {
  h = await startRegistry();
  h.images.createRepository('app');
});
afterEach(() => h.dispose());

const ARN = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`;

describe('registry auth', () => {
  it('GET /v2/: 200 authenticated; 401 with ECR challenge naming the Host otherwise', async () => {
    const ok = await h.call('GET', '/v2/');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['docker-distribution-api-version'], 'registry/2.0');
    const res = await h.call('GET', '/v2/', {
      password: null,
      headers: { host: '123456789012.dkr.ecr.us-east-1.localhost:4566' },
    });
    assert.equal(res.status, 401);
    assert.equal(
      res.headers['www-authenticate'],
      'Basic realm="https://123456789012.dkr.ecr.us-east-1.localhost:4566/",service="ecr.amazonaws.com"',
    );
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.equal(errorOf(res).code, 'UNAUTHORIZED');
  });

  it('refuses other users, unknown passwords and Bearer', async () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    for (const authorization of [
      basic(`root:${h.rootPassword}`),
      basic('AWS:wrong'),
      basic('AWS'),
      'Bearer abc',
      'Basic !!!',
    ]) {
      const res = await h.call('GET', '/v2/app/tags/list', { password: null, headers: { authorization } });
      assert.equal(res.status, 401, authorization);
      assert.ok(res.headers['www-authenticate']?.startsWith('Basic realm='));
    }
  });

  it('an expired token is 401 with the challenge and ECR message', async () => {
    h.clock.advance(TOKEN_VALIDITY_MS - 1000);
    assert.equal((await h.call('GET', '/v2/')).status, 200);
    h.clock.advance(1000);
    const res = await h.call('GET', '/v2/app/tags/list');
    assert.equal(res.status, 401);
    assert.ok(res.headers['www-authenticate']);
    assert.equal(errorOf(res).message, 'Your authorization token has expired. Reauthenticate and try again.');
  });

  it('a pull-only role pulls and is refused every push step with 403 DENIED', async () => {
    const { digest } = await h.pushImage('app', 'v1', Buffer.from('layer'));
    const password = h.rolePassword('puller', [allowPolicy(PULL_ACTIONS)]);
    assert.equal((await h.call('GET', '/v2/app/manifests/v1', { password })).status, 200);
    assert.equal((await h.call('HEAD', `/v2/app/blobs/${sha256('layer')}`, { password })).status, 200);
    assert.equal((await h.call('GET', `/v2/app/blobs/${sha256('layer')}`, { password })).status, 200);
    assert.equal((await h.call('GET', '/v2/app/tags/list', { password })).status, 200);
    const post = await h.call('POST', '/v2/app/blobs/uploads/', { password });
    assert.equal(post.status, 403);
    assert.deepEqual(errorOf(post), {
      code: 'DENIED',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/puller/session is not authorized to perform: ecr:InitiateLayerUpload on resource: ${ARN} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
      detail: {},
    });
    const root = await h.call('POST', '/v2/app/blobs/uploads/');
    const location = root.headers.location ?? '';
    assert.equal(errorOf(await h.call('PATCH', location, { password, body: 'x' })).code, 'DENIED');
    assert.match(
      errorOf(await h.call('PUT', `${location}?digest=${sha256('')}`, { password })).message,
      /ecr:CompleteLayerUpload/,
    );
    const manifest = h.images.getManifest('app', digest)?.content ?? Buffer.alloc(0);
    const put = await h.call('PUT', '/v2/app/manifests/v2', {
      password,
      body: manifest,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(put.status, 403);
    assert.match(errorOf(put).message, /ecr:PutImage/);
    assert.equal((await h.call('DELETE', `/v2/app/manifests/${digest}`, { password })).status, 403);
  });

  it('a role with no permission is denied pulls; a repository policy can grant them', async () => {
    await h.pushImage('app', 'v1');
    const password = h.rolePassword('nobody', []);
    const res = await h.call('GET', '/v2/app/manifests/v1', { password });
    assert.equal(res.status, 403);
    assert.match(errorOf(res).message, /ecr:BatchGetImage/);
    h.images.createRepository('shared', {
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/nobody` }, Action: ['ecr:BatchGetImage'] },
        ],
      }),
    });
    await h.pushImage('shared', 'v1');
    assert.equal((await h.call('GET', '/v2/shared/manifests/v1', { password })).status, 200);
  });

  it('NAME_UNKNOWN comes after authorization', async () => {
    const root = await h.call('GET', '/v2/ghost/manifests/latest');
    assert.deepEqual([root.status, errorOf(root).code], [404, 'NAME_UNKNOWN']);
    assert.equal(
      errorOf(root).message,
      `The repository with name 'ghost' does not exist in the registry with id '${ACCOUNT}'`,
    );
    const denied = await h.call('GET', '/v2/ghost/manifests/latest', { password: h.rolePassword('nobody', []) });
    assert.equal(denied.status, 403);
    const unauthenticated = await h.call('GET', '/v2/ghost/manifests/latest', { password: null });
    assert.equal(unauthenticated.status, 401);
  });
});

describe('RegistryTokenStore', () => {
  it('stores only a hash, verifies, expires after 12 hours', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const { password, expiresAt } = h.tokens.issue(ROOT, now);
    assert.equal(expiresAt.getTime() - now.getTime(), 12 * 3600 * 1000);
    assert.ok(password.length >= 40);
    const rows = h.db.prepare('SELECT password_hash FROM registry_tokens').all() as { password_hash: string }[];
    assert.ok(rows.every((r) => r.password_hash !== password));
    assert.deepEqual(h.tokens.verify(password, now), { caller: ROOT });
    assert.deepEqual(h.tokens.verify(password, expiresAt), { expired: true });
    assert.equal(h.tokens.verify('not-a-password', now), undefined);
    assert.notEqual(h.tokens.issue(ROOT, now).password, password);
  });
});
