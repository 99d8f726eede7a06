/**
 * Secrets: CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret, RestoreSecret and
 * ListSecrets. A ClientRequestToken becomes the VersionId of the version a call creates; the
 * same token with the same value is a retry and changes nothing (CreateSecret), the same
 * token with another value is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Operation } from '../../../core/operation.js';
import { pageFromOffset } from '../../../core/pagination.js';
import { onAccount, onNewSecret, onSecret } from '../authorization.js';
import { secretsErrors } from '../errors.js';
import { matchesFilters, readFilters, type SecretFilter } from '../filters.js';
import {
  DESCRIPTION,
  KMS_KEY_ID,
  SECRET_NAME,
  checkName,
  mergeTags,
  readSecretId,
  readTags,
  readToken,
  readValue,
} from '../input-rules.js';
import { findSecret, randomSuffix, requireActiveSecret, requireSecret, secretArn } from '../lookups.js';
import { AWSCURRENT, sameValue, type Secret, type SecretValue, type Tag } from '../model.js';
import { describeOutput, listEntry } from '../outputs.js';
import type { SecretsStore } from '../store.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RECOVERY_DAYS = 30;

interface SecretSummary {
  ARN: string;
  Name: string;
  VersionId?: string;
}

interface CreateSecretInput {
  name: string;
  /** Drawn when the request is read, so the ARN IAM sees is the ARN the secret gets. */
  suffix: string;
  token?: string;
  description?: string;
  kmsKeyId?: string;
  value?: SecretValue;
  bothValues: boolean;
  tags?: Tag[];
  replicas: boolean;
  type?: string;
}

export function createSecret(store: SecretsStore): Operation<CreateSecretInput, SecretSummary> {
  return {
    input: (r) => {
      const { value, both } = readValue(r);
      r.boolean('ForceOverwriteReplicaSecret');
      return {
        name: r.string('Name', { ...SECRET_NAME, required: true }),
        suffix: randomSuffix(),
        token: readToken(r),
        description: r.string('Description', DESCRIPTION),
        kmsKeyId: r.string('KmsKeyId', KMS_KEY_ID),
        value,
        bothValues: both,
        tags: readTags(r),
        replicas: r.has('AddReplicaRegions'),
        type: r.string('Type', { min: 0, max: 256 }),
      };
    },
    authorize: (input, ctx) =>
      onNewSecret('CreateSecret', secretArn(ctx, input.name, input.suffix), input.name, input.tags),
    run: (input, ctx) => {
      if (input.bothValues) throw secretsErrors.bothValues();
      if (input.replicas)
        throw secretsErrors.unsupported('replica Regions (AddReplicaRegions): this cloud has one Region');
      if (input.type) throw secretsErrors.unsupported('managed external secrets (Type)');
      checkName(input.name);
      const now = ctx.clock.now().getTime();
      const existing = store.byName(input.name, now);
      if (existing) return retriedCreate(store, existing, input);
      const tags = mergeTags([], input.tags ?? []);
      const arn = secretArn(ctx, input.name, input.suffix);
      const versionId = input.value ? (input.token ?? randomUUID()) : undefined;
      const secret: Secret = { arn, name: input.name, createdAt: now, lastChangedAt: now, tags };
      if (input.description !== undefined) secret.description = input.description;
      if (input.kmsKeyId) secret.kmsKeyId = input.kmsKeyId;
      store.create(secret, input.value && versionId ? { versionId, value: input.value } : undefined, now);
      return { ARN: arn, Name: input.name, VersionId: versionId };
    },
  };
}

/** CreateSecret for a name that is taken: a retry (same token, same value) answers as the first call did. */
function retriedCreate(store: SecretsStore, existing: Secret, input: CreateSecretInput): SecretSummary {
  if (existing.deletedAt !== undefined) throw secretsErrors.nameScheduledForDeletion();
  if (input.token !== undefined && input.value !== undefined) {
    const version = store.version(existing.arn, input.token);
    if (version && sameValue(version.value, input.value))
      return { ARN: existing.arn, Name: existing.name, VersionId: version.versionId };
    if (version) throw secretsErrors.tokenInUse(input.token, existing.arn);
  }
  throw secretsErrors.secretExists(existing.name);
}

export function describeSecret(store: SecretsStore): Operation<{ secretId: string }, Record<string, unknown>> {
  return {
    input: (r) => ({ secretId: readSecretId(r) }),
    authorize: (input, ctx) => onSecret(store, ctx, 'DescribeSecret', input.secretId),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      return describeOutput(secret, store.versions(secret.arn));
    },
  };
}

interface UpdateSecretInput {
  secretId: string;
  token?: string;
  description?: string;
  kmsKeyId?: string;
  value?: SecretValue;
  bothValues: boolean;
  type?: string;
}

/** UpdateSecret: metadata, and a new AWSCURRENT version when a value is given. */
export function updateSecret(store: SecretsStore): Operation<UpdateSecretInput, SecretSummary> {
  return {
    input: (r) => {
      const { value, both } = readValue(r);
      return {
        secretId: readSecretId(r),
        token: readToken(r),
        description: r.string('Description', DESCRIPTION),
        kmsKeyId: r.string('KmsKeyId', KMS_KEY_ID),
        value,
        bothValues: both,
        type: r.string('Type', { min: 0, max: 256 }),
      };
    },
    authorize: (input, ctx) => onSecret(store, ctx, 'UpdateSecret', input.secretId),
    run: (input, ctx) => {
      if (input.bothValues) throw secretsErrors.bothValues();
      if (input.type) throw secretsErrors.unsupported('managed external secrets (Type)');
      const secret = requireActiveSecret(store, input.secretId, ctx);
      const now = ctx.clock.now().getTime();
      let versionId: string | undefined;
      if (input.value) {
        versionId = input.token ?? randomUUID();
        // UpdateSecret refuses any token that names an existing version (its API reference).
        if (store.version(secret.arn, versionId)) throw secretsErrors.tokenInUse(versionId, secret.arn);
        store.addVersion(secret.arn, versionId, input.value, [AWSCURRENT], now);
      }
      store.update(secret.arn, { description: input.description, kmsKeyId: input.kmsKeyId }, now);
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    },
  };
}

