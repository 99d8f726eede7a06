/**
 * Secrets Manager (awsJson1_1, target prefix `secretsmanager`): secrets, their versions and
 * staging labels, tags and resource policies — where ECS task definitions' `secrets` and the
 * apps themselves read passwords and keys. Secrets are found by name, full ARN or partial ARN
 * (lookups.ts); the ARN ends in six random characters, so a secret created again under an old
 * name has a new ARN. Every operation is authorized by IAM, the secret's resource policy
 * included (authorization.ts).
 *
 * Fidelity
 * - Gaps: rotation (RotateSecret, CancelRotateSecret: no Lambda here), replication
 *   (AddReplicaRegions and the replica operations; refused), managed external secrets (Type;
 *   refused), BatchGetSecretValue, RotationToken checks (read and ignored). Operations not in
 *   SecretsManagerOperationName answer UnknownOperationException from the protocol layer.
 * - By design: no KMS. Values are kept as given in the cloud's state database (0600, like its
 *   other secrets); KmsKeyId is stored and reported (DescribeSecret, ListSecretVersionIds'
 *   KmsKeyIds) but nothing is encrypted with it and kms:Decrypt is never asked for. Deleted
 *   secrets are purged when their deletion date passes (hidden from every read at once, rows
 *   removed by the cloud's housekeeping or when the name is taken again). ListSecrets is read
 *   at once (AWS is eventually consistent) and ordered ascending by CreatedDate by default.
 *   LastAccessedDate is midnight UTC of the day of the last GetSecretValue, as AWS rounds it.
 *   A denial on a secret that does not exist names the SecretId as sent, so IAM says nothing
 *   about its existence.
 * - Client quirks: ForceDeleteWithoutRecovery on a secret that does not exist succeeds, as
 *   AWS documents. CreateSecret and PutSecretValue retried with the same ClientRequestToken
 *   and value answer as the first call did; UpdateSecret refuses any token already used (its
 *   API reference says so). Validation errors name sensitive members without echoing them
 *   ("Value at 'secretString' failed to satisfy constraint: …").
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import {
  deleteResourcePolicy,
  getResourcePolicy,
  putResourcePolicy,
  validateResourcePolicy,
} from './operations/policies.js';
import { getRandomPassword } from './operations/random-password.js';
import {
  createSecret,
  deleteSecret,
  describeSecret,
  listSecrets,
  restoreSecret,
  updateSecret,
} from './operations/secrets.js';
import { tagResource, untagResource } from './operations/tags.js';
import { getSecretValue, listSecretVersionIds, putSecretValue, updateSecretVersionStage } from './operations/values.js';
import type { SecretsStore } from './store.js';

export { SecretsStore, type SecretsStoreOptions } from './store.js';
export type { Secret, SecretValue, SecretVersion } from './model.js';

/** Every Secrets Manager operation dockyard serves, by AWS's name. */
export type SecretsManagerOperationName =
  | 'CreateSecret'
  | 'DescribeSecret'
  | 'UpdateSecret'
  | 'DeleteSecret'
  | 'RestoreSecret'
  | 'ListSecrets'
  | 'GetSecretValue'
  | 'PutSecretValue'
  | 'ListSecretVersionIds'
  | 'UpdateSecretVersionStage'
  | 'TagResource'
  | 'UntagResource'
  | 'GetResourcePolicy'
  | 'PutResourcePolicy'
  | 'DeleteResourcePolicy'
  | 'ValidateResourcePolicy'
  | 'GetRandomPassword';

/** The Secrets Manager service over `store`. */
export function createSecretsManagerService(store: SecretsStore): ServiceDefinition {
  const operations: Record<SecretsManagerOperationName, AnyOperation> = {
    CreateSecret: createSecret(store),
    DescribeSecret: describeSecret(store),
    UpdateSecret: updateSecret(store),
    DeleteSecret: deleteSecret(store),
    RestoreSecret: restoreSecret(store),
    ListSecrets: listSecrets(store),
    GetSecretValue: getSecretValue(store),
    PutSecretValue: putSecretValue(store),
    ListSecretVersionIds: listSecretVersionIds(store),
    UpdateSecretVersionStage: updateSecretVersionStage(store),
    TagResource: tagResource(store),
    UntagResource: untagResource(store),
    GetResourcePolicy: getResourcePolicy(store),
    PutResourcePolicy: putResourcePolicy(store),
    DeleteResourcePolicy: deleteResourcePolicy(store),
    ValidateResourcePolicy: validateResourcePolicy(store),
    GetRandomPassword: getRandomPassword(),
  };
  return {
    signingName: 'secretsmanager',
    title: 'Secrets Manager',
    protocol: 'awsJson1_1',
    targetPrefix: 'secretsmanager',
    validationErrorCode: 'ValidationException',
    operations,
  };
}
