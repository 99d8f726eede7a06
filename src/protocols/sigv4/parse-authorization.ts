/**
 * Reads what a request claims about its signature, from either form: the Authorization header
 * (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`) or the presigned query
 * parameters (X-Amz-Algorithm, X-Amz-Credential, …). Only syntax is checked here, in the order AWS
 * checks it; whether the claim is true is the verifier's business.
 */
import { queryParam, splitQuery, type RawQueryPair } from './canonical.js';
import * as messages from './messages.js';
import type { CredentialScope, IncomingSignedRequest, SigV4Failure } from './types.js';
import { decodeComponent } from './uri-encoding.js';

/** The signature a request carries, as sent and not yet checked. */
export interface SignatureClaim {
  presigned: boolean;
  algorithm: string;
  credential: string;
  /** The SignedHeaders list exactly as sent (it enters the canonical request verbatim). */
  signedHeaders: string;
  signature: string;
  /** The request timestamp as sent (X-Amz-Date, else the Date header). */
  date: string;
  /** Presigned form: X-Amz-Expires as sent. */
  expires?: string;
  securityToken?: string;
  /** Presigned form: an X-Amz-Content-Sha256 query parameter (signed, as the whole query is). */
  contentSha256?: string;
  /** The raw query, split once and reused for the canonical query string. */
  queryPairs: RawQueryPair[];
}

/** The five elements of `AKID/YYYYMMDD/region/service/aws4_request`. */
export interface ParsedCredential extends CredentialScope {
  accessKeyId: string;
  terminator: string;
}

export type ClaimResult = { ok: true; claim: SignatureClaim } | { ok: false; failure: SigV4Failure };

type Headers = IncomingSignedRequest['headers'];

/** The first value of a header; repeated Authorization/X-Amz-Date headers make no sense joined. */
export function headerText(headers: Headers, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return undefined;
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** Splits a credential into its five elements; AWS ignores trailing slashes. */
export function parseCredential(credential: string): ParsedCredential | undefined {
  let end = credential.length;
  while (end > 0 && credential.charCodeAt(end - 1) === 0x2f) end--;
  const parts = credential.slice(0, end).split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

interface AuthorizationFields {
  algorithm: string;
  fields: Map<string, string>;
}

/**
 * Splits an Authorization header into its algorithm and `key=value` fields. AWS tolerates any mix
 * of commas and whitespace between fields; the first field without '=' is reported.
 */
function splitAuthorization(authorization: string): AuthorizationFields | { badPiece: string } {
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields = new Map<string, string>();
  if (space < 0) return { algorithm, fields };
  for (const piece of trimmed.slice(space).split(/[\s,]+/)) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    if (equals < 0) return { badPiece: piece };
    const key = piece.slice(0, equals);
    if (!fields.has(key)) fields.set(key, piece.slice(equals + 1));
  }
  return { algorithm, fields };
}

/** The Authorization header; an empty one counts as absent. */
function authorizationHeader(headers: Headers): string | undefined {
  const authorization = headerText(headers, 'authorization');
  return authorization === undefined || authorization.trim() === '' ? undefined : authorization;
}

/**
 * Quirk reproduced: AWS answers an Authorization header that does not start with "AWS4-" (Basic,
 * Bearer, SigV2's "AWS AKID:sig") as if there were none: MissingAuthenticationToken.
 */
function isSigV4Authorization(authorization: string): boolean {
  return authorization.trimStart().startsWith('AWS4-');
}

function readHeaderClaim(
  request: Pick<IncomingSignedRequest, 'headers'>,
  authorization: string,
  queryPairs: RawQueryPair[],
): ClaimResult {
  const split = splitAuthorization(authorization);
  if ('badPiece' in split) {
    return {
      ok: false,
      failure: { kind: 'incomplete', message: messages.missingEqualSign(split.badPiece, authorization) },
    };
  }
  const { algorithm, fields } = split;
  const credential = fields.get('Credential') ?? '';
  const signature = fields.get('Signature') ?? '';
  const signedHeaders = fields.get('SignedHeaders');
  const date = headerText(request.headers, 'x-amz-date') ?? headerText(request.headers, 'date');

  const missing: string[] = [];
  if (credential === '') missing.push('Credential');
  if (signature === '') missing.push('Signature');
  // An empty SignedHeaders passes here and fails the host check later, as on AWS.
  if (signedHeaders === undefined) missing.push('SignedHeaders');
  if (missing.length > 0 || date === undefined || signedHeaders === undefined) {
    return {
      ok: false,
      failure: {
        kind: 'incomplete',
        message: messages.authorizationRequires(missing, date === undefined, authorization),
      },
    };
  }
  return {
    ok: true,
    claim: {
      presigned: false,
      algorithm,
      credential,
      signedHeaders,
      signature,
      date,
      securityToken:
        headerText(request.headers, 'x-amz-security-token') ?? queryParam(queryPairs, 'X-Amz-Security-Token'),
      queryPairs,
    },
  };
}

const PRESIGN_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
  'X-Amz-Date',
  // Not in AWS's list for its JSON/query services (S3 requires it); we require it so that no
  // presigned URL lives forever.
  'X-Amz-Expires',
] as const;

