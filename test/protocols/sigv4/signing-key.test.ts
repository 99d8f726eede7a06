/**
 * The signing-key cache: derived once, served after, bounded with least-recently-used eviction,
 * and fast enough to verify every request: 10,000 verifications through one cached key.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { deriveSigningKey, SigningKeyCache } from '../../../src/protocols/sigv4/signing-key.js';
import { verifySigV4 } from '../../../src/protocols/sigv4/verify.js';
import { keyring, minutesAfterSigning, sdkSigned } from './sdk-signer.js';

describe('SigningKeyCache', () => {
  it('derives a key once and then serves the same one', () => {
    const cache = new SigningKeyCache(4);
    const first = cache.get('secret', '20240101', 'us-east-1', 'sts');
    assert.equal(cache.get('secret', '20240101', 'us-east-1', 'sts'), first);
    assert.deepEqual(first, deriveSigningKey('secret', '20240101', 'us-east-1', 'sts'));
    assert.equal(cache.size, 1);
  });

  it('keys by secret, date, region and service', () => {
    const cache = new SigningKeyCache(8);
    const keys = [
      cache.get('secret', '20240101', 'us-east-1', 'sts'),
      cache.get('secret2', '20240101', 'us-east-1', 'sts'),
      cache.get('secret', '20240102', 'us-east-1', 'sts'),
      cache.get('secret', '20240101', 'eu-west-1', 'sts'),
      cache.get('secret', '20240101', 'us-east-1', 'iam'),
    ];
    assert.equal(new Set(keys.map((key) => key.toString('hex'))).size, 5);
  });

  it('evicts the least recently used key when full', () => {
    const cache = new SigningKeyCache(2);
    const a = cache.get('a', '20240101', 'us-east-1', 'sts');
    cache.get('b', '20240101', 'us-east-1', 'sts');
    assert.equal(cache.get('a', '20240101', 'us-east-1', 'sts'), a); // a is now the most recent
    cache.get('c', '20240101', 'us-east-1', 'sts'); // evicts b
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', '20240101', 'us-east-1', 'sts'), a);
    const b = cache.get('b', '20240101', 'us-east-1', 'sts'); // derived again, evicts c
    assert.deepEqual(b, deriveSigningKey('b', '20240101', 'us-east-1', 'sts'));
    assert.equal(cache.size, 2);
  });

  it('keeps at least one key whatever capacity it is given', () => {
    const cache = new SigningKeyCache(0);
    cache.get('a', '20240101', 'us-east-1', 'sts');
    assert.equal(cache.size, 1);
  });
});

describe('throughput', () => {
  it('verifies 10,000 requests through one cached signing key', async (t) => {
    const request = await sdkSigned({
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages',
      },
      body: '{"repositoryName":"app"}',
    });
    const cache = new SigningKeyCache();
    const lookup = keyring();
    const now = minutesAfterSigning(0.5);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const result = verifySigV4(request, lookup, now, { service: 'sts' }, cache);
      if (!result.ok) assert.fail(`verification ${i} failed: ${result.failure.kind}`);
    }
    const perVerify = ((performance.now() - started) / 10_000) * 1000;
    assert.equal(cache.size, 1);
    // Reported, not asserted: timing depends on the machine.
    t.diagnostic(`${perVerify.toFixed(1)} µs per verification`);
  });
});
