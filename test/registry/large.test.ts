/**
 * A 200 MiB blob streamed up (one chunked PATCH) and down: the process's RSS must stay far
 * below the blob's size, proving no layer is held in memory on either path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { startRegistry, type RegistryHarness } from './support/harness.js';

const SIZE = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;

let h: RegistryHarness;
before(async () => {
  h = await startRegistry();
  h.images.createRepository('big');
});
after(() => h.dispose());

/** 200 chunks of 1 MiB, each a little different, generated on demand. */
function source(): Readable {
  const base = Buffer.alloc(CHUNK, 0x5a);
  let i = 0;
  return new Readable({
    read() {
      if (i * CHUNK >= SIZE) return this.push(null);
      const chunk = Buffer.from(base);
      chunk.writeUInt32BE(i++, 0);
      this.push(chunk);
    },
  });
}

function expectedDigest(): Promise<string> {
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    source()
      .on('data', (c: Buffer) => hash.update(c))
      .on('end', () => resolve(`sha256:${hash.digest('hex')}`))
      .on('error', reject);
  });
}

describe('large blobs', () => {
  it('streams 200 MiB up and down with RSS far below the size', { timeout: 120_000 }, async (t) => {
    const digest = await expectedDigest();
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const post = await h.call('POST', '/v2/big/blobs/uploads/');
      const location = post.headers.location ?? '';
      const patch = await h.call('PATCH', location, { body: source() });
      assert.equal(patch.status, 202);
      assert.equal(patch.headers.range, `0-${SIZE - 1}`);
      assert.equal((await h.call('PUT', `${location}?digest=${digest}`)).status, 201);
      const auth = Buffer.from(`AWS:${h.rootPassword}`).toString('base64');
      const downloaded = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: h.port, path: `/v2/big/blobs/${digest}`, headers: { authorization: `Basic ${auth}` }, agent: false }, (res) => {
          assert.equal(res.headers['content-length'], String(SIZE));
          const hash = createHash('sha256');
          res.on('data', (c: Buffer) => hash.update(c));
          res.on('end', () => resolve(`sha256:${hash.digest('hex')}`));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(downloaded, digest);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    t.diagnostic(`RSS baseline ${Math.round(baseline / 1048576)} MiB, peak growth ${Math.round(growth / 1048576)} MiB for a ${SIZE / 1048576} MiB blob`);
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
