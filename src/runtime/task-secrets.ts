/**
 * A container's `secrets`, resolved at task start as ECS's agent resolves them: as the task's
 * execution role, through the cloud's own Secrets Manager and SSM operations (so IAM, resource
 * policies and the services' errors decide exactly as for a signed call), into environment
 * variables of the container only. The values are never stored on the task, logged or
 * returned by an API: the task's record keeps the `secrets` of its definition, as on AWS.
 *
 * `valueFrom` forms (AWS's):
 * - a Secrets Manager ARN, whole secret: `arn:aws:secretsmanager:R:A:secret:NAME-AbCdEf`;
 *   with `:json-key:version-stage:version-id` appended (each part may be empty) a key of
 *   the JSON secret, of a stage or version.
 * - an SSM parameter: its name (`/app/db-url`, or `db-url`) or its ARN
 *   (`arn:aws:ssm:R:A:parameter/app/db-url`), SecureString decrypted.
 *
 * A refusal or a missing secret fails the task with AWS's wording:
 * `ResourceInitializationError: unable to pull secrets or registry auth: execution resource
 * retrieval failed: …`. Gap: secrets of another region or account (the ARN's) are read here.
 */
import { regionOfArn } from '../core/regions.js';
import type { Caller } from '../core/operation.js';
import { errorMessage, isAwsError } from '../core/errors.js';
import type { ContainerDefinition } from '../services/ecs/model.js';

/** Calls an operation of the cloud as a caller (AwsApi.invoke). */
export interface AgentCalls {
  /** `region`: the one an ARN in the input names; the task's own when undefined. */
  invoke(
    caller: Caller,
    sourceIp: string,
    signingName: string,
    operation: string,
    input: Record<string, unknown>,
    region?: string,
  ): Promise<unknown>;
}

/** The source address of the agent's calls (aws:SourceIp): the host's, as on an instance. */
const AGENT_SOURCE_IP = '127.0.0.1';

/** What AWS prefixes every secrets failure of a task with. */
export const SECRETS_FAILURE_PREFIX = 'unable to pull secrets or registry auth: execution resource retrieval failed: ';

/** A failure to resolve; `message` follows ResourceInitializationError's colon. */
export class TaskSecretsError extends Error {}

/** A Secrets Manager reference: the secret's ARN and what of it. */
interface SecretReference {
  secretId: string;
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

/** `arn:aws:secretsmanager:R:A:secret:NAME[:json-key:version-stage:version-id]`; undefined for anything else. */
export function parseSecretReference(valueFrom: string): SecretReference | undefined {
  const parts = valueFrom.split(':');
  if (parts[0] !== 'arn' || parts[2] !== 'secretsmanager' || parts[5] !== 'secret' || parts.length < 7)
    return undefined;
  if (parts.length !== 7 && parts.length !== 10) return undefined;
  const [jsonKey, versionStage, versionId] = parts.slice(7);
  return {
    secretId: parts.slice(0, 7).join(':'),
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/** Whether the task has secrets to resolve (and so needs its execution role). */
export function hasSecrets(containers: readonly ContainerDefinition[]): boolean {
  return containers.some((c) => (c.secrets ?? []).length > 0);
}

/**
 * The container's secrets as environment variables, read as `caller` (the execution role's
 * session); throws TaskSecretsError with AWS's message.
 */
export async function resolveSecrets(
  calls: AgentCalls,
  caller: Caller | undefined,
  container: ContainerDefinition,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const secret of container.secrets ?? []) {
    if (!caller)
      throw new TaskSecretsError(
        `${SECRETS_FAILURE_PREFIX}the task definition has secrets but no executionRoleArn to read them as`,
      );
    const reference = parseSecretReference(secret.valueFrom);
    env[secret.name] = reference
      ? await fromSecretsManager(calls, caller, reference)
      : await fromParameterStore(calls, caller, secret.valueFrom);
  }
  return env;
}

async function fromSecretsManager(calls: AgentCalls, caller: Caller, ref: SecretReference): Promise<string> {
  let output: { SecretString?: string; SecretBinary?: Uint8Array };
  try {
    output = (await calls.invoke(
      caller,
      AGENT_SOURCE_IP,
      'secretsmanager',
      'GetSecretValue',
      {
        SecretId: ref.secretId,
        ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}),
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      },
      regionOfArn(ref.secretId),
    )) as typeof output;
  } catch (error) {
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref.secretId} from secrets manager: ${awsText(error)}`,
    );
  }
  const text = output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary).toString('utf8') : '');
  if (ref.jsonKey === undefined) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const value =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)[ref.jsonKey]
      : undefined;
  if (value === undefined)
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}unable to retrieve secret from asm: retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`,
    );
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function fromParameterStore(calls: AgentCalls, caller: Caller, name: string): Promise<string> {
  let output: { Parameters?: { Value?: string }[]; InvalidParameters?: string[] };
  try {
    output = (await calls.invoke(
      caller,
      AGENT_SOURCE_IP,
      'ssm',
      'GetParameters',
      { Names: [name], WithDecryption: true },
      regionOfArn(name),
    )) as typeof output;
  } catch (error) {
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): ${awsText(error)}`,
    );
  }
  const value = output.Parameters?.[0]?.Value;
  if (value === undefined || (output.InvalidParameters ?? []).length > 0)
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}unable to retrieve secrets from ssm: invalid parameters: ${name}`,
    );
  return value;
}

/**
 * A private registry's credentials (`repositoryCredentials.credentialsParameter`): a Secrets
 * Manager secret `{"username": …, "password": …}`, read as the execution role.
 */
export async function resolveRegistryCredentials(
  calls: AgentCalls,
  caller: Caller | undefined,
  secretArn: string,
): Promise<{ username: string; password: string }> {
  if (!caller)
    throw new TaskSecretsError(`${SECRETS_FAILURE_PREFIX}repositoryCredentials need an executionRoleArn to be read as`);
  const reference = parseSecretReference(secretArn);
  if (!reference)
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}invalid repositoryCredentials secret ARN ${secretArn.slice(0, 256)}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fromSecretsManager(calls, caller, reference));
  } catch (error) {
    if (error instanceof TaskSecretsError) throw error;
    parsed = undefined;
  }
  const fields = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  if (typeof fields.username !== 'string' || typeof fields.password !== 'string')
    throw new TaskSecretsError(
      `${SECRETS_FAILURE_PREFIX}unable to retrieve secret from asm: the private registry secret ${reference.secretId} is not JSON with username and password`,
    );
  return { username: fields.username, password: fields.password };
}

/** `Code: message` as the agent prints an SDK error. */
function awsText(error: unknown): string {
  return isAwsError(error) ? `${error.code}: ${error.message}` : errorMessage(error);
}
