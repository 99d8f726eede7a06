/**
 * A 200 MiB blob streamed up (one chunked PATCH) and down: the process's RSS must stay far
 * below the blob's size, proving no layer is held in memory on either path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { startRegistry, type RegistryHarness } from './support/harness.js';
import { LARGE_BLOB_SIZE as SIZE, largeBlob as source, sha256Of } from './support/large-blob.js';

let h: RegistryHarness;
before(async () => {
  h = await startRegistry();
  h.images.createRepository('big');
});
after(() => h.dispose());

describe('large blobs', () => {
  it('streams 200 MiB up and down with RSS far below the size', { timeout: 120_000 }, async (t) => {
    const digest = await sha256Of(source());
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
        const req = request(
          {
            host: '127.0.0.1',
            port: h.port,
            path: `/v2/big/blobs/${digest}`,
            headers: { authorization: `Basic ${auth}` },
            agent: false,
          },
          (res) => {
            assert.equal(res.headers['content-length'], String(SIZE));
            const hash = createHash('sha256');
            res.on('data', (c: Buffer) => hash.update(c));
            res.on('end', () => resolve(`sha256:${hash.digest('hex')}`));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(downloaded, digest);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    t.diagnostic(
      `RSS baseline ${Math.round(baseline / 1048576)} MiB, peak growth ${Math.round(growth / 1048576)} MiB for a ${SIZE / 1048576} MiB blob`,
    );
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
