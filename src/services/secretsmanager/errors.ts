/**
 * Secrets Manager's error catalogue: one factory per situation, named as the SDK's exception
 * classes and worded as Secrets Manager words them. Messages marked "unverified" follow its
 * style but were not seen in an AWS response. None of them ever carries a secret's value.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const error = (code: string, message: string): AwsError => new AwsError(code, message, { status: 400 });

export const secretsErrors = {
  secretNotFound: () => error('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
  stageNotFound: (stage: string) =>
    error(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
    ),
  versionNotFound: (versionId: string) =>
    error(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
    ),
  /** Both VersionId and VersionStage given, naming different versions. */
  stageVersionMismatch: () =>
    error('InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.'),
  markedForDeletion: () =>
    error(
      'InvalidRequestException',
      "You can't perform this operation on the secret because it was marked for deletion.",
    ),
  nameScheduledForDeletion: () =>
    error(
      'InvalidRequestException',
      "You can't create this secret because a secret with this name is already scheduled for deletion.",
    ),
  secretExists: (name: string) =>
    error('ResourceExistsException', `The operation failed because the secret ${name} already exists.`),
  /** A ClientRequestToken naming an existing version with another value. */
  tokenInUse: (token: string, arn: string) =>
    error(
      'ResourceExistsException',
      `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${arn}.`,
    ),
  bothValues: () =>
    error(
      'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    ),
  /** PutSecretValue with neither value. Unverified wording. */
  noValue: () => error('InvalidParameterException', 'You must provide either SecretString or SecretBinary.'),
  forceWithWindow: () =>
    error(
      'InvalidParameterException',
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    ),
  recoveryWindow: () =>
    error('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).'),
  /** UpdateSecretVersionStage moving a label without naming the version that has it. */
  removeFromRequired: (stage: string, versionId: string) =>
    error(
      'InvalidParameterException',
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    ),
  /** Unverified wording. */
  stageNotOnVersion: (stage: string, versionId: string) =>
    error('InvalidParameterException', `Version stage ${stage} not found in version ${versionId}`),
  /** Unverified wording: AWSCURRENT can only move, never be dropped. */
  currentMustMove: () =>
    error(
      'InvalidParameterException',
      "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
    ),
  invalidName: () =>
    error(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    ),
  invalidParameter: (message: string) => error('InvalidParameterException', message),
  invalidNextToken: () => error('InvalidNextTokenException', 'The NextToken value is invalid.'),
  /** Unverified wording. */
  malformedPolicy: (reason: string) =>
    error('MalformedPolicyDocumentException', `This resource policy contains a syntax error: ${reason}`),
  /** Unverified wording. */
  publicPolicy: () =>
    error(
      'PublicPolicyException',
      'This resource policy grants public access to the secret; BlockPublicPolicy refuses it.',
    ),
  /** Unverified wording: more versions made within 24 hours than Secrets Manager keeps. */
  tooManyVersions: () =>
    error(
      'LimitExceededException',
      'You have exceeded the quota of 100 versions of a secret created within the last 24 hours.',
    ),
  /** Unverified wording. */
  tooManyStages: () =>
    error(
      'LimitExceededException',
      'You have exceeded the quota of 20 staging labels attached across all versions of a secret.',
    ),
  /** Unverified wording. */
  tooManyTags: () => error('InvalidParameterException', 'A secret can have at most 50 tags.'),
  /** Our own: what this emulator refuses rather than pretends. */
  unsupported: (what: string) =>
    error('InvalidRequestException', `dockyard's Secrets Manager does not support ${what}`),
  passwordTooShort: () =>
    error('InvalidParameterException', 'Password length is too short based on the required types.'),
} satisfies ErrorCatalogue;
