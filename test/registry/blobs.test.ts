/**
 * Blob reads on the wire (HEAD/GET headers, Range, 416, per-repository visibility, DELETE),
 * error shape and robustness: a corrupt blob is not served, a killed upload leaves nothing
 * visible, junk requests do not crash the server.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ACCOUNT, errorOf, REGION, sha256, startRegistry, type RegistryHarness } from './support/harness.js';
import { waitFor } from '../support/wait-for.js';

let h: RegistryHarness;
beforeEach(async () => {
  h = await startRegistry();
  h.images.createRepository('app');
  h.images.createRepository('other');
});
afterEach(() => h.dispose());

const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

function blobFile(digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(h.blobs.root, 'sha256', hex.slice(0, 2), hex);
}

describe('blob reads', () => {
  it('HEAD and GET carry Content-Length, Docker-Content-Digest and Etag', async () => {
    const digest = await h.pushBlob('app', CONTENT);
    const head = await h.call('HEAD', `/v2/app/blobs/${digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '1000');
    assert.equal(head.headers['docker-content-digest'], digest);
    assert.equal(head.headers.etag, `"${digest}"`);
    const get = await h.call('GET', `/v2/app/blobs/${digest}`);
    assert.deepEqual(get.body, CONTENT);
    assert.equal(get.headers['content-length'], '1000');
  });

  it('Range → 206 with Content-Range; unsatisfiable → 416', async () => {
    const digest = await h.pushBlob('app', CONTENT);
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=900-', 900, 999],
      ['bytes=-10', 990, 999],
      ['bytes=995-5000', 995, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = await h.call('GET', `/v2/app/blobs/${digest}`, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers['content-range'], `bytes ${start}-${end}/1000`);
      assert.deepEqual(res.body, CONTENT.subarray(start, end + 1));
    }
    const bad = await h.call('GET', `/v2/app/blobs/${digest}`, { headers: { range: 'bytes=1000-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */1000');
  });

  it('a blob is visible only where it is linked; unknown and malformed digests', async () => {
    const digest = await h.pushBlob('app', CONTENT);
    const other = await h.call('GET', `/v2/other/blobs/${digest}`);
    assert.deepEqual(
      [other.status, errorOf(other)],
      [404, { code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest } }],
    );
    assert.equal((await h.call('HEAD', `/v2/app/blobs/${sha256('nope')}`)).status, 404);
    assert.equal(errorOf(await h.call('GET', '/v2/app/blobs/sha256:xyz')).code, 'DIGEST_INVALID');
  });

  it('DELETE on a blob is 405 UNSUPPORTED', async () => {
    const digest = await h.pushBlob('app', CONTENT);
    const res = await h.call('DELETE', `/v2/app/blobs/${digest}`);
    assert.deepEqual([res.status, errorOf(res).code], [405, 'UNSUPPORTED']);
    assert.equal(h.blobs.has(digest), true);
  });
});

describe('corruption', () => {
  it('a flipped byte on disk: the GET breaks off short, the blob is quarantined and then unknown', async () => {
    const big = Buffer.alloc(512 * 1024, 1);
    const digest = await h.pushBlob('app', big);
    const file = blobFile(digest);
    const bytes = readFileSync(file);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
    await assert.rejects(h.call('GET', `/v2/app/blobs/${digest}`), /aborted|ECONNRESET|socket hang up|terminated/);
    await waitFor('quarantine', () => !h.blobs.has(digest));
    const again = await h.call('GET', `/v2/app/blobs/${digest}`);
    assert.deepEqual([again.status, errorOf(again).code], [404, 'BLOB_UNKNOWN']);
    assert.equal(readdirSync(join(h.blobs.root, 'quarantine')).length, 1);
    // A re-push heals it.
    await h.pushBlob('app', big);
    assert.deepEqual((await h.call('GET', `/v2/app/blobs/${digest}`)).body, big);
  });

  it('a Range read of a corrupt blob is a clean 404', async () => {
    const digest = await h.pushBlob('app', CONTENT);
    const file = blobFile(digest);
    const bytes = readFileSync(file);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const res = await h.call('GET', `/v2/app/blobs/${digest}`, { headers: { range: 'bytes=500-599' } });
    assert.deepEqual([res.status, errorOf(res).code], [404, 'BLOB_UNKNOWN']);
    assert.equal(h.blobs.has(digest), false);
  });
});

describe('robustness', () => {
  it('a killed upload leaves nothing visible; the session keeps its last good offset', async () => {
    const post = await h.call('POST', '/v2/app/blobs/uploads/');
    const location = post.headers.location ?? '';
    assert.equal((await h.call('PATCH', location, { body: 'good part' })).status, 202);
    const socket = connect(h.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const auth = Buffer.from(`AWS:${h.rootPassword}`).toString('base64');
    socket.write(
      `PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Length: 10000000\r\n\r\n`,
    );
    socket.write(Buffer.alloc(100_000, 9));
    const file = join(h.blobs.uploadsDir, location.split('/').pop() ?? '');
    await waitFor('bytes to arrive', () => readFileSync(file).length > 9);
    socket.destroy();
    // The rollback is done when the session is no longer mid-append: the file is truncated a
    // moment before the session is released, and a PUT in between is refused as concurrent.
    // Sessions belong to a repository of one registry (an account's, in a region).
    const session = h.handler.uploads.get(`${ACCOUNT}/${REGION}/app`, location.split('/').pop() ?? '');
    assert.ok(session);
    await waitFor('rollback', () => !h.handler.uploads.isBusy(session) && readFileSync(file).length === 9);
    const status = await h.call('GET', location);
    assert.equal(status.headers.range, '0-8');
    assert.deepEqual([...h.blobs.list()], []);
    assert.equal((await h.call('PUT', `${location}?digest=${sha256('good part')}`)).status, 201);
  });

  it('junk requests get OCI errors and the server stays up', async () => {
    const cases: [string, string, number][] = [
      ['GET', '/v2/_catalog', 404],
      ['POST', '/v2/', 405],
      ['GET', '/v2/app/manifests/', 404],
      ['PUT', '/v2/app/blobs/uploads/not-a-session?digest=x', 404],
      ['PATCH', '/v2/app/manifests/v1', 405],
      ['GET', '/v2/%zz/tags/list', 400],
      ['GET', '/v2/app/blobs/uploads/', 405],
    ];
    for (const [method, path, status] of cases) {
      const res = await h.call(method, path);
      assert.equal(res.status, status, `${method} ${path}`);
      assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
      assert.ok(errorOf(res).code);
    }
    const post = await h.call('POST', '/v2/app/blobs/uploads/');
    const bad = await h.call('PATCH', post.headers.location ?? '', {
      body: 'x',
      headers: { 'content-range': 'garbage' },
    });
    assert.equal(errorOf(bad).code, 'BLOB_UPLOAD_INVALID');
    assert.equal((await h.call('GET', '/v2/')).status, 200);
    assert.deepEqual(h.errors, []);
  });
});
