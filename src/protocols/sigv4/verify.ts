/**
 * AWS Signature Version 4 verification, header and presigned-query forms, as a pure function of
 * the request as received, a key lookup, the clock and the expected scope. Nothing is thrown for
 * any input; every refusal is a typed failure carrying AWS's wording. Checks run in AWS's order:
 *
 *   1. read the claim: both forms at once, no signature, malformed header, missing parameters
 *   2. the timestamp's format, then (presigned) X-Amz-Expires
 *   3. the time window: ±15 minutes (header form); X-Amz-Date to +X-Amz-Expires (presigned)
 *   4. host among the signed headers
 *   5. the algorithm
 *   6. the credential's shape, then its scope: region, service, terminator, date
 *   7. the access key
 *   8. the signature, compared in constant time
 *   9. the session token, then the session's expiry. Both come after the signature so that nobody
 *      without the secret learns more about a key than whether it exists.
 *
 * Fidelity.
 * Gaps: SigV4A (AWS4-ECDSA-P256-SHA256) and S3's chunked STREAMING-* payloads are refused as
 * unsupported or mismatching.
 * By design: presigned URLs must carry X-Amz-Expires (AWS's JSON/query services do not insist);
 * presigned requests to services other than S3 sign the body's hash like the SDKs and botocore do,
 * UNSIGNED-PAYLOAD only when the request says so in a signed X-Amz-Content-Sha256.
 * Client quirks reproduced: `//` and dot segments normalised before the second path encoding; an
 * Authorization header that is not AWS4-* counts as missing; trailing '/' in a credential ignored.
 */
import { Buffer } from 'node:buffer';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { formatAmzDate, parseAmzDate } from './amz-date.js';
import { canonicalHeaders, canonicalPath, canonicalQuery, canonicalRequest } from './canonical.js';
import * as messages from './messages.js';
import {
  headerText,
  parseCredential,
  readCredential,
  readSignatureClaim,
  type ParsedCredential,
  type SignatureClaim,
} from './parse-authorization.js';
import { SigningKeyCache } from './signing-key.js';
import type {
  CredentialScope,
  ExpectedScope,
  IncomingSignedRequest,
  SecretLookup,
  SigningSecret,
  SigV4Failure,
  SigV4Result,
} from './types.js';

export type {
  CredentialScope,
  ExpectedScope,
  IncomingSignedRequest,
  SecretLookup,
  SigningSecret,
  SigV4Failure,
  SigV4Result,
} from './types.js';
export { SigningKeyCache } from './signing-key.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Seven days: the longest a presigned URL may live. */
const MAX_EXPIRES_SECONDS = 604800;
/** us-east-1, us-gov-west-1, cn-northwest-1, eu-isoe-west-1, … */
const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Derived signing keys are a pure function of secret and scope, so one process-wide memo is shared
 * by every cloud in the process; a key is only ever found by presenting its secret. Pass your own
 * cache to verifySigV4 to keep them apart anyway.
 */
const sharedSigningKeys = new SigningKeyCache();

type Step<T> = { ok: true; value: T } | { ok: false; failure: SigV4Failure };

function refuse(failure: SigV4Failure): { ok: false; failure: SigV4Failure } {
  return { ok: false, failure };
}

/**
 * Verifies the SigV4 signature of `request` as AWS would at instant `now`, for an endpoint whose
 * signing name (and optionally region) is `expected`.
 * @param keys the signing-key cache; a process-wide one by default.
 */
