/**
 * Every way verification refuses a request, with AWS's wording: tampering, unknown and wrong keys,
 * clock skew both ways, presign expiry, session tokens, credential scope, and the checks AWS runs
 * before looking at the signature.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  verifySigV4,
  type ExpectedScope,
  type IncomingSignedRequest,
  type SigV4Failure,
  type SigV4Result,
} from '../../../src/protocols/sigv4/verify.js';
import {
  handSignature,
  keyring,
  LONG_TERM,
  minutesAfterSigning,
  sdkSigned,
  SESSION,
  sha256Hex,
  withHeaders,
  type Principal,
} from './sdk-signer.js';

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function verify(
  request: IncomingSignedRequest,
  now = minutesAfterSigning(0.5),
  expected: ExpectedScope = { service: 'sts' },
): SigV4Result<Principal> {
  return verifySigV4(request, keyring(), now, expected);
}

function failureOf(result: SigV4Result<Principal>): SigV4Failure {
  if (result.ok) assert.fail('expected a failure, got success');
  return result.failure;
}

/** The failure without the mismatch diagnostics, for exact comparison. */
function brief(result: SigV4Result<Principal>): SigV4Failure {
  const failure = failureOf(result);
  return failure.kind === 'mismatch' ? { kind: 'mismatch', message: failure.message } : failure;
}

async function signedPost(): Promise<IncomingSignedRequest> {
  return sdkSigned({
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages',
    },
    body: '{"repositoryName":"app"}',
  });
}

/** A hand-built header-signed request for the shapes the SDK refuses to produce. */
function handSigned(fields: {
  credential: string;
  signedHeaders?: string;
  amzDate?: string;
  algorithm?: string;
}): IncomingSignedRequest {
  const amzDate = fields.amzDate ?? '20240101T000000Z';
  const signedHeaders = fields.signedHeaders ?? 'host;x-amz-date';
  return {
    method: 'GET',
    path: '/',
    query: '',
    headers: {
      host: 'sts.amazonaws.com',
      'x-amz-date': amzDate,
      authorization: `${fields.algorithm ?? 'AWS4-HMAC-SHA256'} Credential=${fields.credential}, SignedHeaders=${signedHeaders}, Signature=${'0'.repeat(64)}`,
    },
    bodySha256: sha256Hex(''),
  };
}

