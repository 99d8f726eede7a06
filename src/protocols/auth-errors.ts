/**
 * How each wire protocol words an authentication failure. The same failure has different
 * codes per protocol family, as on AWS: the Query services (IAM, STS) say InvalidClientTokenId
 * where the JSON services (ECR, ECS, Logs) say UnrecognizedClientException, and so on.
 */
import type { Protocol } from '../core/operation.js';
import { AwsError } from '../core/errors.js';
import type { SigV4Failure } from './sigv4/verify.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

export function authFailureError(protocol: Protocol, failure: SigV4Failure): AwsError {
  const json = protocol === 'awsJson1_1';
  const ec2 = protocol === 'ec2Query';
  switch (failure.kind) {
    case 'missing':
      if (json)
        return new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', { status: 403 });
      if (ec2)
        return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', {
          status: 401,
        });
      return new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', { status: 403 });
    case 'incomplete':
      return new AwsError(json ? 'IncompleteSignatureException' : 'IncompleteSignature', failure.message, {
        status: json ? 400 : 403,
      });
    case 'unknownKey':
    case 'badToken':
      if (json) return new AwsError('UnrecognizedClientException', INVALID_TOKEN, { status: 400 });
      if (ec2)
        return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', {
          status: 401,
        });
      return new AwsError('InvalidClientTokenId', INVALID_TOKEN, { status: 403 });
    case 'mismatch':
    case 'wrongScope':
      // The JSON services name a bad signature InvalidSignatureException; the Query services SignatureDoesNotMatch.
      return new AwsError(json ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', failure.message, {
        status: 403,
      });
    case 'skew':
      if (ec2) return new AwsError('RequestExpired', 'Request has expired.', { status: 400 });
      return new AwsError(json ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', failure.message, {
        status: 403,
      });
    case 'presignExpired':
      if (ec2) return new AwsError('RequestExpired', 'Request has expired.', { status: 400 });
      return new AwsError(json ? 'InvalidSignatureException' : 'AccessDenied', failure.message, { status: 403 });
    case 'expiredToken':
      if (json) return new AwsError('ExpiredTokenException', EXPIRED_TOKEN, { status: 400 });
      if (ec2) return new AwsError('RequestExpired', 'Request has expired.', { status: 400 });
      return new AwsError('ExpiredToken', EXPIRED_TOKEN, { status: 403 });
  }
}

/** AccessDenied in each protocol's words, given AWS's message. */
export function accessDeniedError(protocol: Protocol, message: string): AwsError {
  if (protocol === 'awsJson1_1') return new AwsError('AccessDeniedException', message, { status: 400 });
  if (protocol === 'ec2Query')
    return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, {
      status: 403,
    });
  return new AwsError('AccessDenied', message, { status: 403 });
}
