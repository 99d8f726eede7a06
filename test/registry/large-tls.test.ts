/**
 * The registry's streaming path over TLS, through a whole cloud's port: a 200 MiB blob pushed
 * in one chunked PATCH and pulled back over HTTPS that trusts only the cloud's CA. The
 * process's RSS must stay far below the blob's size, proving TLS adds no buffering of layers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { LARGE_BLOB_SIZE, largeBlob, sha256Of } from './support/large-blob.js';

describe('the registry over TLS', () => {
  let cloud: TestCloud;
  let ca: string;
  let authorization: string;
  before(async () => {
    cloud = await startTestCloud();
    ca = readFileSync(cloud.cloud.tls.caCertPath, 'utf8');
    const ecr = new ECRClient(sdkConfig(cloud));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'big' }));
    const token =
      (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
    authorization = `Basic ${token}`;
  });
  after(() => cloud?.stop());

  /** One HTTPS exchange with the registry, trusting only the cloud's CA. */
  const call = (
    method: string,
    path: string,
    body?: Readable,
    onResponse?: (res: IncomingMessage) => Promise<string>,
  ) =>
    new Promise<{ status: number; location?: string; range?: string; body: string }>((resolve, reject) => {
      const options: RequestOptions = {
        host: 'localhost',
        port: new URL(cloud.url).port,
        method,
        path,
        ca,
        agent: false,
        headers: { authorization, ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
      };
      const req = request(options, (res) => {
        const read = onResponse ? onResponse(res) : sha256Of(res).then(() => '');
        read.then(
          (text) =>
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location,
              range: res.headers.range,
              body: text,
            }),
          reject,
        );
      });
      req.on('error', reject);
      if (body) body.pipe(req);
      else req.end();
    });

  it('streams 200 MiB up and down over HTTPS with RSS far below the size', { timeout: 180_000 }, async (t) => {
    const digest = await sha256Of(largeBlob());
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const post = await call('POST', '/v2/big/blobs/uploads/');
      assert.equal(post.status, 202);
      const location = post.location ?? '';
      const patch = await call('PATCH', location, largeBlob());
      assert.equal(patch.status, 202);
      assert.equal(patch.range, `0-${LARGE_BLOB_SIZE - 1}`);
      assert.equal((await call('PUT', `${location}?digest=${digest}`)).status, 201);
      const pulled = await call('GET', `/v2/big/blobs/${digest}`, undefined, (res) => sha256Of(res));
      assert.equal(pulled.status, 200);
      assert.equal(pulled.body, digest);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    t.diagnostic(
      `RSS baseline ${Math.round(baseline / 1048576)} MiB, peak growth ${Math.round(growth / 1048576)} MiB for a ${LARGE_BLOB_SIZE / 1048576} MiB blob over TLS`,
    );
    assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