describe('tampering', () => {
  it('refuses a tampered body, reporting the canonical request and string to sign', async () => {
    const request = await signedPost();
    const failure = failureOf(verify({ ...request, bodySha256: sha256Hex('{"repositoryName":"other"}') }));
    assert.equal(failure.kind, 'mismatch');
    assert.equal(failure.kind === 'mismatch' && failure.message, MISMATCH);
    assert.match(failure.kind === 'mismatch' ? (failure.canonicalRequest ?? '') : '', /^POST\n\/\n\n.*x-amz-target:/s);
    assert.match(
      failure.kind === 'mismatch' ? (failure.stringToSign ?? '') : '',
      /^AWS4-HMAC-SHA256\n20240101T000000Z\n20240101\/us-east-1\/sts\/aws4_request\n[0-9a-f]{64}$/,
    );
  });

  it('refuses a tampered signed header', async () => {
    const request = await signedPost();
    const tampered = withHeaders(request, { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository' });
    assert.deepEqual(brief(verify(tampered)), { kind: 'mismatch', message: MISMATCH });
  });

  it('refuses a signed header that went missing', async () => {
    const request = await signedPost();
    assert.equal(failureOf(verify(withHeaders(request, { 'content-type': undefined }))).kind, 'mismatch');
  });

  it('refuses a tampered method, path or query', async () => {
    const request = await sdkSigned({ path: '/a', query: { Action: 'GetCallerIdentity' } });
    assert.equal(failureOf(verify({ ...request, method: 'DELETE' })).kind, 'mismatch');
    assert.equal(failureOf(verify({ ...request, path: '/b' })).kind, 'mismatch');
    assert.equal(failureOf(verify({ ...request, query: 'Action=AssumeRole' })).kind, 'mismatch');
    assert.equal(failureOf(verify({ ...request, query: `${request.query}&extra=1` })).kind, 'mismatch');
  });

  it('refuses a declared x-amz-content-sha256 that is not the body’s hash', async () => {
    const request = await sdkSigned({
      method: 'PUT',
      headers: { 'x-amz-content-sha256': sha256Hex('declared') },
      body: 'declared',
    });
    assert.equal(verify(request).ok, true);
    assert.equal(failureOf(verify({ ...request, bodySha256: sha256Hex('actual') })).kind, 'mismatch');
  });

  it('refuses a signature of the wrong length or case without throwing', async () => {
    const request = await sdkSigned({});
    const authorization = String(request.headers.authorization);
    const signature = authorization.slice(-64);
    for (const replacement of [
      signature.slice(0, 63),
      `${signature}0`,
      signature.toUpperCase(),
      'zz',
      '☕'.repeat(64),
    ]) {
      const forged = withHeaders(request, { authorization: authorization.replace(signature, replacement) });
      assert.equal(failureOf(verify(forged)).kind, 'mismatch', replacement);
    }
  });
});

describe('keys', () => {
  it('reports an unknown access key id', async () => {
    const request = await sdkSigned({}, { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } });
    assert.deepEqual(failureOf(verify(request)), { kind: 'unknownKey', accessKeyId: 'AKIDNOBODY' });
  });

  it('refuses a signature made with the wrong secret', async () => {
    const request = await sdkSigned(
      {},
      { credentials: { accessKeyId: LONG_TERM.accessKeyId, secretAccessKey: 'not-the-secret' } },
    );
    assert.deepEqual(brief(verify(request)), { kind: 'mismatch', message: MISMATCH });
  });
});

describe('clock skew (header form)', () => {
  it('accepts a request signed 14 minutes ago or 14 minutes ahead', async () => {
    const request = await sdkSigned({});
    assert.equal(verify(request, minutesAfterSigning(14)).ok, true);
    assert.equal(verify(request, minutesAfterSigning(-14)).ok, true);
    assert.equal(verify(request, minutesAfterSigning(15)).ok, true);
  });

  it('refuses a request signed 16 minutes ago', async () => {
    const request = await sdkSigned({});
    assert.deepEqual(failureOf(verify(request, minutesAfterSigning(16))), {
      kind: 'skew',
      message: 'Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T001600Z - 15 min.)',
    });
  });

  it('refuses a request signed 16 minutes in the future', async () => {
    const request = await sdkSigned({});
    assert.deepEqual(failureOf(verify(request, minutesAfterSigning(-16))), {
      kind: 'skew',
      message:
        'Signature not yet current: 20240101T000000Z is still later than 20231231T235900Z (20231231T234400Z + 15 min.)',
    });
  });

  it('checks the clock before the key, as AWS does', async () => {
    const request = await sdkSigned({}, { credentials: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' } });
    assert.equal(failureOf(verify(request, minutesAfterSigning(30))).kind, 'skew');
  });
});

describe('presigned URLs', () => {
  it('expire at X-Amz-Date + X-Amz-Expires, long after the 15-minute skew', async () => {
    const request = await sdkSigned({}, { presign: { expiresIn: 3600 } });
    assert.equal(verify(request, minutesAfterSigning(59.9)).ok, true);
    assert.deepEqual(failureOf(verify(request, minutesAfterSigning(60))), {
      kind: 'presignExpired',
      message: 'Request has expired',
    });
    assert.deepEqual(failureOf(verify(request, minutesAfterSigning(61))), {
      kind: 'presignExpired',
      message: 'Request has expired',
    });
  });

  it('are not current yet when dated more than 15 minutes ahead', async () => {
    const request = await sdkSigned({}, { presign: { expiresIn: 3600 } });
    assert.equal(failureOf(verify(request, minutesAfterSigning(-16))).kind, 'skew');
  });

  for (const [expires, message] of [
    [
      '604801',
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    ],
    ['-5', 'X-Amz-Expires must be non-negative'],
    ['soon', 'X-Amz-Expires should be a number'],
    ['1e3', 'X-Amz-Expires should be a number'],
  ] as const) {
    it(`refuse X-Amz-Expires=${expires}`, async () => {
      const request = await sdkSigned({}, { presign: { expiresIn: 60 } });
      const query = request.query.replace('X-Amz-Expires=60', `X-Amz-Expires=${expires}`);
      assert.deepEqual(failureOf(verify({ ...request, query })), { kind: 'incomplete', message });
    });
  }

  it('are refused when a parameter was tampered with (X-Amz-Expires stretched)', async () => {
    const request = await sdkSigned({}, { presign: { expiresIn: 60 } });
    const query = request.query.replace('X-Amz-Expires=60', 'X-Amz-Expires=600');
    assert.equal(failureOf(verify({ ...request, query })).kind, 'mismatch');
  });

  it('list every missing parameter', () => {
    const request: IncomingSignedRequest = {
      method: 'GET',
      path: '/',
      query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z',
      headers: { host: 'sts.amazonaws.com' },
      bodySha256: sha256Hex(''),
    };
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'incomplete',
      message:
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Expires'. " +
        'Re-examine the query-string parameters.',
    });
  });

  it('refuse an algorithm other than AWS4-HMAC-SHA256', async () => {
    const request = await sdkSigned({}, { presign: { expiresIn: 60 } });
    const query = request.query.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256');
    assert.deepEqual(failureOf(verify({ ...request, query })), {
      kind: 'incomplete',
      message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). ",
    });
  });

  it('refuse a request carrying both an Authorization header and X-Amz-Algorithm', async () => {
    const presigned = await sdkSigned({}, { presign: { expiresIn: 60 } });
    const headerSigned = await sdkSigned({});
    const both = withHeaders(presigned, { authorization: String(headerSigned.headers.authorization) });
    assert.deepEqual(failureOf(verify(both)), {
      kind: 'mismatch',
      message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    });
  });
});

