/**
 * DiskBlobStore on its own: layout, put/has/size/list/delete, verified streaming reads and
 * ranges, atomic publish (nothing visible before rename; temp files gone after a restart),
 * and garbage collection with its grace period (a push in flight is spared).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { ManualClock } from '../../src/core/clock.js';
import { BlobCorruptError, BlobUnknownError, DiskBlobStore } from '../../src/registry/blob-store.js';
import { sha256, startRegistry } from './support/harness.js';
import { openDatabase } from '../../src/store/database.js';
import { TestImageStore } from './support/test-image-store.js';

let dir: string;
let clock: ManualClock;
let store: DiskBlobStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockyard-blobs-'));
  clock = new ManualClock(Date.now());
  store = new DiskBlobStore(dir, { clock });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DiskBlobStore', () => {
  it('lays blobs out by digest; put, has, size, open, list, delete', async () => {
    const digest = store.put(Buffer.from('hello'));
    assert.equal(digest, sha256('hello'));
    const hex = digest.slice(7);
    assert.ok(existsSync(join(dir, 'sha256', hex.slice(0, 2), hex)));
    assert.equal(store.has(digest), true);
    assert.equal(store.size(digest), 5);
    assert.equal(await text(store.open(digest)), 'hello');
    assert.equal(await text(store.open(digest, { start: 1, end: 3 })), 'ell');
    assert.equal(store.put(Buffer.from('hello')), digest);
    assert.deepEqual([...store.list()], [digest]);
    store.delete(digest);
    assert.equal(store.has(digest), false);
    assert.equal(store.size(digest), undefined);
    assert.throws(() => store.open(digest), BlobUnknownError);
    assert.equal(store.has('sha256:../../etc/passwd'), false);
  });

  it('detects corruption on a full read and on a first range read', async () => {
    const a = store.put(Buffer.from('a'.repeat(200_000)));
    writeFileSync(join(dir, 'sha256', a.slice(7, 9), a.slice(7)), 'b'.repeat(200_000));
    await assert.rejects(text(store.open(a)), BlobCorruptError);
    assert.equal(store.has(a), false);
    const b = store.put(Buffer.from('0123456789'));
    writeFileSync(join(dir, 'sha256', b.slice(7, 9), b.slice(7)), '012345678X');
    await assert.rejects(text(store.open(b, { start: 0, end: 1 })), BlobCorruptError);
    assert.equal(await store.verify(b), 'absent');
    assert.equal(readdirSync(join(dir, 'quarantine')).length, 2);
  });

  it('a re-published blob replaces a copy corrupted on disk', async () => {
    const digest = store.put(Buffer.from('pristine'));
    writeFileSync(join(dir, 'sha256', digest.slice(7, 9), digest.slice(7)), 'tampered');
    const temp = store.newTempPath();
    writeFileSync(temp, 'pristine');
    await store.publish(temp, digest);
    assert.equal(await text(store.open(digest)), 'pristine');
  });

  it('verifies a blob once, and again after the file changes', async () => {
    const digest = store.put(Buffer.from('0123456789'));
    assert.equal(await store.verify(digest), 'ok');
    assert.equal(await text(store.open(digest, { start: 2, end: 4 })), '234');
    writeFileSync(join(dir, 'sha256', digest.slice(7, 9), digest.slice(7)), '0123456789'.replace('9', '8'));
    assert.equal(await store.verify(digest), 'corrupt');
  });

  it('publishes atomically: an unfinished temp file is invisible and removed on restart', async () => {
    const temp = store.newTempPath();
    writeFileSync(temp, 'partial');
    assert.deepEqual([...store.list()], []);
    assert.equal(store.has(sha256('partial')), false);
    store = new DiskBlobStore(dir, { clock });
    assert.deepEqual(readdirSync(store.uploadsDir), []);
    const next = store.newTempPath();
    writeFileSync(next, 'complete');
    await store.publish(next, sha256('complete'));
    assert.equal(existsSync(next), false);
    assert.deepEqual([...store.list()], [sha256('complete')]);
  });
});

describe('garbage collection', () => {
  it('deletes unreferenced blobs past the grace period, spares recent and touched ones', async () => {
    const h = await startRegistry();
    try {
      h.images.createRepository('app');
      const { content } = await h.pushImage('app', 'v1', Buffer.from('kept layer'));
      const orphan = await h.pushBlob('app', Buffer.from('orphan'));
      const inFlight = await h.pushBlob('app', Buffer.from('in flight'));
      const first = h.blobs.garbageCollect(h.images);
      assert.deepEqual(first.deleted, []);
      assert.deepEqual(first.spared.sort(), [orphan, inFlight].sort());
      h.clock.advance(2 * 3600_000);
      // A client HEADs the blob (and skips uploading it): it must survive until its manifest lands.
      assert.equal((await h.call('HEAD', `/v2/app/blobs/${inFlight}`)).status, 200);
      const second = h.blobs.garbageCollect(h.images);
      assert.deepEqual(second.deleted, [orphan]);
      assert.deepEqual(second.spared, [inFlight]);
      assert.equal(h.blobs.has(sha256('kept layer')), true);
      assert.equal(h.blobs.has(orphan), false);
      assert.deepEqual((await h.call('GET', '/v2/app/manifests/v1')).body, content);
    } finally {
      await h.dispose();
    }
  });

  it('works over a store with no image store entries at all', () => {
    const images = new TestImageStore(openDatabase(':memory:'), {
      accountId: '123456789012',
      region: 'us-east-1',
      registryHost: 'localhost:5000',
      blobs: store,
    });
    store.put(Buffer.from('x'));
    clock.advance(2 * 3600_000);
    assert.deepEqual(store.garbageCollect(images).deleted, [sha256('x')]);
  });
});
