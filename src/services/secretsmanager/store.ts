/**
 * SecretsStore: secrets, their versions and staging labels over SQLite. The label rules live
 * here, in one transaction with the change that triggers them: a label sits on one version of
 * its secret at a time; moving AWSCURRENT moves AWSPREVIOUS to the version it left. Versions
 * without labels are deprecated and pruned beyond 100, never those made in the last 24 hours.
 * A secret past its deletion date is invisible to every read and purged by `purgeDue` (the
 * cloud's housekeeping) or when its name is taken again.
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import { secretsErrors } from './errors.js';
import { AWSCURRENT, AWSPREVIOUS, type Secret, type SecretValue, type SecretVersion, type Tag } from './model.js';
import { SECRETS_MIGRATIONS } from './schema.js';

export interface SecretsStoreOptions {
  accountId: string;
  region: string;
}

/** Versions a secret keeps once deprecated ones are pruned, and the labels it may carry. */
export const VERSION_QUOTA = 100;
export const STAGE_QUOTA = 20;
const DAY_MS = 24 * 60 * 60 * 1000;

interface SecretRow {
  arn: string;
  name: string;
  description: string | null;
  kms_key_id: string | null;
  created_at: number;
  last_changed_at: number;
  last_accessed_at: number | null;
  deleted_at: number | null;
  deletion_date: number | null;
  tags: string;
  policy: string | null;
}

interface VersionRow {
  version_id: string;
  created_at: number;
  last_accessed_at: number | null;
  secret_string: string | null;
  secret_binary: Buffer | null;
  stages: string | null;
}

/** Only rows still alive at @now: a secret past its deletion date is gone. */
const ALIVE = '(deletion_date IS NULL OR deletion_date > @now)';

export class SecretsStore {
  readonly accountId: string;
  readonly region: string;

  constructor(
    private readonly db: Db,
    options: SecretsStoreOptions,
  ) {
    this.accountId = options.accountId;
    this.region = options.region;
    migrate(db, 'secretsmanager', SECRETS_MIGRATIONS);
  }

  // --- Secrets -------------------------------------------------------------------------

  byName(name: string, now: number): Secret | undefined {
    const row = this.db
      .prepare<{ name: string; now: number }, SecretRow>(`SELECT * FROM sm_secrets WHERE name = @name AND ${ALIVE}`)
      .get({ name, now });
    return row ? secretFromRow(row) : undefined;
  }

  byArn(arn: string, now: number): Secret | undefined {
    const row = this.db
      .prepare<{ arn: string; now: number }, SecretRow>(`SELECT * FROM sm_secrets WHERE arn = @arn AND ${ALIVE}`)
      .get({ arn, now });
    return row ? secretFromRow(row) : undefined;
  }

  /** Every secret alive at `now`, scheduled ones included, by name. */
  list(now: number): Secret[] {
    return this.db
      .prepare<{ now: number }, SecretRow>(`SELECT * FROM sm_secrets WHERE ${ALIVE} ORDER BY name`)
      .all({ now })
      .map(secretFromRow);
  }