describe('session credentials', () => {
  it('are refused once expired (expiresAt <= now), after the signature has been checked', async () => {
    const signingDate = new Date('2024-01-01T00:50:00Z');
    const request = await sdkSigned({}, { credentials: SESSION, signingDate });
    assert.equal(verify(request, new Date('2024-01-01T00:59:59Z')).ok, true);
    assert.deepEqual(failureOf(verify(request, new Date('2024-01-01T01:00:00Z'))), { kind: 'expiredToken' });
    const forged = withHeaders(request, {
      authorization: String(request.headers.authorization).replace(/[0-9a-f]{64}$/, 'f'.repeat(64)),
    });
    assert.equal(failureOf(verify(forged, new Date('2024-01-01T01:00:00Z'))).kind, 'mismatch');
  });

  it('are refused without their token, header or presigned', async () => {
    const withoutToken = { accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey };
    assert.deepEqual(failureOf(verify(await sdkSigned({}, { credentials: withoutToken }))), { kind: 'badToken' });
    assert.deepEqual(
      failureOf(verify(await sdkSigned({}, { credentials: withoutToken, presign: { expiresIn: 60 } }))),
      {
        kind: 'badToken',
      },
    );
  });

  it('are refused with another token', async () => {
    const request = await sdkSigned({}, { credentials: { ...SESSION, sessionToken: `${SESSION.sessionToken}x` } });
    assert.deepEqual(failureOf(verify(request)), { kind: 'badToken' });
  });

  it('refuse a token sent with a long-term key', async () => {
    const request = await sdkSigned({}, { credentials: { ...LONG_TERM, sessionToken: 'some-token' } });
    assert.deepEqual(failureOf(verify(request)), { kind: 'badToken' });
  });

  it('fail closed when expiresAt is not a valid date', async () => {
    const request = await sdkSigned({}, { credentials: SESSION });
    const lookup = keyring({
      [SESSION.accessKeyId]: {
        secretAccessKey: SESSION.secretAccessKey,
        sessionToken: SESSION.sessionToken,
        expiresAt: new Date(Number.NaN),
        principal: { name: 'broken' },
      },
    });
    assert.deepEqual(failureOf(verifySigV4(request, lookup, minutesAfterSigning(0.5), { service: 'sts' })), {
      kind: 'expiredToken',
    });
  });
});