export function verifySigV4<P>(
  request: IncomingSignedRequest,
  lookup: SecretLookup<P>,
  now: Date,
  expected: ExpectedScope,
  keys: SigningKeyCache = sharedSigningKeys,
): SigV4Result<P> {
  const read = readSignatureClaim(request);
  if (!read.ok) return read;
  const claim = read.claim;

  const requestTime = parseAmzDate(claim.date);
  if (requestTime === undefined) return refuse({ kind: 'incomplete', message: messages.badDateFormat(claim.date) });
  const expires = readExpires(claim);
  if (!expires.ok) return expires;
  const tooEarlyOrLate = checkTimeWindow(claim, requestTime, expires.value, now);
  if (tooEarlyOrLate !== undefined) return refuse(tooEarlyOrLate);

  const signedHeaderNames = claim.signedHeaders.split(';');
  if (!signedHeaderNames.some((name) => name.toLowerCase() === 'host')) {
    return refuse({ kind: 'mismatch', message: messages.HOST_NOT_SIGNED });
  }
  if (claim.algorithm !== ALGORITHM) {
    return refuse({ kind: 'incomplete', message: messages.unsupportedAlgorithm(claim.algorithm) });
  }
  const credential = parseCredential(claim.credential);
  if (credential === undefined)
    return refuse({ kind: 'incomplete', message: messages.badCredential(claim.credential) });
  const scopeProblems = checkScope(credential, claim.date, expected);
  if (scopeProblems !== '') return refuse({ kind: 'wrongScope', message: scopeProblems });

  const secret = lookup(credential.accessKeyId);
  if (secret === undefined) return refuse({ kind: 'unknownKey', accessKeyId: credential.accessKeyId });

  const mismatch = checkSignature(request, claim, signedHeaderNames, credential, secret, expected, keys);
  if (mismatch !== undefined) return refuse(mismatch);
  if (!tokenMatches(claim.securityToken, secret.sessionToken)) return refuse({ kind: 'badToken' });
  // Fails closed: an invalid expiresAt (NaN) counts as expired.
  if (secret.expiresAt !== undefined && !(secret.expiresAt.getTime() > now.getTime())) {
    return refuse({ kind: 'expiredToken' });
  }

  return {
    ok: true,
    accessKeyId: credential.accessKeyId,
    scope: { date: credential.date, region: credential.region, service: credential.service },
    principal: secret.principal,
    presigned: claim.presigned,
  };
}

/** Extracts the access key id and scope without verifying, for routing and error messages; undefined when absent/garbled. */
export function peekCredential(
  request: Pick<IncomingSignedRequest, 'headers' | 'query'>,
): { accessKeyId: string; scope: CredentialScope } | undefined {
  const credential = readCredential(request);
  if (credential === undefined) return undefined;
  return {
    accessKeyId: credential.accessKeyId,
    scope: { date: credential.date, region: credential.region, service: credential.service },
  };
}

/** X-Amz-Expires in seconds for the presigned form (S3's wording for bad values); 0 for the header form. */
function readExpires(claim: SignatureClaim): Step<number> {
  if (!claim.presigned || claim.expires === undefined) return { ok: true, value: 0 };
  if (/^-\d+$/.test(claim.expires)) return refuse({ kind: 'incomplete', message: messages.EXPIRES_NEGATIVE });
  if (!/^\d+$/.test(claim.expires)) return refuse({ kind: 'incomplete', message: messages.EXPIRES_NOT_A_NUMBER });
  const seconds = Number(claim.expires);
  if (seconds > MAX_EXPIRES_SECONDS) return refuse({ kind: 'incomplete', message: messages.EXPIRES_TOO_LARGE });
  return { ok: true, value: seconds };
}

/**
 * A signature is good from 15 minutes before its timestamp (clock skew) until 15 minutes after it,
 * or, presigned, until X-Amz-Date + X-Amz-Expires. The clock is read to the second, as timestamps are.
 */
function checkTimeWindow(
  claim: SignatureClaim,
  requestTime: Date,
  expiresSeconds: number,
  now: Date,
): SigV4Failure | undefined {
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const requestMs = requestTime.getTime();
  const nowText = formatAmzDate(new Date(nowMs));
  if (requestMs > nowMs + MAX_SKEW_MS) {
    const latest = formatAmzDate(new Date(nowMs + MAX_SKEW_MS));
    return { kind: 'skew', message: messages.signatureNotYetCurrent(claim.date, latest, nowText) };
  }
  if (claim.presigned) {
    return nowMs >= requestMs + expiresSeconds * 1000
      ? { kind: 'presignExpired', message: messages.REQUEST_EXPIRED }
      : undefined;
  }
  if (requestMs < nowMs - MAX_SKEW_MS) {
    const earliest = formatAmzDate(new Date(nowMs - MAX_SKEW_MS));
    return { kind: 'skew', message: messages.signatureExpired(claim.date, earliest, nowText) };
  }
  return undefined;
}

