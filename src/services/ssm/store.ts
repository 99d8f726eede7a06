/**
 * ParameterStore: parameters, their versions and labels over SQLite. A parameter keeps its
 * last 100 versions: the 101st put drops the oldest, unless a label holds it. A label sits on
 * one version of its parameter; labelling another version moves it there. A version carries
 * at most 10 labels.
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import { ssmErrors } from './errors.js';
import type { Parameter, ParameterType, ParameterVersion, StoredTier, Tag } from './model.js';
import { SSM_MIGRATIONS } from './schema.js';

export interface ParameterStoreOptions {
  accountId: string;
  region: string;
}

export const VERSION_QUOTA = 100;
export const LABELS_PER_VERSION = 10;

/** A version as PutParameter writes it: everything but its number and labels. */
export type NewVersion = Omit<ParameterVersion, 'version' | 'labels'>;

interface VersionRow {
  key: string;
  name: string;
  tags: string;
  version: number;
  type: string;
  value: string;
  ciphertext: string | null;
  key_id: string | null;
  description: string | null;
  allowed_pattern: string | null;
  data_type: string;
  tier: string;
  modified_at: number;
  modified_user: string;
  labels: string;
}

const VERSION_COLUMNS = `p.key, p.name, p.tags, v.version, v.type, v.value, v.ciphertext, v.key_id, v.description, v.allowed_pattern,
  v.data_type, v.tier, v.modified_at, v.modified_user,
  (SELECT json_group_array(l.label) FROM (SELECT label FROM ssm_labels WHERE key = v.key AND version = v.version ORDER BY label) l) AS labels`;

export class ParameterStore {
  readonly accountId: string;
  readonly region: string;

  constructor(
    private readonly db: Db,
    options: ParameterStoreOptions,
  ) {
    this.accountId = options.accountId;
    this.region = options.region;
    migrate(db, 'ssm', SSM_MIGRATIONS);
  }

  /** The parameter stored under `key`, with its latest version. */
  get(key: string): Parameter | undefined {
    const row = this.db
      .prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM ssm_parameters p JOIN ssm_versions v ON v.key = p.key WHERE p.key = ? ORDER BY v.version DESC LIMIT 1`,
      )
      .get(key);
    return row ? parameterFromRow(row) : undefined;
  }

  /** Every parameter with its latest version, by key. */
  list(): Parameter[] {
    return this.db
      .prepare<[], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM ssm_parameters p
         JOIN ssm_versions v ON v.key = p.key AND v.version = (SELECT MAX(version) FROM ssm_versions WHERE key = p.key)
         ORDER BY p.key`,
      )
      .all()
      .map(parameterFromRow);
  }

  /** A parameter's versions, oldest first. */
  versions(key: string): ParameterVersion[] {
    return this.db
      .prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM ssm_parameters p JOIN ssm_versions v ON v.key = p.key WHERE p.key = ? ORDER BY v.version`,
      )
      .all(key)
      .map(versionFromRow);
  }

  /**
   * Stores a new version (creating the parameter with `name` and `tags` when it is new) and
   * returns its number. Past the quota the oldest version goes, unless it is labelled.
   */
  put(key: string, name: string, version: NewVersion, tags: readonly Tag[]): number {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO ssm_parameters (key, name, tags) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING')
        .run(key, name, JSON.stringify(tags));
      const stats = this.db
        .prepare<[string], { latest: number | null; oldest: number | null; n: number }>(
          'SELECT MAX(version) AS latest, MIN(version) AS oldest, COUNT(*) AS n FROM ssm_versions WHERE key = ?',
        )
        .get(key);
      if (stats && stats.oldest !== null && stats.n >= VERSION_QUOTA) {
        const labelled =
          this.db.prepare('SELECT 1 FROM ssm_labels WHERE key = ? AND version = ?').get(key, stats.oldest) !==
          undefined;
        if (labelled) throw ssmErrors.maxVersions(name, stats.oldest);
        this.db.prepare('DELETE FROM ssm_versions WHERE key = ? AND version = ?').run(key, stats.oldest);
      }
      const number = (stats?.latest ?? 0) + 1;
      this.db
        .prepare(
          `INSERT INTO ssm_versions (key, version, type, value, ciphertext, key_id, description, allowed_pattern, data_type, tier, modified_at, modified_user)
           VALUES (@key, @number, @type, @value, @ciphertext, @keyId, @description, @allowedPattern, @dataType, @tier, @modifiedAt, @modifiedUser)`,
        )
        .run({
          key,
          number,
          type: version.type,
          value: version.value,
          ciphertext: version.ciphertext ?? null,
          keyId: version.keyId ?? null,
          description: version.description ?? null,
          allowedPattern: version.allowedPattern ?? null,
          dataType: version.dataType,
          tier: version.tier,
          modifiedAt: version.modifiedAt,
          modifiedUser: version.modifiedUser,
        });
      return number;
    })();
  }

  /** Deletes a parameter with every version; false when there was none. */
  delete(key: string): boolean {
    return this.db.prepare('DELETE FROM ssm_parameters WHERE key = ?').run(key).changes > 0;
  }

  /** Attaches `labels` to `version`, moving any from the parameter's other versions. */
  label(key: string, version: number, labels: readonly string[]): void {
    this.db.transaction(() => {
      const upsert = this.db.prepare(
        'INSERT INTO ssm_labels (key, label, version) VALUES (?, ?, ?) ON CONFLICT (key, label) DO UPDATE SET version = excluded.version',
      );
      for (const label of labels) upsert.run(key, label, version);
      const count =
        this.db
          .prepare<[string, number], { n: number }>(
            'SELECT COUNT(*) AS n FROM ssm_labels WHERE key = ? AND version = ?',
          )
          .get(key, version)?.n ?? 0;
      if (count > LABELS_PER_VERSION) throw ssmErrors.labelLimit();
    })();
  }

  /** Removes `labels` from `version`; returns those it had. */
  unlabel(key: string, version: number, labels: readonly string[]): string[] {
    return this.db.transaction(() => {
      const remove = this.db.prepare('DELETE FROM ssm_labels WHERE key = ? AND version = ? AND label = ?');
      return labels.filter((label) => remove.run(key, version, label).changes > 0);
    })();
  }

  setTags(key: string, tags: readonly Tag[]): void {
    this.db.prepare('UPDATE ssm_parameters SET tags = ? WHERE key = ?').run(JSON.stringify(tags), key);
  }
}

function parameterFromRow(row: VersionRow): Parameter {
  return { key: row.key, name: row.name, tags: JSON.parse(row.tags) as Tag[], latest: versionFromRow(row) };
}

function versionFromRow(r: VersionRow): ParameterVersion {
  const version: ParameterVersion = {
    version: r.version,
    type: r.type as ParameterType,
    value: r.value,
    dataType: r.data_type,
    tier: r.tier as StoredTier,
    modifiedAt: r.modified_at,
    modifiedUser: r.modified_user,
    labels: JSON.parse(r.labels) as string[],
  };
  if (r.ciphertext !== null) version.ciphertext = r.ciphertext;
  if (r.key_id !== null) version.keyId = r.key_id;
  if (r.description !== null) version.description = r.description;
  if (r.allowed_pattern !== null) version.allowedPattern = r.allowed_pattern;
  return version;
}
