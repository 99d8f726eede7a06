/**
 * Garbage in, typed failure out: malformed Authorization headers of many shapes get AWS's wording,
 * and no input at all — random headers, queries, paths, lone surrogates — makes the verifier or
 * peekCredential throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  peekCredential,
  verifySigV4,
  type IncomingSignedRequest,
  type SigV4Failure,
  type SigV4Result,
} from '../../../src/protocols/sigv4/verify.js';
import { keyring, LONG_TERM, minutesAfterSigning, sdkSigned, sha256Hex, type Principal } from './sdk-signer.js';

function withAuthorization(authorization: string, dated = true): IncomingSignedRequest {
  return {
    method: 'GET',
    path: '/',
    query: '',
    headers: dated
      ? { host: 'sts.amazonaws.com', 'x-amz-date': '20240101T000000Z', authorization }
      : { host: 'sts.amazonaws.com', authorization },
    bodySha256: sha256Hex(''),
  };
}

function failureFor(request: IncomingSignedRequest): SigV4Failure {
  const result = verifySigV4<Principal>(request, keyring(), minutesAfterSigning(0.5), { service: 'sts' });
  if (result.ok) assert.fail('garbage was accepted');
  return result.failure;
}

describe('malformed Authorization headers', () => {
  const credential = `Credential=${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`;

  for (const authorization of [
    'Bearer eyJhbGciOi.x.y',
    'Basic dXNlcjpwYXNz',
    'AWS AKIDEXAMPLE:c2lnbmF0dXJl',
    'aws4-hmac-sha256 Credential=x',
    'garbage',
    '   ',
  ]) {
    it(`treats ${JSON.stringify(authorization)} as no signature at all (AWS's MissingAuthenticationToken)`, () => {
      assert.deepEqual(failureFor(withAuthorization(authorization)), { kind: 'missing' });
    });
  }

  it('treats a request without any signature as missing', () => {
    const request: IncomingSignedRequest = {
      method: 'GET',
      path: '/',
      query: 'Action=GetCallerIdentity',
      headers: { host: 'x' },
      bodySha256: sha256Hex(''),
    };
    assert.deepEqual(failureFor(request), { kind: 'missing' });
  });

  const cases: Array<[string, string, boolean?]> = [
    [
      'AWS4-HMAC-SHA256',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
    ],
    [
      'AWS4-HMAC-SHA256 ,, ,',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 ,, ,",
    ],
    [
      'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        'Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
    ],
    [
      `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host, Signature=abc`,
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        `Authorization=AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host, Signature=abc`,
      false,
    ],
    [
      `AWS4-HMAC-SHA256 ${credential}, Signature=abc`,
      "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        `Authorization=AWS4-HMAC-SHA256 ${credential}, Signature=abc`,
      false,
    ],
    [
      'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders',
      "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.",
    ],
    [
      `AWS4-HMAC-SHA256 Credential= ${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc`,
      `'${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: ` +
        `'AWS4-HMAC-SHA256 Credential= ${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc'.`,
    ],
  ];
  for (const [authorization, message, dated] of cases) {
    it(`words ${JSON.stringify(authorization)} as AWS does`, () => {
      assert.deepEqual(failureFor(withAuthorization(authorization, dated ?? true)), { kind: 'incomplete', message });
    });
  }

  it('refuses a signature that is not hex, or absurdly long, as a mismatch', () => {
    for (const signature of ['not-hex', 'g'.repeat(64), 'a'.repeat(100_000)]) {
      const failure = failureFor(
        withAuthorization(`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host;x-amz-date, Signature=${signature}`),
      );
      assert.equal(failure.kind, 'mismatch');
    }
  });

  it('survives a 1 MB Authorization header', () => {
    const failure = failureFor(withAuthorization(`AWS4-HMAC-SHA256 ${'Credential=x, '.repeat(80_000)}`));
    assert.equal(failure.kind, 'incomplete');
  });
});

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  'AWS4-HMAC-SHA256',
  'AWS4-',
  ' ',
  ',',
  '=',
  '/',
  ';',
  '%',
  '%2',
  '%zz',
  '%E2%98',
  '%FF',
  '+',
  '&',
  '?',
  '..',
  '//',
  'Credential=',
  'SignedHeaders=',
  'Signature=',
  'host',
  'x-amz-date',
  `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`,
  '20240101T000000Z',
  'X-Amz-Algorithm=',
  'X-Amz-Credential=',
  'X-Amz-Date=',
  'X-Amz-Expires=',
  'X-Amz-SignedHeaders=',
  'X-Amz-Signature=',
  'X-Amz-Security-Token=',
  'UNSIGNED-PAYLOAD',
  '☕',
  '\u0000',
  '\ud800',
  '\udfff',
  '\t',
  '\r\n',
  'constructor',
  '__proto__',
];

describe('fuzzing', () => {
  it('never throws and never accepts, for 3,000 random requests', () => {
    const random = prng(20240101);
    const pick = (): string => FRAGMENTS[Math.floor(random() * FRAGMENTS.length)] ?? '';
    const junk = (): string => Array.from({ length: Math.floor(random() * 12) }, pick).join('');
    const lookup = keyring();
    for (let i = 0; i < 3000; i++) {
      const headers: Record<string, string | string[] | undefined> = { host: junk() };
      if (random() < 0.8) headers.authorization = random() < 0.5 ? `AWS4-HMAC-SHA256 ${junk()}` : junk();
      if (random() < 0.6) headers['x-amz-date'] = random() < 0.5 ? '20240101T000000Z' : junk();
      if (random() < 0.3) headers.date = junk();
      if (random() < 0.3) headers['x-amz-security-token'] = [junk(), junk()];
      if (random() < 0.3) headers['x-amz-content-sha256'] = junk();
      if (random() < 0.2) headers[junk()] = junk();
      const request: IncomingSignedRequest = {
        method: junk(),
        path: junk(),
        query: junk(),
        headers,
        bodySha256: junk(),
      };
      const replay = JSON.stringify(request);
      let result: SigV4Result<Principal>;
      try {
        result = verifySigV4(request, lookup, minutesAfterSigning(0.5), { service: junk() || 'sts' });
        peekCredential(request);
      } catch (error) {
        assert.fail(`threw ${String(error)} for ${replay}`);
      }
      assert.equal(result.ok, false, replay);
    }
  });
});

describe('peekCredential', () => {
  it('reads the key and scope of a header-signed request without verifying it', async () => {
    const request = await sdkSigned({}, { region: 'eu-west-1', service: 'ecr' });
    assert.deepEqual(peekCredential(request), {
      accessKeyId: LONG_TERM.accessKeyId,
      scope: { date: '20240101', region: 'eu-west-1', service: 'ecr' },
    });
  });

  it('reads a presigned URL', async () => {
    const request = await sdkSigned({}, { presign: { expiresIn: 60 } });
    assert.deepEqual(peekCredential(request), {
      accessKeyId: LONG_TERM.accessKeyId,
      scope: { date: '20240101', region: 'us-east-1', service: 'sts' },
    });
  });

  it('is undefined when the credential is absent or garbled', () => {
    for (const headers of [
      {},
      { authorization: 'Bearer x' },
      { authorization: 'AWS4-HMAC-SHA256 Credential= AKID/20240101/us-east-1/sts/aws4_request' },
      { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1' },
      { authorization: 'AWS4-HMAC-SHA256 Signature=abc' },
    ]) {
      assert.equal(peekCredential({ headers, query: '' }), undefined, JSON.stringify(headers));
    }
    assert.equal(peekCredential({ headers: {}, query: 'X-Amz-Credential=%ZZ' }), undefined);
  });
});