interface DeleteSecretInput {
  secretId: string;
  recoveryWindowInDays?: number;
  force: boolean;
}

/**
 * DeleteSecret: schedules the deletion at the end of the recovery window (7 to 30 days, 30 by
 * default), or deletes at once with ForceDeleteWithoutRecovery, which also answers for a
 * secret that does not exist (as AWS documents).
 */
export function deleteSecret(
  store: SecretsStore,
): Operation<DeleteSecretInput, SecretSummary & { DeletionDate: Date }> {
  return {
    input: (r) => ({
      secretId: readSecretId(r),
      recoveryWindowInDays: r.integer('RecoveryWindowInDays'),
      force: r.boolean('ForceDeleteWithoutRecovery') ?? false,
    }),
    authorize: (input, ctx) => {
      const extra: Record<string, string> = { 'secretsmanager:ForceDeleteWithoutRecovery': String(input.force) };
      if (input.recoveryWindowInDays !== undefined)
        extra['secretsmanager:RecoveryWindowInDays'] = String(input.recoveryWindowInDays);
      return onSecret(store, ctx, 'DeleteSecret', input.secretId, extra);
    },
    run: (input, ctx) => {
      const window = input.recoveryWindowInDays;
      if (window !== undefined && input.force) throw secretsErrors.forceWithWindow();
      if (window !== undefined && (window < 7 || window > 30)) throw secretsErrors.recoveryWindow();
      const now = ctx.clock.now();
      const secret = findSecret(store, input.secretId, ctx);
      if (!secret) {
        if (!input.force) throw secretsErrors.secretNotFound();
        const arn = input.secretId.startsWith('arn:') ? input.secretId : secretArn(ctx, input.secretId, randomSuffix());
        return { ARN: arn, Name: input.secretId, DeletionDate: now };
      }
      if (input.force) {
        store.remove(secret.arn);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: now };
      }
      if (secret.deletedAt !== undefined) throw secretsErrors.markedForDeletion();
      const deletionDate = now.getTime() + (window ?? DEFAULT_RECOVERY_DAYS) * DAY_MS;
      store.scheduleDeletion(secret.arn, now.getTime(), deletionDate);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(deletionDate) };
    },
  };
}

/** RestoreSecret: cancels a scheduled deletion (a secret not scheduled is left as it is). */
export function restoreSecret(store: SecretsStore): Operation<{ secretId: string }, SecretSummary> {
  return {
    input: (r) => ({ secretId: readSecretId(r) }),
    authorize: (input, ctx) => onSecret(store, ctx, 'RestoreSecret', input.secretId),
    run: (input, ctx) => {
      const secret = requireSecret(store, input.secretId, ctx);
      if (secret.deletedAt !== undefined) store.restore(secret.arn, ctx.clock.now().getTime());
      return { ARN: secret.arn, Name: secret.name };
    },
  };
}

const SORT_BY = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] as const;

interface ListSecretsInput {
  includePlannedDeletion: boolean;
  maxResults?: number;
  nextToken?: string;
  filters?: SecretFilter[];
  sortOrder?: string;
  sortBy?: (typeof SORT_BY)[number];
}

/**
 * ListSecrets: filtered, sorted (by CreatedDate unless SortBy says otherwise, ascending unless
 * SortOrder is desc; ties by name) and paged. Secrets scheduled for deletion only with
 * IncludePlannedDeletion.
 */
export function listSecrets(store: SecretsStore): Operation<ListSecretsInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      includePlannedDeletion: r.boolean('IncludePlannedDeletion') ?? false,
      maxResults: r.integer('MaxResults', { min: 1, max: 100 }),
      nextToken: r.string('NextToken', { min: 1, max: 4096 }),
      filters: readFilters(r),
      sortOrder: r.string('SortOrder', { oneOf: ['asc', 'desc'] }),
      sortBy: r.string('SortBy', { oneOf: SORT_BY }),
    }),
    authorize: () => onAccount('ListSecrets'),
    run: (input, ctx) => {
      const filters = input.filters ?? [];
      const secrets = store
        .list(ctx.clock.now().getTime())
        .filter((s) => input.includePlannedDeletion || s.deletedAt === undefined)
        .filter((s) => matchesFilters(s, ctx.region, filters))
        .sort(sorter(input.sortBy ?? 'created-date', input.sortOrder === 'desc' ? -1 : 1));
      const page = pageFromOffset(
        secrets,
        { limit: input.maxResults ?? 100, token: input.nextToken },
        secretsErrors.invalidNextToken,
      );
      return { SecretList: page.items.map((s) => listEntry(s, store.versions(s.arn))), NextToken: page.nextToken };
    },
  };
}

function sorter(by: (typeof SORT_BY)[number], direction: 1 | -1): (a: Secret, b: Secret) => number {
  const key = (s: Secret): number | string => {
    switch (by) {
      case 'name':
        return s.name;
      case 'created-date':
        return s.createdAt;
      case 'last-changed-date':
        return s.lastChangedAt;
      case 'last-accessed-date':
        return s.lastAccessedAt ?? 0;
    }
  };
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    return order * direction;
  };
}
