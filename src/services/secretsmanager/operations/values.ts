/**
 * Secret values and their versions: GetSecretValue, PutSecretValue, ListSecretVersionIds and
 * UpdateSecretVersionStage. A secret scheduled for deletion refuses every read and write of
 * its value (InvalidRequestException) until it is restored. Reads record the day of access.
 */
import { randomUUID } from 'node:crypto';
import type { Operation } from '../../../core/operation.js';
import { pageFromOffset } from '../../../core/pagination.js';
import { onSecret } from '../authorization.js';
import { secretsErrors } from '../errors.js';
import { VERSION_ID, VERSION_STAGE, readSecretId, readStages, readToken, readValue } from '../input-rules.js';
import { requireActiveSecret, requireSecret } from '../lookups.js';
import { AWSCURRENT, sameValue, type Secret, type SecretValue, type SecretVersion } from '../model.js';
import type { SecretsStore } from '../store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

interface GetSecretValueInput {
  secretId: string;
  versionId?: string;
  versionStage?: string;
}

/** GetSecretValue: the AWSCURRENT version unless VersionId or VersionStage names another. */
export function getSecretValue(store: SecretsStore): Operation<GetSecretValueInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      versionId: r.string('VersionId', VERSION_ID),
      versionStage: r.string('VersionStage', VERSION_STAGE),
    }),
    authorize: (input, ctx) =>
      onSecret(store, ctx, 'GetSecretValue', input.secretId, versionContext(input.versionId, input.versionStage)),
    run: (input, ctx) => {
      const secret = requireActiveSecret(store, input.secretId, ctx);
      const version = pickVersion(store.versions(secret.arn), input.versionId, input.versionStage);
      const now = ctx.clock.now().getTime();
      store.recordAccess(secret.arn, version.versionId, now - (now % DAY_MS));
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        ...valueOutput(version.value),
        VersionStages: version.stages,
        CreatedDate: new Date(version.createdAt),
      };
    },
  };
}

function pickVersion(
  versions: readonly SecretVersion[],
  versionId: string | undefined,
  versionStage: string | undefined,
): SecretVersion {
  if (versionId !== undefined) {
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) throw secretsErrors.versionNotFound(versionId);
    if (versionStage !== undefined && !version.stages.includes(versionStage))
      throw secretsErrors.stageVersionMismatch();
    return version;
  }
  const stage = versionStage ?? AWSCURRENT;
  const version = versions.find((v) => v.stages.includes(stage));
  if (!version) throw secretsErrors.stageNotFound(stage);
  return version;
}

function valueOutput(value: SecretValue): { SecretString?: string; SecretBinary?: string } {
  return value.kind === 'string' ? { SecretString: value.text } : { SecretBinary: value.bytes.toString('base64') };
}

function versionContext(versionId: string | undefined, versionStage: string | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  if (versionId !== undefined) context['secretsmanager:VersionId'] = versionId;
  if (versionStage !== undefined) context['secretsmanager:VersionStage'] = versionStage;
  return context;
}

interface PutSecretValueInput {
  secretId: string;
  token?: string;
  value?: SecretValue;
  bothValues: boolean;
  stages?: string[];
}

/**
 * PutSecretValue: a new version, with AWSCURRENT unless VersionStages says otherwise. A retry
 * (same ClientRequestToken, same value) answers as the first call did.
 */
export function putSecretValue(store: SecretsStore): Operation<PutSecretValueInput, Record<string, unknown>> {
  return {
    input: (r) => {
      const { value, both } = readValue(r);
      r.string('RotationToken', { min: 36, max: 256, sensitive: true });
      return { secretId: readSecretId(r), token: readToken(r), value, bothValues: both, stages: readStages(r) };
    },
    authorize: (input, ctx) => onSecret(store, ctx, 'PutSecretValue', input.secretId),
    run: (input, ctx) => {
      if (input.bothValues) throw secretsErrors.bothValues();
      if (!input.value) throw secretsErrors.noValue();
      const secret = requireActiveSecret(store, input.secretId, ctx);
      const versionId = input.token ?? randomUUID();
      const existing = store.version(secret.arn, versionId);
      if (existing && !sameValue(existing.value, input.value)) throw secretsErrors.tokenInUse(versionId, secret.arn);
      if (!existing)
        store.addVersion(secret.arn, versionId, input.value, input.stages ?? [AWSCURRENT], ctx.clock.now().getTime());
      return summary(secret, store.version(secret.arn, versionId));
    },
  };
}

