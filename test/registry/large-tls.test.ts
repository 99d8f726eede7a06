/**
 * The registry's streaming path over TLS, through a whole cloud's port: a 200 MiB blob pushed
 * in one chunked PATCH and pulled back over HTTPS that trusts only the cloud's CA. The
 * process's RSS must stay far below the blob's size, proving TLS adds no buffering of layers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';

const SIZE = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;

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

async function digestOf(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

describe('the registry over TLS', () => {
  let cloud: TestCloud;
  let ca: string;
  let authorization: string;
  before(async () => {
    cloud = await startTestCloud();
    ca = readFileSync(cloud.cloud.tls.caCertPath, 'utf8');
    const ecr = new ECRClient(sdkConfig(cloud));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'big' }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
    authorization = `Basic ${token}`;
  });
  after(() => cloud?.stop());

  /** One HTTPS exchange with the registry, trusting only the cloud's CA. */
  const call = (method: string, path: string, body?: Readable, onResponse?: (res: IncomingMessage) => Promise<string>) =>
    new Promise<{ status: number; location?: string; range?: string; body: string }>((resolve, reject) => {
      const options: RequestOptions = { host: 'localhost', port: new URL(cloud.url).port, method, path, ca, agent: false, headers: { authorization, ...(body ? { 'content-type': 'application/octet-stream' } : {}) } };
      const req = request(options, (res) => {
        const read = onResponse ? onResponse(res) : digestOf(res).then(() => '');
        read.then((text) => resolve({ status: res.statusCode ?? 0, location: res.headers.location, range: res.headers.range, body: text }), reject);
      });
      req.on('error', reject);
      if (body) body.pipe(req);
      else req.end();
    });

  it('streams 200 MiB up and down over HTTPS with RSS far below the size', { timeout: 180_000 }, async (t) => {
    const digest = await digestOf(source());
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const post = await call('POST', '/v2/big/blobs/uploads/');
      assert.equal(post.status, 202);
      const location = post.location ?? '';
      const patch = await call('PATCH', location, source());
      assert.equal(patch.status, 202);
      assert.equal(patch.range, `0-${SIZE - 1}`);
      assert.equal((await call('PUT', `${location}?digest=${digest}`)).status, 201);
      const pulled = await call('GET', `/v2/big/blobs/${digest}`, undefined, (res) => digestOf(res));
      assert.equal(pulled.status, 200);
      assert.equal(pulled.body, digest);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    t.diagnostic(`RSS baseline ${Math.round(baseline / 1048576)} MiB, peak growth ${Math.round(growth / 1048576)} MiB for a ${SIZE / 1048576} MiB blob over TLS`);
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
