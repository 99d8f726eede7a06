/**
 * IAM's errors, named as the SDK's exceptions and worded as AWS words them (messages seen in
 * AWS responses unless a comment says otherwise). Status codes are IAM's: NoSuchEntity 404;
 * EntityAlreadyExists, DeleteConflict and LimitExceeded 409; AccessDenied 403; the rest 400.
 */
import { AwsError } from '../../protocols/errors.js';

const notFound = (message: string): AwsError => new AwsError('NoSuchEntity', message, { status: 404 });
const conflict = (code: string, message: string): AwsError => new AwsError(code, message, { status: 409 });

/** IAM's error catalogue: one factory per AWS error situation. */
export const iamErrors = {
  noSuchRole: (roleName: string) => notFound(`The role with name ${roleName} cannot be found.`),
  noSuchRolePolicy: (policyName: string) => notFound(`The role policy with name ${policyName} cannot be found.`),
  /** GetPolicy, ListPolicyVersions, DeletePolicy, …; also DetachRolePolicy for a policy that is not attached. */
  noSuchPolicy: (arn: string) => notFound(`Policy ${arn} was not found.`),
  /** AttachRolePolicy (and a missing PermissionsBoundary). */
  notAttachable: (arn: string) => notFound(`Policy ${arn} does not exist or is not attachable.`),
  /** GetPolicyVersion and friends for a missing version (wording as AWS-compatible emulators have it; not verified). */
  noSuchPolicyVersion: (arn: string, versionId: string) => notFound(`Policy ${arn} version ${versionId} does not exist or is not attachable.`),
  /** CreateRole with a PermissionsBoundary that names no policy. */
  noSuchBoundary: (arn: string) => notFound(`Scope ARN: ${arn} does not exist or is not attachable.`),
  noSuchOidcProvider: (arn: string) => notFound(`OpenIDConnect Provider not found for arn ${arn}`),

  roleExists: (roleName: string) => conflict('EntityAlreadyExists', `Role with name ${roleName} already exists.`),
  policyExists: (policyName: string) =>
    conflict('EntityAlreadyExists', `A policy called ${policyName} already exists. Duplicate names are not allowed.`),
  oidcProviderExists: (url: string) => conflict('EntityAlreadyExists', `Provider with url ${url} already exists.`),

  roleHasAttachedPolicies: () => conflict('DeleteConflict', 'Cannot delete entity, must detach all policies first.'),
  roleHasInlinePolicies: () => conflict('DeleteConflict', 'Cannot delete entity, must delete policies first.'),
  policyAttached: () => conflict('DeleteConflict', 'Cannot delete a policy attached to entities.'),
  policyHasVersions: () =>
    conflict(
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    ),
  defaultVersion: () => conflict('DeleteConflict', 'Cannot delete the default version of a policy.'),

  tooManyVersions: () =>
    conflict('LimitExceeded', 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.'),
  tooManyAttachedPolicies: () => conflict('LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10'),
  trustPolicyTooLarge: () => conflict('LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048'),
  inlinePoliciesTooLarge: (roleName: string) => conflict('LimitExceeded', `Maximum policy size of 10240 bytes exceeded for role ${roleName}`),
  managedPolicyTooLarge: () => conflict('LimitExceeded', 'Cannot exceed quota for PolicySize: 6144'),
  /** Wording follows IAM's "Cannot exceed quota for …" family; the quota's name is not verified. */
  tooManyTags: (entity: 'Role' | 'Policy' | 'OpenIdConnectProvider') => conflict('LimitExceeded', `Cannot exceed quota for TagsPer${entity}: 50`),
  tooManyClientIds: () => conflict('LimitExceeded', 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100'),

  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocument', message, { status: 400 }),
  invalidInput: (message: string) => new AwsError('InvalidInput', message, { status: 400 }),
  invalidArn: (arn: string) => new AwsError('InvalidInput', `ARN ${arn} is not valid.`, { status: 400 }),
  duplicateTagKeys: () => new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', { status: 400 }),
  /** AWS-managed policies are read-only (wording not verified against AWS). */
  outsideAccount: () => new AwsError('AccessDenied', 'Policy is outside your own account.', { status: 403 }),
  invalidMarker: () => new AwsError('ValidationError', 'Invalid Marker.', { status: 400 }),
};