function summary(secret: Secret, version: SecretVersion | undefined): Record<string, unknown> {
  return { ARN: secret.arn, Name: secret.name, VersionId: version?.versionId, VersionStages: version?.stages };
}

interface ListVersionsInput {
  secretId: string;
  maxResults?: number;
  nextToken?: string;
  includeDeprecated: boolean;
}

/** ListSecretVersionIds: oldest first; deprecated versions (no label) only with IncludeDeprecated. */
export function listSecretVersionIds(store: SecretsStore): Operation<ListVersionsInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      maxResults: r.integer('MaxResults', { min: 1, max: 100 }),
      nextToken: r.string('NextToken', { min: 1, max: 4096 }),
      includeDeprecated: r.boolean('IncludeDeprecated') ?? false,
    }),
    authorize: (input, ctx) => onSecret(store, ctx, 'ListSecretVersionIds', input.secretId),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      const versions = store.versions(secret.arn).filter((v) => input.includeDeprecated || v.stages.length > 0);
      const page = pageFromOffset(
        versions,
        { limit: input.maxResults ?? 100, token: input.nextToken },
        secretsErrors.invalidNextToken,
      );
      return {
        Versions: page.items.map((v) => ({
          VersionId: v.versionId,
          VersionStages: v.stages.length > 0 ? v.stages : undefined,
          LastAccessedDate: v.lastAccessedAt === undefined ? undefined : new Date(v.lastAccessedAt),
          CreatedDate: new Date(v.createdAt),
          // Secrets Manager's name for its AWS managed key.
          KmsKeyIds: [secret.kmsKeyId ?? 'DefaultEncryptionKey'],
        })),
        NextToken: page.nextToken,
        ARN: secret.arn,
        Name: secret.name,
      };
    },
  };
}

interface UpdateStageInput {
  secretId: string;
  stage: string;
  removeFrom?: string;
  moveTo?: string;
}

/**
 * UpdateSecretVersionStage: moves a label between versions. A label already on another
 * version moves only when RemoveFromVersionId names that version; AWSCURRENT can move but
 * never be dropped, and where it leaves AWSPREVIOUS arrives.
 */
export function updateSecretVersionStage(store: SecretsStore): Operation<UpdateStageInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      stage: r.string('VersionStage', { ...VERSION_STAGE, required: true }),
      removeFrom: r.string('RemoveFromVersionId', VERSION_ID),
      moveTo: r.string('MoveToVersionId', VERSION_ID),
    }),
    authorize: (input, ctx) =>
      onSecret(store, ctx, 'UpdateSecretVersionStage', input.secretId, { 'secretsmanager:VersionStage': input.stage }),
    run: (input, ctx) => {
      const secret = requireActiveSecret(store, input.secretId, ctx);
      for (const id of [input.moveTo, input.removeFrom]) {
        if (id !== undefined && !store.version(secret.arn, id)) throw secretsErrors.versionNotFound(id);
      }
      const holder = store.stageHolder(secret.arn, input.stage);
      if (input.removeFrom !== undefined && holder !== input.removeFrom)
        throw secretsErrors.stageNotOnVersion(input.stage, input.removeFrom);
      if (
        input.moveTo !== undefined &&
        holder !== undefined &&
        holder !== input.moveTo &&
        input.removeFrom === undefined
      ) {
        throw secretsErrors.removeFromRequired(input.stage, holder);
      }
      if (input.stage === AWSCURRENT && input.moveTo === undefined) throw secretsErrors.currentMustMove();
      store.moveStage(secret.arn, input.stage, input.removeFrom, input.moveTo, ctx.clock.now().getTime());
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}