  /** Stores a new secret and, when given, its first version (AWSCURRENT). The name must be free. */
  create(secret: Secret, first: { versionId: string; value: SecretValue } | undefined, now: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM sm_secrets WHERE name = ? AND deletion_date IS NOT NULL AND deletion_date <= ?')
        .run(secret.name, now);
      this.db
        .prepare(
          `INSERT INTO sm_secrets (arn, name, description, kms_key_id, created_at, last_changed_at, tags)
           VALUES (@arn, @name, @description, @kms, @created, @created, @tags)`,
        )
        .run({
          arn: secret.arn,
          name: secret.name,
          description: secret.description ?? null,
          kms: secret.kmsKeyId ?? null,
          created: secret.createdAt,
          tags: JSON.stringify(secret.tags),
        });
      if (first) this.insertVersion(secret.arn, first.versionId, first.value, [AWSCURRENT], now);
    })();
  }

  /** Deletes every secret whose recovery window has ended; returns how many. */
  purgeDue(now: number): number {
    return this.db.prepare('DELETE FROM sm_secrets WHERE deletion_date IS NOT NULL AND deletion_date <= ?').run(now)
      .changes;
  }

  /** Changes what is given; an empty KMS key id goes back to the default key (none stored). */
  update(arn: string, changes: { description?: string; kmsKeyId?: string }, now: number): void {
    this.db
      .prepare(
        `UPDATE sm_secrets SET
           description = CASE WHEN @setDescription THEN @description ELSE description END,
           kms_key_id = CASE WHEN @setKms THEN NULLIF(@kms, '') ELSE kms_key_id END,
           last_changed_at = @now
         WHERE arn = @arn`,
      )
      .run({
        arn,
        setDescription: changes.description === undefined ? 0 : 1,
        description: changes.description ?? null,
        setKms: changes.kmsKeyId === undefined ? 0 : 1,
        kms: changes.kmsKeyId ?? null,
        now,
      });
  }

  setTags(arn: string, tags: readonly Tag[], now: number): void {
    this.db
      .prepare('UPDATE sm_secrets SET tags = ?, last_changed_at = ? WHERE arn = ?')
      .run(JSON.stringify(tags), now, arn);
  }

  setPolicy(arn: string, policy: string | undefined, now: number): void {
    this.db
      .prepare('UPDATE sm_secrets SET policy = ?, last_changed_at = ? WHERE arn = ?')
      .run(policy ?? null, now, arn);
  }

  scheduleDeletion(arn: string, deletedAt: number, deletionDate: number): void {
    this.db
      .prepare('UPDATE sm_secrets SET deleted_at = ?, deletion_date = ?, last_changed_at = ? WHERE arn = ?')
      .run(deletedAt, deletionDate, deletedAt, arn);
  }

  restore(arn: string, now: number): void {
    this.db
      .prepare('UPDATE sm_secrets SET deleted_at = NULL, deletion_date = NULL, last_changed_at = ? WHERE arn = ?')
      .run(now, arn);
  }

  remove(arn: string): void {
    this.db.prepare('DELETE FROM sm_secrets WHERE arn = ?').run(arn);
  }

  /** Records a read of a version's value, at the day's resolution AWS reports (one write a day at most). */
  recordAccess(arn: string, versionId: string, day: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE sm_secrets SET last_accessed_at = @day WHERE arn = @arn AND (last_accessed_at IS NULL OR last_accessed_at < @day)',
        )
        .run({ arn, day });
      this.db
        .prepare(
          'UPDATE sm_versions SET last_accessed_at = @day WHERE secret_arn = @arn AND version_id = @versionId AND (last_accessed_at IS NULL OR last_accessed_at < @day)',
        )
        .run({ arn, versionId, day });
    })();
  }

  // --- Versions and staging labels -----------------------------------------------------

  /** A secret's versions, oldest first, with their labels. */
  versions(arn: string): SecretVersion[] {
    return this.db
      .prepare<[string], VersionRow>(
        `SELECT v.version_id, v.created_at, v.last_accessed_at, v.secret_string, v.secret_binary,
                (SELECT json_group_array(s.stage) FROM (SELECT stage FROM sm_stages WHERE secret_arn = v.secret_arn AND version_id = v.version_id ORDER BY stage) s) AS stages
         FROM sm_versions v WHERE v.secret_arn = ? ORDER BY v.seq`,
      )
      .all(arn)
      .map(versionFromRow);
  }

  version(arn: string, versionId: string): SecretVersion | undefined {
    return this.versions(arn).find((v) => v.versionId === versionId);
  }

  /** The version a label is attached to, if any. */
  stageHolder(arn: string, stage: string): string | undefined {
    return this.db
      .prepare<[string, string], { version_id: string }>(
        'SELECT version_id FROM sm_stages WHERE secret_arn = ? AND stage = ?',
      )
      .get(arn, stage)?.version_id;
  }

  /**
   * Adds a version carrying `stages` (moved from wherever they were; the secret's first
   * version always gets AWSCURRENT) and prunes deprecated versions beyond the quota.
   */
  addVersion(arn: string, versionId: string, value: SecretValue, stages: readonly string[], now: number): void {
    this.db.transaction(() => {
      const first = this.db.prepare('SELECT 1 FROM sm_versions WHERE secret_arn = ?').get(arn) === undefined;
      this.insertVersion(
        arn,
        versionId,
        value,
        first && !stages.includes(AWSCURRENT) ? [...stages, AWSCURRENT] : stages,
        now,
      );
      this.db.prepare('UPDATE sm_secrets SET last_changed_at = ? WHERE arn = ?').run(now, arn);
      this.prune(arn, now);
    })();
  }

  /**
   * UpdateSecretVersionStage's move, checked by the caller: the label leaves `from` (when
   * given) and lands on `to` (when given).
   */
  moveStage(arn: string, stage: string, from: string | undefined, to: string | undefined, now: number): void {
    this.db.transaction(() => {
      if (from !== undefined)
        this.db
          .prepare('DELETE FROM sm_stages WHERE secret_arn = ? AND stage = ? AND version_id = ?')
          .run(arn, stage, from);
      if (to !== undefined) this.attach(arn, stage, to, from);
      this.db.prepare('UPDATE sm_secrets SET last_changed_at = ? WHERE arn = ?').run(now, arn);
      this.checkStageQuota(arn);
    })();
  }

  private insertVersion(
    arn: string,
    versionId: string,
    value: SecretValue,
    stages: readonly string[],
    now: number,
  ): void {
    const seq =
      this.db
        .prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM sm_versions WHERE secret_arn = ?')
        .get(arn)?.seq ?? 0;
    this.db
      .prepare(
        'INSERT INTO sm_versions (secret_arn, version_id, seq, created_at, secret_string, secret_binary) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        arn,
        versionId,
        seq + 1,
        now,
        value.kind === 'string' ? value.text : null,
        value.kind === 'binary' ? value.bytes : null,
      );
    for (const stage of stages) this.attach(arn, stage, versionId, this.stageHolder(arn, stage));
    this.checkStageQuota(arn);
  }

  /** Puts `stage` on `versionId`; AWSCURRENT leaving `previous` leaves AWSPREVIOUS behind it. */
  private attach(arn: string, stage: string, versionId: string, previous: string | undefined): void {
    if (stage === AWSCURRENT && previous !== undefined && previous !== versionId) {
      this.db
        .prepare(
          'INSERT INTO sm_stages (secret_arn, stage, version_id) VALUES (?, ?, ?) ON CONFLICT (secret_arn, stage) DO UPDATE SET version_id = excluded.version_id',
        )
        .run(arn, AWSPREVIOUS, previous);
    }
    this.db
      .prepare(
        'INSERT INTO sm_stages (secret_arn, stage, version_id) VALUES (?, ?, ?) ON CONFLICT (secret_arn, stage) DO UPDATE SET version_id = excluded.version_id',
      )
      .run(arn, stage, versionId);
    if (stage === AWSCURRENT)
      this.db
        .prepare('DELETE FROM sm_stages WHERE secret_arn = ? AND stage = ? AND version_id = ?')
        .run(arn, AWSPREVIOUS, versionId);
  }

  private checkStageQuota(arn: string): void {
    const count =
      this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM sm_stages WHERE secret_arn = ?').get(arn)
        ?.n ?? 0;
    if (count > STAGE_QUOTA) throw secretsErrors.tooManyStages();
  }

  /** Deletes the oldest deprecated versions older than a day while there are more than the quota. */
  private prune(arn: string, now: number): void {
    const count = () =>
      this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM sm_versions WHERE secret_arn = ?').get(arn)
        ?.n ?? 0;
    const excess = count() - VERSION_QUOTA;
    if (excess <= 0) return;
    this.db
      .prepare(
        `DELETE FROM sm_versions WHERE rowid IN (
           SELECT v.rowid FROM sm_versions v
           WHERE v.secret_arn = @arn AND v.created_at <= @cutoff
             AND NOT EXISTS (SELECT 1 FROM sm_stages s WHERE s.secret_arn = v.secret_arn AND s.version_id = v.version_id)
           ORDER BY v.seq LIMIT @excess)`,
      )
      .run({ arn, cutoff: now - DAY_MS, excess });
    if (count() > VERSION_QUOTA) throw secretsErrors.tooManyVersions();
  }
}

