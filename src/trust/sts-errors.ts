/**
 * STS's errors, worded as AWS words them.
 */
import { AwsError, type ErrorCatalogue } from '../core/errors.js';

export const stsErrors = {
  notAuthorized: (
    action: 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRole' | 'sts:TagSession',
    caller?: string,
    roleArn?: string,
  ) =>
    action === 'sts:AssumeRoleWithWebIdentity'
      ? new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', { status: 403 })
      : new AwsError(
          'AccessDenied',
          `User: ${caller ?? 'unknown'} is not authorized to perform: ${action} on resource: ${roleArn ?? '*'}`,
          { status: 403 },
        ),
  invalidToken: (message: string) => new AwsError('InvalidIdentityToken', message, { status: 400 }),
  expiredToken: (message: string) => new AwsError('ExpiredTokenException', message, { status: 400 }),
  validation: (message: string) => new AwsError('ValidationError', message, { status: 400 }),
  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocument', message, { status: 400 }),
  regionDisabled: (message: string) => new AwsError('RegionDisabledException', message, { status: 403 }),
} satisfies ErrorCatalogue;

/** AWS's description of InvalidIdentityToken, used when the token cannot be verified. */
export const UNVERIFIABLE_TOKEN =
  'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.';
