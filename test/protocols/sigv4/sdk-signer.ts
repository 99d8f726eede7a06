/**
 * Test helpers: sign requests with the real AWS SDK signer (@smithy/signature-v4) and turn the
 * result into what our HTTP adapter would hand the verifier — the wire path and query exactly as
 * the SDK's HTTP handler would send them, lower-case headers, the body's SHA-256. Also a keyring
 * and a minimal hand signer for requests the SDK will not produce.
 */
import { createHash, createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingSignedRequest, SecretLookup, SigningSecret } from '../../../src/protocols/sigv4/verify.js';

/** The SDK's own HttpRequest shape, taken from the signer so no extra package is imported. */
type SdkRequest = Parameters<SignatureV4['presign']>[0];
type SdkQuery = NonNullable<SdkRequest['query']>;

export interface Principal {
  name: string;
}

export const SIGNING_DATE = new Date('2024-01-01T00:00:00Z');
export const HOST = 'sts.amazonaws.com';
export const LONG_TERM = { accessKeyId: 'AKIDLONGTERM', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const SESSION = {
  accessKeyId: 'ASIASESSION',
  secretAccessKey: 'session/secret+key',
  sessionToken: 'FwoGZXIvYXdzE+token/with=base64+chars',
};

/** Our keys: one long-term, one session expiring at 01:00 on the signing day. */
export function keyring(overrides: Record<string, SigningSecret<Principal> | undefined> = {}): SecretLookup<Principal> {
  const keys: Record<string, SigningSecret<Principal> | undefined> = {
    [LONG_TERM.accessKeyId]: { secretAccessKey: LONG_TERM.secretAccessKey, principal: { name: 'alice' } },
    [SESSION.accessKeyId]: {
      secretAccessKey: SESSION.secretAccessKey,
      sessionToken: SESSION.sessionToken,
      expiresAt: new Date('2024-01-01T01:00:00Z'),
      principal: { name: 'role-session' },
    },
    ...overrides,
  };
  return (accessKeyId) => (Object.prototype.hasOwnProperty.call(keys, accessKeyId) ? keys[accessKeyId] : undefined);
}

/** RFC 3986 encoding as the SDK puts query names and values on the wire. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string the SDK's HTTP handler sends for a query map (null: a name without '='). */
export function wireQuery(query: SdkQuery): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === null) parts.push(strictEncode(name));
    else if (typeof value === 'string') parts.push(`${strictEncode(name)}=${strictEncode(value)}`);
    else for (const item of value) parts.push(`${strictEncode(name)}=${strictEncode(item)}`);
  }
  return parts.join('&');
}

export function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}

export interface SignOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
  service?: string;
  signingDate?: Date;
  /** Presign instead of signing the headers. */
  presign?: { expiresIn: number };
  /** false for S3, whose path is signed as sent. */
  uriEscapePath?: boolean;
}

export interface RequestSpec {
  method?: string;
  /** The path as it goes on the wire (already encoded once, as the SDK's serialisers do). */
  path?: string;
  query?: SdkQuery;
  headers?: Record<string, string>;
  body?: string;
}

/** Signs (or presigns) with the real SDK signer; returns what the verifier will receive. */
export async function sdkSigned(spec: RequestSpec, options: SignOptions = {}): Promise<IncomingSignedRequest> {
  const signer = new SignatureV4({
    credentials: options.credentials ?? LONG_TERM,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'sts',
    sha256: Sha256,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  const request: SdkRequest = {
    method: spec.method ?? 'GET',
    protocol: 'https:',
    hostname: HOST,
    path: spec.path ?? '/',
    query: spec.query ?? {},
    headers: { host: HOST, ...spec.headers },
    body: spec.body,
  };
  const signingDate = options.signingDate ?? SIGNING_DATE;
  const signed = options.presign
    ? await signer.presign(request, { signingDate, expiresIn: options.presign.expiresIn })
    : await signer.sign(request, { signingDate });
  return {
    method: signed.method,
    path: signed.path,
    query: wireQuery(signed.query ?? {}),
    headers: lowerCaseHeaders(signed.headers),
    bodySha256: sha256Hex(spec.body ?? ''),
  };
}

/** The signature of a hand-written canonical request (for requests no SDK sends). */
export function handSignature(
  secretAccessKey: string,
  amzDate: string,
  scope: string,
  canonicalRequest: string,
): string {
  const [date, region, service] = scope.split('/');
  let key = createHmac('sha256', `AWS4${secretAccessKey}`)
    .update(date ?? '')
    .digest();
  key = createHmac('sha256', key)
    .update(region ?? '')
    .digest();
  key = createHmac('sha256', key)
    .update(service ?? '')
    .digest();
  key = createHmac('sha256', key).update('aws4_request').digest();
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** A copy of `request` with some headers replaced (undefined removes one). */
export function withHeaders(
  request: IncomingSignedRequest,
  changes: Record<string, string | string[] | undefined>,
): IncomingSignedRequest {
  const headers: Record<string, string | string[] | undefined> = { ...request.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { ...request, headers };
}

/** The instant `minutes` after the signing date. */
export function minutesAfterSigning(minutes: number): Date {
  return new Date(SIGNING_DATE.getTime() + minutes * 60_000);
}