function secretFromRow(r: SecretRow): Secret {
  const secret: Secret = {
    arn: r.arn,
    name: r.name,
    createdAt: r.created_at,
    lastChangedAt: r.last_changed_at,
    tags: JSON.parse(r.tags) as Tag[],
  };
  if (r.description !== null) secret.description = r.description;
  if (r.kms_key_id !== null) secret.kmsKeyId = r.kms_key_id;
  if (r.last_accessed_at !== null) secret.lastAccessedAt = r.last_accessed_at;
  if (r.deleted_at !== null) secret.deletedAt = r.deleted_at;
  if (r.deletion_date !== null) secret.deletionDate = r.deletion_date;
  if (r.policy !== null) secret.policy = r.policy;
  return secret;
}

function versionFromRow(r: VersionRow): SecretVersion {
  const value: SecretValue =
    r.secret_binary !== null
      ? { kind: 'binary', bytes: r.secret_binary }
      : { kind: 'string', text: r.secret_string ?? '' };
  const version: SecretVersion = {
    versionId: r.version_id,
    createdAt: r.created_at,
    stages: JSON.parse(r.stages ?? '[]') as string[],
    value,
  };
  if (r.last_accessed_at !== null) version.lastAccessedAt = r.last_accessed_at;
  return version;
}
