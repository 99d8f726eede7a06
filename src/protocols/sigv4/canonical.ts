/**
 * The canonical request of SigV4 (AWS General Reference, "Create a canonical request"), rebuilt
 * from the request exactly as it arrived: method, canonical URI, canonical query string, the
 * signed headers with their normalised values, the signed header list and the payload hash.
 */
import { canonicalComponent, decodeComponent, uriEncode } from './uri-encoding.js';

/** One `name=value` pair of a raw query string, still encoded. */
export interface RawQueryPair {
  name: string;
  value: string;
}

/** Splits a raw query string into pairs; `flag` without '=' has an empty value, empty pieces are skipped. */
export function splitQuery(rawQuery: string): RawQueryPair[] {
  const pairs: RawQueryPair[] = [];
  if (rawQuery === '') return pairs;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    pairs.push(
      equals < 0 ? { name: piece, value: '' } : { name: piece.slice(0, equals), value: piece.slice(equals + 1) },
    );
  }
  return pairs;
}

/** The decoded value of the first parameter whose decoded name is exactly `name`. */
export function queryParam(pairs: readonly RawQueryPair[], name: string): string | undefined {
  for (const pair of pairs) {
    if (decodeComponent(pair.name) === name) return decodeComponent(pair.value);
  }
  return undefined;
}

/**
 * The canonical URI. For every service but S3 the SDKs (and botocore) normalise the path they send
 * — drop empty and '.' segments, resolve '..', keep a trailing '/' — and encode it once more, so
 * each segment ends up encoded twice. We apply that second encoding to the path as it arrived on the
 * wire, which is exactly what the signer encoded; decoding it first would break for clients that
 * send `%7e`, lower-case hex or an unencoded ':' (all legal on the wire).
 * Quirk reproduced: `//` collapses to `/` ("AWS services require consecutive slashes to be removed").
 * S3 signs the path as sent, encoded once and not normalised.
 */
export function canonicalPath(rawPath: string, singleEncoded: boolean): string {
  if (singleEncoded) return rawPath === '' ? '/' : rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return uriEncode(`/${segments.join('/')}${trailing}`, true);
}

/**
 * The canonical query string: every name and value decoded then re-encoded per RFC 3986, sorted by
 * name then value (byte order; all ASCII by then), `name=` for a parameter without a value. The
 * presigned form's own X-Amz-Signature is left out, since it cannot sign itself.
 */
export function canonicalQuery(pairs: readonly RawQueryPair[], omitSignature: boolean): string {
  const encoded: string[] = [];
  for (const pair of pairs) {
    const name = canonicalComponent(pair.name);
    if (omitSignature && name === 'X-Amz-Signature') continue;
    encoded.push(`${name}=${canonicalComponent(pair.value)}`);
  }
  // Names first, then values: comparing whole "name=value" strings would put `a-b=1` before
  // `a=1`, since '-' sorts below '='.
  encoded.sort(compareCanonicalPairs);
  return encoded.join('&');
}

function compareCanonicalPairs(a: string, b: string): number {
  const nameA = a.slice(0, a.indexOf('='));
  const nameB = b.slice(0, b.indexOf('='));
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Trims a header value and collapses runs of spaces and tabs (and stray line breaks) to one space. */
function normaliseHeaderValue(value: string): string {
  return value.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '');
}

function headerValue(value: string | readonly string[] | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return normaliseHeaderValue(value);
  // Repeated headers: each value normalised, joined with ',' (no space) as AWS specifies.
  return value.map(normaliseHeaderValue).join(',');
}

/**
 * The canonical headers block: `name:value\n` for each signed header, in the order of the
 * SignedHeaders list (which signers sort). A signed header absent from the request counts as empty.
 */
export function canonicalHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  signedHeaderNames: readonly string[],
): string {
  let block = '';
  for (const name of signedHeaderNames) {
    const lower = name.toLowerCase();
    const value = Object.prototype.hasOwnProperty.call(headers, lower) ? headers[lower] : undefined;
    block += `${lower}:${headerValue(value)}\n`;
  }
  return block;
}

/** Assembles the canonical request from its parts. */
export function canonicalRequest(parts: {
  method: string;
  path: string;
  query: string;
  headers: string;
  signedHeaders: string;
  payloadHash: string;
}): string {
  return `${parts.method}\n${parts.path}\n${parts.query}\n${parts.headers}\n${parts.signedHeaders}\n${parts.payloadHash}`;
}
