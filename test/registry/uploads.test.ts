/**
 * Every way a client pushes a blob: POST+PUT, monolithic POST, one streamed PATCH (with a
 * length, chunked), ranged chunks (416 when out of order or retried), status, cancel, a final
 * PUT with and without body, digest mismatch, sha512, empty blobs, mounts, and a restart.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { errorOf, PULL_ACTIONS, sha256, startRegistry, type RegistryHarness } from './support/harness.js';

let h: RegistryHarness;
beforeEach(async () => {
  h = await startRegistry();
  h.images.createRepository('app');
  h.images.createRepository('team/other');
});
afterEach(() => h.dispose());

async function begin(repo = 'app'): Promise<string> {
  const res = await h.call('POST', `/v2/${repo}/blobs/uploads/`);
  assert.equal(res.status, 202);
  assert.equal(res.headers.range, '0-0');
  assert.ok(res.headers['docker-upload-uuid']);
  const location = res.headers.location ?? '';
  assert.ok(location.startsWith(`/v2/${repo}/blobs/uploads/`));
  return location;
}

async function assertBlob(repo: string, digest: string, content: Buffer): Promise<void> {
  const res = await h.call('GET', `/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['docker-content-digest'], digest);
  assert.deepEqual(res.body, content);
}

describe('uploads', () => {
  it('POST then PUT with the whole body', async () => {
    const content = Buffer.from('hello blob');
    const location = await begin();
    const res = await h.call('PUT', `${location}?digest=${sha256(content)}`, { body: content });
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/v2/app/blobs/${sha256(content)}`);
    assert.equal(res.headers['docker-content-digest'], sha256(content));
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
    await assertBlob('app', sha256(content), content);
  });

  it('monolithic POST ?digest= answers 201', async () => {
    const content = Buffer.from('monolithic');
    const res = await h.call('POST', `/v2/app/blobs/uploads/?digest=${sha256(content)}`, { body: content });
    assert.equal(res.status, 201);
    assert.equal(res.headers['docker-content-digest'], sha256(content));
    await assertBlob('app', sha256(content), content);
  });

  it('one streamed PATCH without Content-Range, with a length, then an empty PUT (skopeo)', async () => {
    const content = Buffer.alloc(300_000, 7);
    const location = await begin();
    const patch = await h.call('PATCH', location, { body: content });
    assert.equal(patch.status, 202);
    assert.equal(patch.headers.range, `0-${content.length - 1}`);
    const put = await h.call('PUT', `${patch.headers.location}?digest=${sha256(content)}`);
    assert.equal(put.status, 201);
    await assertBlob('app', sha256(content), content);
  });

  it('one chunked PATCH (no length, as skopeo sends when compressing)', async () => {
    const parts = [Buffer.from('a'.repeat(70_000)), Buffer.from('b'.repeat(5)), Buffer.from('c'.repeat(100_000))];
    const content = Buffer.concat(parts);
    const location = await begin();
    const patch = await h.call('PATCH', location, { body: Readable.from(parts) });
    assert.equal(patch.status, 202);
    assert.equal(patch.headers.range, `0-${content.length - 1}`);
    assert.equal((await h.call('PUT', `${location}?digest=${sha256(content)}`)).status, 201);
    await assertBlob('app', sha256(content), content);
  });

  it('ranged chunks: 202 with Range, 416 for out-of-order and retried chunks, status by GET', async () => {
    const content = Buffer.from('0123456789abcdefghij');
    const location = await begin();
    const first = await h.call('PATCH', location, {
      body: content.subarray(0, 8),
      headers: { 'content-range': '0-7' },
    });
    assert.equal(first.status, 202);
    assert.equal(first.headers.range, '0-7');
    const gap = await h.call('PATCH', location, {
      body: content.subarray(10, 12),
      headers: { 'content-range': '10-11' },
    });
    assert.equal(gap.status, 416);
    assert.equal(gap.headers.range, '0-7');
    assert.equal(errorOf(gap).code, 'BLOB_UPLOAD_INVALID');
    const retried = await h.call('PATCH', location, {
      body: content.subarray(0, 8),
      headers: { 'content-range': '0-7' },
    });
    assert.equal(retried.status, 416);
    const wrongLength = await h.call('PATCH', location, {
      body: content.subarray(8, 12),
      headers: { 'content-range': '8-10' },
    });
    assert.equal(wrongLength.status, 416);
    const status = await h.call('GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, '0-7');
    assert.equal(status.headers.location, location);
    const second = await h.call('PATCH', location, {
      body: content.subarray(8, 16),
      headers: { 'content-range': 'bytes 8-15/20' },
    });
    assert.equal(second.status, 202);
    assert.equal(second.headers.range, '0-15');
    const put = await h.call('PUT', `${location}?digest=${sha256(content)}`, {
      body: content.subarray(16),
      headers: { 'content-range': '16-19' },
    });
    assert.equal(put.status, 201);
    await assertBlob('app', sha256(content), content);
    // The session is gone once complete.
    assert.equal(errorOf(await h.call('GET', location)).code, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a digest mismatch is 400 DIGEST_INVALID and removes the session and its file', async () => {
    const location = await begin();
    await h.call('PATCH', location, { body: 'some bytes' });
    const res = await h.call('PUT', `${location}?digest=${sha256('other bytes')}`);
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'DIGEST_INVALID');
    assert.equal(h.blobs.has(sha256('some bytes')), false);
    assert.equal(h.blobs.has(sha256('other bytes')), false);
    assert.deepEqual(readdirSync(h.blobs.uploadsDir), []);
    assert.equal((await h.call('GET', location)).status, 404);
  });

  it('a PUT without digest or with a malformed one is DIGEST_INVALID and keeps the session', async () => {
    const location = await begin();
    assert.equal(errorOf(await h.call('PUT', location)).code, 'DIGEST_INVALID');
    assert.equal(errorOf(await h.call('PUT', `${location}?digest=sha256:abc`)).code, 'DIGEST_INVALID');
    assert.equal((await h.call('GET', location)).status, 204);
  });

  it('DELETE cancels a session', async () => {
    const location = await begin();
    await h.call('PATCH', location, { body: 'partial' });
    assert.equal((await h.call('DELETE', location)).status, 204);
    assert.equal(errorOf(await h.call('PATCH', location, { body: 'x' })).code, 'BLOB_UPLOAD_UNKNOWN');
    assert.deepEqual(readdirSync(h.blobs.uploadsDir), []);
  });

  it('an empty blob and a sha512 blob', async () => {
    const empty = Buffer.alloc(0);
    const res = await h.call('POST', `/v2/app/blobs/uploads/?digest=${sha256(empty)}`, { body: empty });
    assert.equal(res.status, 201);
    const head = await h.call('HEAD', `/v2/app/blobs/${sha256(empty)}`);
    assert.equal(head.headers['content-length'], '0');
    const content = Buffer.from('sha512 content');
    const digest = `sha512:${createHash('sha512').update(content).digest('hex')}`;
    const location = await begin();
    await h.call('PATCH', location, { body: content });
    assert.equal((await h.call('PUT', `${location}?digest=${digest}`)).status, 201);
    await assertBlob('app', digest, content);
    assert.ok([...h.blobs.list()].includes(digest));
  });

  it('a session belongs to its repository', async () => {
    const location = await begin();
    const id = location.split('/').pop() ?? '';
    assert.equal(errorOf(await h.call('GET', `/v2/team/other/blobs/uploads/${id}`)).code, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a session does not survive a restart: BLOB_UPLOAD_UNKNOWN, temp files removed, a retry succeeds', async () => {
    const location = await begin();
    await h.call('PATCH', location, { body: 'before the crash' });
    assert.equal(readdirSync(h.blobs.uploadsDir).length, 1);
    h.restart();
    assert.deepEqual(readdirSync(h.blobs.uploadsDir), []);
    assert.equal(errorOf(await h.call('PATCH', location, { body: 'more' })).code, 'BLOB_UPLOAD_UNKNOWN');
    const digest = await h.pushBlob('app', Buffer.from('before the crash'));
    assert.equal(h.blobs.has(digest), true);
  });
});

describe('cross-repository mount', () => {
  it('201 when the blob is linked in `from` and the caller may pull it', async () => {
    const digest = await h.pushBlob('team/other', Buffer.from('shared layer'));
    const res = await h.call('POST', `/v2/app/blobs/uploads/?mount=${digest}&from=team/other`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/v2/app/blobs/${digest}`);
    assert.equal(res.headers['docker-content-digest'], digest);
    await assertBlob('app', digest, Buffer.from('shared layer'));
  });

  it('202 with a session when the blob is unknown, not linked in `from`, or `from` is missing', async () => {
    const digest = await h.pushBlob('app', Buffer.from('only in app'));
    h.images.createRepository('third');
    for (const query of [
      `mount=${sha256('nothing')}&from=app`,
      `mount=${digest}&from=team/other`,
      `mount=${digest}&from=ghost`,
      `mount=${digest}`,
      'mount=bad&from=app',
    ]) {
      const res = await h.call('POST', `/v2/third/blobs/uploads/?${query}`);
      assert.equal(res.status, 202, query);
      assert.ok(res.headers.location?.startsWith('/v2/third/blobs/uploads/'));
    }
  });

  it('202 when the caller may push to the target but not pull from `from`', async () => {
    const digest = await h.pushBlob('team/other', Buffer.from('secret layer'));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', ...PULL_ACTIONS],
          Resource: `arn:aws:ecr:us-east-1:123456789012:repository/app`,
        },
      ],
    });
    const password = h.rolePassword('pusher', [policy]);
    const res = await h.call('POST', `/v2/app/blobs/uploads/?mount=${digest}&from=team/other`, { password });
    assert.equal(res.status, 202);
    assert.equal(h.images.isBlobLinked('app', digest), false);
  });
});
