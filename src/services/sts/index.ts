/**
 * STS (awsQuery, version 2011-06-15): AssumeRoleWithWebIdentity, AssumeRole (from the admin
 * key, an IAM user's key, or a role session: role chaining) and GetCallerIdentity (a user is
 * answered with its AIDA… id and user ARN).
 *
 * Fidelity
 * - Gaps: GetSessionToken, GetFederationToken, AssumeRoleWithSAML, DecodeAuthorizationMessage
 *   and GetAccessKeyInfo are not implemented (InvalidAction). Cross-account roles do not exist
 *   (one account per cloud). For AssumeRole within the account, dockyard requires both the
 *   trust policy and the caller's identity policy to allow it, even where AWS would accept a
 *   trust policy naming the caller directly.
 * - By design: web identity tokens are verified only against dockyard's own issuer keys;
 *   a provider for any other issuer fails as AWS does when it cannot fetch the JWKS.
 * - Client quirks: AssumeRoleWithWebIdentity is served unsigned (the SDKs send it so).
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import { assumeRole } from './assume-role.js';
import { assumeRoleWithWebIdentity } from './assume-role-with-web-identity.js';
import { getCallerIdentity } from './get-caller-identity.js';
import type { StsDeps } from './deps.js';

export type StsOperationName = 'AssumeRoleWithWebIdentity' | 'AssumeRole' | 'GetCallerIdentity';

export function createStsService(deps: StsDeps): ServiceDefinition {
  const operations: Record<StsOperationName, AnyOperation> = {
    AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity(deps),
    AssumeRole: assumeRole(deps),
    GetCallerIdentity: getCallerIdentity(),
  };
  return {
    signingName: 'sts',
    title: 'STS',
    protocol: 'awsQuery',
    version: '2011-06-15',
    xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/',
    validationErrorCode: 'ValidationError',
    operations,
  };
}
