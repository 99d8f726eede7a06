/**
 * Systems Manager Parameter Store (awsJson1_1, target prefix `AmazonSSM`): parameters, their
 * versions, labels and tags — the configuration ECS task definitions' `secrets` and the apps
 * themselves read. Names are one level (`db-url`, also reachable as `/db-url`) or paths
 * (`/app/prod/db-url`); reads take names, ARNs and `:version` / `:label` selectors
 * (names.ts). Every operation is authorized by IAM on the parameter's ARN (authorization.ts).
 *
 * Fidelity
 * - Gaps: the rest of Systems Manager (documents, Run Command, sessions, inventory…);
 *   parameter policies (Policies; refused), shared parameters (Shared; refused), public
 *   parameters under /aws/service, references to Secrets Manager
 *   (/aws/reference/secretsmanager/…), the aws:ssm:integration data type (refused), the
 *   default tier setting (Standard) and GetParameters' cross-account ARNs. Operations not in
 *   SsmOperationName answer UnknownOperationException from the protocol layer.
 * - By design: SecureString without KMS. Values are kept as given in the cloud's state
 *   database (0600, like its other secrets); KeyId is stored and reported (alias/aws/ssm by
 *   default) but nothing is encrypted with it and kms:Decrypt is never asked for. Without
 *   WithDecryption a SecureString reads as an opaque base64 text shaped like a KMS ciphertext
 *   blob (ciphertext.ts), fixed per version. aws:ec2:image values are checked for the form of
 *   an image id at once (AWS checks the image exists, asynchronously). AllowedPattern is a
 *   JavaScript regular expression run with a 100 ms limit (AWS: Java). DescribeParameters
 *   answers 10 a page by default; lists are ordered by name, so paging is stable.
 * - Client quirks: GetParameter's ParameterNotFound carries an empty message, as AWS's does.
 *   LabelParameterVersion answers invalid labels in InvalidLabels instead of failing.
 *   Validation errors name Value without echoing it.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import { deleteParameter, deleteParameters } from './operations/delete-parameters.js';
import { describeParameters } from './operations/describe-parameters.js';
import { labelParameterVersion, unlabelParameterVersion } from './operations/labels.js';
import { putParameter } from './operations/put-parameter.js';
import { getParameter, getParameterHistory, getParameters, getParametersByPath } from './operations/reads.js';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './operations/tags.js';
import type { ParameterStore } from './store.js';

export { ParameterStore, type ParameterStoreOptions } from './store.js';
export type { Parameter, ParameterVersion } from './model.js';

/** Every Parameter Store operation dockyard serves, by AWS's name. */
export type SsmOperationName =
  | 'PutParameter'
  | 'GetParameter'
  | 'GetParameters'
  | 'GetParametersByPath'
  | 'GetParameterHistory'
  | 'DescribeParameters'
  | 'DeleteParameter'
  | 'DeleteParameters'
  | 'LabelParameterVersion'
  | 'UnlabelParameterVersion'
  | 'AddTagsToResource'
  | 'RemoveTagsFromResource'
  | 'ListTagsForResource';

/** The Parameter Store service over `store`. */
export function createSsmService(store: ParameterStore): ServiceDefinition {
  const operations: Record<SsmOperationName, AnyOperation> = {
    PutParameter: putParameter(store),
    GetParameter: getParameter(store),
    GetParameters: getParameters(store),
    GetParametersByPath: getParametersByPath(store),
    GetParameterHistory: getParameterHistory(store),
    DescribeParameters: describeParameters(store),
    DeleteParameter: deleteParameter(store),
    DeleteParameters: deleteParameters(store),
    LabelParameterVersion: labelParameterVersion(store),
    UnlabelParameterVersion: unlabelParameterVersion(store),
    AddTagsToResource: addTagsToResource(store),
    RemoveTagsFromResource: removeTagsFromResource(store),
    ListTagsForResource: listTagsForResource(store),
  };
  return {
    signingName: 'ssm',
    title: 'Systems Manager',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonSSM',
    validationErrorCode: 'ValidationException',
    operations,
  };
}
