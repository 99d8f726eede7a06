/**
 * IAM's errors, named as the SDK's exceptions and worded as AWS words them (messages seen in
 * AWS responses unless a comment says otherwise). Status codes are IAM's: NoSuchEntity 404;
 * EntityAlreadyExists, DeleteConflict and LimitExceeded 409; AccessDenied 403; the rest 400.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const notFound = (message: string): AwsError => new AwsError('NoSuchEntity', message, { status: 404 });
const conflict = (code: string, message: string): AwsError => new AwsError(code, message, { status: 409 });

/** IAM's error catalogue: one factory per AWS error situation. */
export const iamErrors = {
  noSuchRole: (roleName: string) => notFound(`The role with name ${roleName} cannot be found.`),
  noSuchUser: (userName: string) => notFound(`The user with name ${userName} cannot be found.`),
  noSuchGroup: (groupName: string) => notFound(`The group with name ${groupName} cannot be found.`),
  /** GetRolePolicy, GetUserPolicy, GetGroupPolicy and their Delete* for a missing inline policy. */
  noSuchInlinePolicy: (holder: 'role' | 'user' | 'group', policyName: string) =>
    notFound(`The ${holder} policy with name ${policyName} cannot be found.`),
  noSuchAccessKey: (accessKeyId: string) => notFound(`The Access Key with id ${accessKeyId} cannot be found.`),
  /** RemoveUserFromGroup for a user that is not a member (wording not verified against AWS). */
  notGroupMember: (userName: string, groupName: string) => notFound(`User ${userName} is not in group ${groupName}.`),
  /** GetPolicy, ListPolicyVersions, DeletePolicy, …; also DetachRolePolicy for a policy that is not attached. */
  noSuchPolicy: (arn: string) => notFound(`Policy ${arn} was not found.`),
  /** AttachRolePolicy (and a missing PermissionsBoundary). */
  notAttachable: (arn: string) => notFound(`Policy ${arn} does not exist or is not attachable.`),
  /** GetPolicyVersion and friends for a missing version (wording as AWS-compatible emulators have it; not verified). */
  noSuchPolicyVersion: (arn: string, versionId: string) =>
    notFound(`Policy ${arn} version ${versionId} does not exist or is not attachable.`),
  /** CreateRole with a PermissionsBoundary that names no policy. */
  noSuchBoundary: (arn: string) => notFound(`Scope ARN: ${arn} does not exist or is not attachable.`),
  noSuchOidcProvider: (arn: string) => notFound(`OpenIDConnect Provider not found for arn ${arn}`),

  roleExists: (roleName: string) => conflict('EntityAlreadyExists', `Role with name ${roleName} already exists.`),
  userExists: (userName: string) => conflict('EntityAlreadyExists', `User with name ${userName} already exists.`),
  groupExists: (groupName: string) => conflict('EntityAlreadyExists', `Group with name ${groupName} already exists.`),
  policyExists: (policyName: string) =>
    conflict('EntityAlreadyExists', `A policy called ${policyName} already exists. Duplicate names are not allowed.`),
  oidcProviderExists: (url: string) => conflict('EntityAlreadyExists', `Provider with url ${url} already exists.`),

  /** DeleteRole, DeleteUser and DeleteGroup while managed policies are attached. */
  hasAttachedPolicies: () => conflict('DeleteConflict', 'Cannot delete entity, must detach all policies first.'),
  /** … while inline policies remain. */
  hasInlinePolicies: () => conflict('DeleteConflict', 'Cannot delete entity, must delete policies first.'),
  userHasAccessKeys: () => conflict('DeleteConflict', 'Cannot delete entity, must delete access keys first.'),
  /** DeleteUser for a group member and DeleteGroup with members: AWS words both so. */
  groupMembership: () => conflict('DeleteConflict', 'Cannot delete entity, must remove users from group first.'),
  policyAttached: () => conflict('DeleteConflict', 'Cannot delete a policy attached to entities.'),
  policyHasVersions: () =>
    conflict(
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    ),
  defaultVersion: () => conflict('DeleteConflict', 'Cannot delete the default version of a policy.'),

  tooManyVersions: () =>
    conflict(
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    ),
  tooManyAttachedPolicies: (holder: 'Role' | 'User' | 'Group') =>
    conflict('LimitExceeded', `Cannot exceed quota for PoliciesPer${holder}: 10`),
  tooManyAccessKeys: () => conflict('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2'),
  tooManyGroups: () => conflict('LimitExceeded', 'Cannot exceed quota for GroupsPerUser: 10'),
  trustPolicyTooLarge: () => conflict('LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048'),
  /** A role's inline policies may hold 10,240 characters in all, a user's 2,048, a group's 5,120. */
  inlinePoliciesTooLarge: (holder: 'role' | 'user' | 'group', quota: number, name: string) =>
    conflict('LimitExceeded', `Maximum policy size of ${quota} bytes exceeded for ${holder} ${name}`),
  managedPolicyTooLarge: () => conflict('LimitExceeded', 'Cannot exceed quota for PolicySize: 6144'),
  /** Wording follows IAM's "Cannot exceed quota for …" family; the quota's name is not verified. */
  tooManyTags: (entity: 'Role' | 'User' | 'Policy' | 'OpenIdConnectProvider') =>
    conflict('LimitExceeded', `Cannot exceed quota for TagsPer${entity}: 50`),
  tooManyClientIds: () => conflict('LimitExceeded', 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100'),

  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocument', message, { status: 400 }),
  invalidInput: (message: string) => new AwsError('InvalidInput', message, { status: 400 }),
  invalidArn: (arn: string) => new AwsError('InvalidInput', `ARN ${arn} is not valid.`, { status: 400 }),
  duplicateTagKeys: () =>
    new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', {
      status: 400,
    }),
  /** AWS-managed policies are read-only (wording not verified against AWS). */
  outsideAccount: () => new AwsError('AccessDenied', 'Policy is outside your own account.', { status: 403 }),
  invalidMarker: () => new AwsError('ValidationError', 'Invalid Marker.', { status: 400 }),
  /** GetUser, the access-key operations, … without UserName, called with a role session's credentials. */
  userNameRequired: () =>
    new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 }),
  /** The same, called with the admin key: dockyard does not manage it through IAM (AWS would act on the root user's keys). */
  rootKeysNotManaged: () =>
    new AwsError(
      'ValidationError',
      "dockyard's admin key is the account's root credential and is not managed through IAM; name a user with UserName",
      { status: 400 },
    ),
} satisfies ErrorCatalogue;
