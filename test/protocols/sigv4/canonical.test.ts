/**
 * The canonical request's parts, one by one, and AWS's own worked example from the General
 * Reference ("Signature Version 4 signing process" with the IAM ListUsers request), which pins the
 * canonical request, the signing key and the signature to values AWS published.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHeaders, canonicalPath, canonicalQuery, splitQuery } from '../../../src/protocols/sigv4/canonical.js';
import { deriveSigningKey } from '../../../src/protocols/sigv4/signing-key.js';
import { verifySigV4, type IncomingSignedRequest } from '../../../src/protocols/sigv4/verify.js';
import { sha256Hex } from './sdk-signer.js';

describe('canonicalPath', () => {
  const cases: Array<[string, string]> = [
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['/a//b/', '/a/b/'],
    ['/a/./b/../c', '/a/c'],
    ['/../..', '/'],
    ['/a%20b', '/a%2520b'],
    ['/a%2Fb', '/a%252Fb'],
    // Encoding the wire form (not decode-then-encode) is what keeps these equal to the SDK's:
    ['/%7e', '/%257e'],
    ['/a:b', '/a%3Ab'],
    ['/café', '/caf%C3%A9'],
    ['/50%', '/50%25'],
  ];
  for (const [raw, canonical] of cases) {
    it(`${JSON.stringify(raw)} → ${canonical}`, () => assert.equal(canonicalPath(raw, false), canonical));
  }

  it('leaves an S3 path as sent', () => {
    assert.equal(canonicalPath('/bucket/a%20b//c/', true), '/bucket/a%20b//c/');
    assert.equal(canonicalPath('', true), '/');
  });
});

describe('canonicalQuery', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['a-b=1&a=1', 'a=1&a-b=1'],
    ['x=3&x=1&x=10', 'x=1&x=10&x=3'],
    ['flag', 'flag='],
    ['&&a=1&', 'a=1'],
    ['a=b+c', 'a=b%2Bc'],
    ['a=%7e%2f%2F', 'a=~%2F%2F'],
    ['a=%zz%', 'a=%25zz%25'],
    ['k=☕', 'k=%E2%98%95'],
    ['k=%ff', 'k=%FF'],
    ['a=1=2', 'a=1%3D2'],
    ['B=1&a=1', 'B=1&a=1'],
  ];
  for (const [raw, canonical] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(canonical)}`, () =>
      assert.equal(canonicalQuery(splitQuery(raw), false), canonical));
  }

  it('leaves out X-Amz-Signature only in the presigned form', () => {
    const pairs = splitQuery('X-Amz-Signature=abc&X-Amz-Date=20240101T000000Z');
    assert.equal(canonicalQuery(pairs, true), 'X-Amz-Date=20240101T000000Z');
    assert.equal(canonicalQuery(pairs, false), 'X-Amz-Date=20240101T000000Z&X-Amz-Signature=abc');
  });
});

describe('canonicalHeaders', () => {
  it('normalises values, joins repeats with a comma and treats absent headers as empty', () => {
    const headers = { host: 'example.com', 'x-a': '  one   two\t three ', 'x-b': [' 1 ', '2  3'] };
    assert.equal(
      canonicalHeaders(headers, ['host', 'x-a', 'x-b', 'x-missing', 'constructor']),
      'host:example.com\nx-a:one two three\nx-b:1,2 3\nx-missing:\nconstructor:\n',
    );
  });
});

describe("AWS's worked example (IAM ListUsers, 2015-08-30)", () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const request: IncomingSignedRequest = {
    method: 'GET',
    path: '/',
    query: 'Action=ListUsers&Version=2010-05-08',
    headers: {
      host: 'iam.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    },
    bodySha256: sha256Hex(''),
  };
  const now = new Date('2015-08-30T12:36:00Z');

  it('derives the published signing key', () => {
    assert.equal(
      deriveSigningKey(secret, '20150830', 'us-east-1', 'iam').toString('hex'),
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
  });

  it('verifies the published signature', () => {
    const lookup = (id: string) =>
      id === 'AKIDEXAMPLE' ? { secretAccessKey: secret, principal: 'example' } : undefined;
    const result = verifySigV4(request, lookup, now, { service: 'iam', region: 'us-east-1' });
    assert.equal(result.ok, true);
  });

  it('builds the published canonical request (seen through a wrong secret)', () => {
    const lookup = (id: string) =>
      id === 'AKIDEXAMPLE' ? { secretAccessKey: 'wrong', principal: 'example' } : undefined;
    const result = verifySigV4(request, lookup, now, { service: 'iam' });
    if (result.ok || result.failure.kind !== 'mismatch') return assert.fail('expected a mismatch');
    assert.equal(
      sha256Hex(result.failure.canonicalRequest ?? ''),
      'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
    assert.equal(
      result.failure.stringToSign,
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
    );
  });
});