/** Everything wrong with the credential's scope, in AWS's order and words; '' when it is right. */
function checkScope(credential: ParsedCredential, requestDate: string, expected: ExpectedScope): string {
  let problems = '';
  const regionOk =
    expected.region !== undefined ? credential.region === expected.region : REGION_SHAPE.test(credential.region);
  if (!regionOk) problems += messages.scopeRegion(credential.region);
  if (credential.service !== expected.service) problems += messages.scopeService(expected.service);
  if (credential.terminator !== TERMINATOR) problems += messages.scopeTerminator(credential.terminator);
  const requestDay = requestDate.slice(0, 8);
  if (credential.date !== requestDay) problems += messages.scopeDate(credential.date, requestDay, requestDate);
  return problems;
}

/**
 * The payload hash the signer must have used. The body's own hash, unless a signed
 * X-Amz-Content-Sha256 says UNSIGNED-PAYLOAD. A declared hex hash is not trusted: the real body's
 * hash is used instead, so a declared hash that does not match the body fails as a mismatch.
 * S3 alone treats a presigned request without a declaration as UNSIGNED-PAYLOAD.
 */
function payloadHash(
  request: IncomingSignedRequest,
  claim: SignatureClaim,
  signedHeaderNames: readonly string[],
  s3: boolean,
): string {
  const declared =
    claim.contentSha256 ??
    (signedHeaderNames.some((name) => name.toLowerCase() === 'x-amz-content-sha256')
      ? headerText(request.headers, 'x-amz-content-sha256')
      : undefined);
  if (declared === UNSIGNED_PAYLOAD) return UNSIGNED_PAYLOAD;
  if (declared === undefined && claim.presigned && s3) return UNSIGNED_PAYLOAD;
  return request.bodySha256;
}

function checkSignature<P>(
  request: IncomingSignedRequest,
  claim: SignatureClaim,
  signedHeaderNames: readonly string[],
  credential: ParsedCredential,
  secret: SigningSecret<P>,
  expected: ExpectedScope,
  keys: SigningKeyCache,
): SigV4Failure | undefined {
  // S3 is the one service whose path is encoded once; none is served today, the rule costs nothing.
  const s3 = expected.service === 's3';
  const canonical = canonicalRequest({
    method: request.method,
    path: canonicalPath(request.path, s3),
    query: canonicalQuery(claim.queryPairs, claim.presigned),
    headers: canonicalHeaders(request.headers, signedHeaderNames),
    signedHeaders: claim.signedHeaders,
    payloadHash: payloadHash(request, claim, signedHeaderNames, s3),
  });
  const scope = `${credential.date}/${credential.region}/${credential.service}/${TERMINATOR}`;
  const stringToSign = `${ALGORITHM}\n${claim.date}\n${scope}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
  const signingKey = keys.get(secret.secretAccessKey, credential.date, credential.region, credential.service);
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  if (constantTimeEqual(signature, claim.signature)) return undefined;
  return { kind: 'mismatch', message: messages.SIGNATURE_MISMATCH, canonicalRequest: canonical, stringToSign };
}

/** A session key needs its exact token; a long-term key must come without one. */
function tokenMatches(sent: string | undefined, expectedToken: string | undefined): boolean {
  const presented = sent === '' ? undefined : sent;
  if (expectedToken === undefined) return presented === undefined;
  return presented !== undefined && constantTimeEqual(presented, expectedToken);
}

/** Equality that takes the same time wherever the strings differ (their length is no secret). */
function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
