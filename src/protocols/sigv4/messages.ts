/**
 * AWS's own wording for SigV4 failures, in one place. The texts are those AWS's query and JSON
 * services return (as reproduced in AWS's IAM SigV4 troubleshooting guide and observed on the
 * wire); the presigned X-Amz-Expires texts are S3's, the only service that documents them.
 * Several carry AWS's trailing space or missing full stop; those are kept on purpose.
 */

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export const BOTH_AUTH_FORMS =
  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";

export const HOST_NOT_SIGNED = "'Host' must be a 'SignedHeader' in the AWS Authorization.";

export const REQUEST_EXPIRED = 'Request has expired';

export const EXPIRES_NOT_A_NUMBER = 'X-Amz-Expires should be a number';
export const EXPIRES_NEGATIVE = 'X-Amz-Expires must be non-negative';
export const EXPIRES_TOO_LARGE =
  'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds';

/** A comma/space separated piece of the Authorization header without '='. */
export function missingEqualSign(piece: string, authorization: string): string {
  return `'${piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`;
}

/** Parameters (and the date header) an Authorization header lacks; AWS echoes the header back. */
export function authorizationRequires(
  parameters: readonly string[],
  needsDate: boolean,
  authorization: string,
): string {
  let message = '';
  for (const parameter of parameters) message += `Authorization header requires '${parameter}' parameter. `;
  if (needsDate) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  return `${message}Authorization=${authorization}`;
}

/** Presigned parameters the query string lacks. */
export function queryRequires(parameters: readonly string[]): string {
  let message = '';
  for (const parameter of parameters) message += `AWS query-string parameters must include '${parameter}'. `;
  return `${message}Re-examine the query-string parameters.`;
}

export function badDateFormat(date: string): string {
  return `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`;
}

export function unsupportedAlgorithm(algorithm: string): string {
  return `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `;
}

export function badCredential(credential: string): string {
  return `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`;
}

export function signatureExpired(requestDate: string, earliest: string, now: string): string {
  return `Signature expired: ${requestDate} is now earlier than ${earliest} (${now} - 15 min.)`;
}

export function signatureNotYetCurrent(requestDate: string, latest: string, now: string): string {
  return `Signature not yet current: ${requestDate} is still later than ${latest} (${now} + 15 min.)`;
}

export function scopeRegion(region: string): string {
  return `Credential should be scoped to a valid region, not '${region}'. `;
}

export function scopeService(expected: string): string {
  return `Credential should be scoped to correct service: '${expected}'. `;
}

export function scopeTerminator(terminator: string): string {
  return `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
}

export function scopeDate(scopeDay: string, requestDay: string, requestDate: string): string {
  return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDay}' != '${requestDay}', from '${requestDate}'.`;
}