function readQueryClaim(request: Pick<IncomingSignedRequest, 'headers'>, queryPairs: RawQueryPair[]): ClaimResult {
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const name of PRESIGN_PARAMETERS) {
    const value = queryParam(queryPairs, name);
    if (value === undefined || value === '') missing.push(name);
    else values.set(name, value);
  }
  if (missing.length > 0)
    return { ok: false, failure: { kind: 'incomplete', message: messages.queryRequires(missing) } };
  const value = (name: (typeof PRESIGN_PARAMETERS)[number]): string => values.get(name) ?? '';
  return {
    ok: true,
    claim: {
      presigned: true,
      algorithm: value('X-Amz-Algorithm'),
      credential: value('X-Amz-Credential'),
      signedHeaders: value('X-Amz-SignedHeaders'),
      signature: value('X-Amz-Signature'),
      date: value('X-Amz-Date'),
      expires: value('X-Amz-Expires'),
      securityToken:
        queryParam(queryPairs, 'X-Amz-Security-Token') ?? headerText(request.headers, 'x-amz-security-token'),
      contentSha256: presignedContentSha256(queryPairs),
      queryPairs,
    },
  };
}

/** Presigners hoist x-amz-* headers into the query keeping their spelling, so match any case. */
function presignedContentSha256(queryPairs: readonly RawQueryPair[]): string | undefined {
  for (const pair of queryPairs) {
    if (decodeComponent(pair.name).toLowerCase() === 'x-amz-content-sha256') return decodeComponent(pair.value);
  }
  return undefined;
}

/** Reads the signature claim of a request in either form, or the failure AWS would report first. */
export function readSignatureClaim(request: Pick<IncomingSignedRequest, 'headers' | 'query'>): ClaimResult {
  const queryPairs = splitQuery(request.query);
  const authorization = authorizationHeader(request.headers);
  const presigned = queryParam(queryPairs, 'X-Amz-Algorithm') !== undefined;
  if (authorization !== undefined && presigned) {
    return { ok: false, failure: { kind: 'mismatch', message: messages.BOTH_AUTH_FORMS } };
  }
  if (presigned) return readQueryClaim(request, queryPairs);
  if (authorization === undefined || !isSigV4Authorization(authorization))
    return { ok: false, failure: { kind: 'missing' } };
  return readHeaderClaim(request, authorization, queryPairs);
}

/** The credential a request names, from whichever form it uses, without checking anything else. */
export function readCredential(
  request: Pick<IncomingSignedRequest, 'headers' | 'query'>,
): ParsedCredential | undefined {
  const authorization = authorizationHeader(request.headers);
  let credential: string | undefined;
  if (authorization !== undefined && isSigV4Authorization(authorization)) {
    const split = splitAuthorization(authorization);
    credential = 'badPiece' in split ? undefined : split.fields.get('Credential');
  } else {
    credential = queryParam(splitQuery(request.query), 'X-Amz-Credential');
  }
  return credential === undefined ? undefined : parseCredential(credential);
}
