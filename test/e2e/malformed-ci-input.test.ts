/**
 * Bad input on the CI surfaces (the control API, git's smart HTTP, the push hook): random
 * methods, paths, headers and bodies, with and without the admin key, get 4xx answers with a
 * readable message, never a 5xx or a stack trace, and the cloud keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { random } from '../support/random.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe('malformed input on the CI surfaces', () => {
  let cloud: TestCloud;
  let admin: string;
  before(async () => {
    cloud = await startTestCloud();
    admin = basicAuthorization(cloud.admin);
    await cloud.cloud.ci.repositories.create('me/app');
  });
  after(async () => cloud.stop());

  const call = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) => {
    const response = await fetch(`${cloud.url}${path}`, {
      method,
      headers: init.headers ?? {},
      ...(init.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: init.body } : {}),
    });
    return { status: response.status, text: await response.text() };
  };

  it('answers the control API with clear 4xx messages', async () => {
    const noKey = await call('GET', '/_dockyard/api/runs');
    assert.equal(noKey.status, 401);
    assert.match(noKey.text, /admin key/);
    const badJson = await call('POST', '/_dockyard/api/repos', {
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assert.equal(badJson.status, 400);
    assert.match(badJson.text, /must be a JSON object/);
    const badName = await call('POST', '/_dockyard/api/repos', {
      headers: { authorization: admin },
      body: JSON.stringify({ name: '../../etc' }),
    });
    assert.equal(badName.status, 400, badName.text);
    const noRun = await call('GET', '/_dockyard/api/runs/12345', { headers: { authorization: admin } });
    assert.equal(noRun.status, 404);
    assert.match(noRun.text, /Run 12345 not found/);
    const badSecret = await call('PUT', '/_dockyard/api/repos/me/app/secrets/GITHUB_TOKEN', {
      headers: { authorization: admin },
      body: JSON.stringify({ value: 'x' }),
    });
    assert.equal(badSecret.status, 400, badSecret.text);
    const badDispatch = await call('POST', '/_dockyard/api/runs', {
      headers: { authorization: admin },
      body: JSON.stringify({ repository: 'me/app', workflow: 'nope.yml' }),
    });
    assert.ok(badDispatch.status >= 400 && badDispatch.status < 500, `${badDispatch.status} ${badDispatch.text}`);
  });

  it('answers git and the push hook with 4xx for what they do not serve', async () => {
    assert.equal((await call('GET', '/git/me/app.git/info/refs?service=git-upload-pack')).status, 401);
    assert.equal(
      (await call('GET', '/git/me/app.git/info/refs?service=git-upload-pack', { headers: { authorization: admin } }))
        .status,
      200,
    );
    assert.equal((await call('GET', '/git/me/app.git/HEAD', { headers: { authorization: admin } })).status, 404);
    assert.equal(
      (
        await call('GET', '/git/me/..%2F..%2Fetc/info/refs?service=git-upload-pack', {
          headers: { authorization: admin },
        })
      ).status,
      400,
    );
    assert.equal(
      (await call('POST', '/_dockyard/git/post-receive/me/app', { body: '0 0 refs/heads/main' })).status,
      401,
    );
  });

  it('survives 1,500 random requests on the CI surfaces with no 5xx', async () => {
    const seed = Number(process.env.DOCKYARD_FUZZ_SEED ?? Date.now() % 1e9);
    const next = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const junk = () =>
      Array.from({ length: Math.floor(next() * 40) }, () =>
        String.fromCharCode(Math.floor(next() * 0x7f) || 0x20),
      ).join('');
    const prefixes = [
      '/_dockyard/api',
      '/_dockyard/api/repos',
      '/_dockyard/api/runs',
      '/_dockyard/api/runs/1',
      '/_dockyard/api/runs/1/events',
      '/_dockyard/api/repos/me/app/secrets',
      '/_dockyard/api/repos/me/app/variables/X',
      '/git/me/app.git',
      '/git/me/app/info/refs',
      '/me/app/info/refs',
      '/_dockyard/git/post-receive/me/app',
      '/_actions/idtoken',
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
    const bodies = [
      '',
      '{}',
      '[]',
      'null',
      '{"name":5}',
      '{"repository":"me/app","workflow":"x"}',
      '{"value":null}',
      'a=b&c=d',
      '\u0000\u0001',
      junk(),
    ];
    const failures: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const method = pick(methods);
      const path = `${pick(prefixes)}${pick(['', '/', `/${encodeURIComponent(junk())}`, `?${encodeURIComponent(junk())}=${encodeURIComponent(junk())}`, '?service=git-receive-pack', '/git-upload-pack'])}`;
      const headers: Record<string, string> = {};
      if (next() < 0.5)
        headers.authorization = pick([
          admin,
          'Basic !!!',
          'Bearer x',
          `Basic ${Buffer.from(':').toString('base64')}`,
          admin.slice(0, -2),
        ]);
      if (next() < 0.3)
        headers['content-type'] = pick(['application/json', 'application/x-git-upload-pack-request', 'text/plain']);
      const result = await call(method, path, { headers, body: pick(bodies) }).catch((error: unknown) => ({
        status: 0,
        text: String(error),
      }));
      if (result.status === 0 || result.status >= 500 || /\n\s+at .+\(.+:\d+:\d+\)/.test(result.text))
        failures.push(`${method} ${path} → ${result.status} ${result.text.slice(0, 120)}`);
    }
    assert.deepEqual(failures.slice(0, 10), [], `seed ${seed}`);
    assert.equal((await fetch(`${cloud.url}/_dockyard/health`)).status, 200);
  });
});
