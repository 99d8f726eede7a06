/**
 * Secrets in Secrets Manager's wire shapes: DescribeSecret's document and ListSecrets'
 * entries. Members without a value are left out, as Secrets Manager leaves them out. Dates go
 * out as Dates (epoch seconds on the wire).
 */
import type { Secret, SecretVersion, Tag } from './model.js';

export interface TagOutput {
  Key: string;
  Value: string;
}

export function tagsOutput(tags: readonly Tag[]): TagOutput[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}

/** Version id → its labels, for the versions that have any (deprecated ones are left out). */
export function versionsToStages(versions: readonly SecretVersion[]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const version of versions) if (version.stages.length > 0) map[version.versionId] = version.stages;
  return map;
}

/** The members DescribeSecret and ListSecrets share. */
function common(secret: Secret): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    LastChangedDate: new Date(secret.lastChangedAt),
    LastAccessedDate: secret.lastAccessedAt === undefined ? undefined : new Date(secret.lastAccessedAt),
    DeletedDate: secret.deletedAt === undefined ? undefined : new Date(secret.deletedAt),
    Tags: secret.tags.length > 0 ? tagsOutput(secret.tags) : undefined,
    CreatedDate: new Date(secret.createdAt),
  };
}

export function describeOutput(secret: Secret, versions: readonly SecretVersion[]): Record<string, unknown> {
  return { ...common(secret), VersionIdsToStages: versionsToStages(versions) };
}

export function listEntry(secret: Secret, versions: readonly SecretVersion[]): Record<string, unknown> {
  return { ...common(secret), SecretVersionsToStages: versionsToStages(versions) };
}