describe('credential scope', () => {
  it("refuses another service's scope", async () => {
    const request = await sdkSigned({}, { service: 'iam' });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'wrongScope',
      message: "Credential should be scoped to correct service: 'sts'. ",
    });
  });

  it('refuses a region other than the expected one', async () => {
    const request = await sdkSigned({}, { region: 'eu-west-1' });
    assert.deepEqual(failureOf(verify(request, minutesAfterSigning(0.5), { service: 'sts', region: 'us-east-1' })), {
      kind: 'wrongScope',
      message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    });
  });

  it('refuses a region that is not shaped like one when none is expected', async () => {
    const request = await sdkSigned({}, { region: 'local' });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'wrongScope',
      message: "Credential should be scoped to a valid region, not 'local'. ",
    });
    assert.equal(verify(await sdkSigned({}, { region: 'us-gov-west-1' })).ok, true);
  });

  it('refuses a terminator other than aws4_request', () => {
    const request = handSigned({ credential: `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws5_request` });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'wrongScope',
      message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    });
  });

  it('refuses a scope date that is not the day of X-Amz-Date', () => {
    const request = handSigned({ credential: `${LONG_TERM.accessKeyId}/20231231/us-east-1/sts/aws4_request` });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'wrongScope',
      message:
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T000000Z'.",
    });
  });

  it('reports every scope problem at once, in AWS’s order', () => {
    const request = handSigned({ credential: `${LONG_TERM.accessKeyId}/b/c/d/e` });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'wrongScope',
      message:
        "Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'sts'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20240101', from '20240101T000000Z'.",
    });
  });
});

describe('checks before the signature', () => {
  it('requires host among the signed headers', () => {
    const request = handSigned({
      credential: `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`,
      signedHeaders: 'x-amz-date',
    });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'mismatch',
      message: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    });
    const empty = handSigned({
      credential: `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`,
      signedHeaders: '',
    });
    assert.equal(failureOf(verify(empty)).kind, 'mismatch');
  });

  it('requires an ISO 8601 basic timestamp', () => {
    for (const amzDate of [
      '2024-01-01T00:00:00Z',
      '20240101T000000',
      'Mon, 01 Jan 2024 00:00:00 GMT',
      '20240230T000000Z',
      '20240101T246000Z',
      '',
    ]) {
      const request = handSigned({
        credential: `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`,
        amzDate,
      });
      assert.deepEqual(
        failureOf(verify(request)),
        {
          kind: 'incomplete',
          message: `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
        },
        amzDate,
      );
    }
  });

  it('refuses an algorithm other than AWS4-HMAC-SHA256', () => {
    const request = handSigned({
      credential: `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts/aws4_request`,
      algorithm: 'AWS4-HMAC-SHA512',
    });
    assert.deepEqual(failureOf(verify(request)), {
      kind: 'incomplete',
      message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    });
  });

  it('requires a credential of exactly five elements', () => {
    for (const credential of [
      LONG_TERM.accessKeyId,
      `${LONG_TERM.accessKeyId}/20240101/us-east-1/sts`,
      'a/b/c/d/e/f',
    ]) {
      assert.deepEqual(failureOf(verify(handSigned({ credential }))), {
        kind: 'incomplete',
        message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
      });
    }
  });

  it('verifies a hand-signed request whose checks all pass (control for the cases above)', () => {
    const scope = '20240101/us-east-1/sts/aws4_request';
    const canonical = `GET\n/\n\nhost:sts.amazonaws.com\nx-amz-date:20240101T000000Z\n\nhost;x-amz-date\n${sha256Hex('')}`;
    const request = handSigned({ credential: `${LONG_TERM.accessKeyId}/${scope}` });
    const signature = handSignature(LONG_TERM.secretAccessKey, '20240101T000000Z', scope, canonical);
    const authorization = String(request.headers.authorization).replace('0'.repeat(64), signature);
    assert.equal(verify(withHeaders(request, { authorization })).ok, true);
  });
});
