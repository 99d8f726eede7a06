/**
 * Secrets Manager's tables in the cloud's SQLite database. Times are epoch milliseconds.
 *   sm_secrets    one row per secret (by ARN; names are unique while the row exists, so a name
 *                 scheduled for deletion stays taken until it is purged)
 *   sm_versions   the versions of each secret: a string or a binary value, creation order
 *   sm_stages     staging labels, each on exactly one version of its secret
 */

/** Schema steps; released steps are never edited (see migrate). */
export const SECRETS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE sm_secrets (
     arn TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     description TEXT,
     kms_key_id TEXT,
     created_at INTEGER NOT NULL,
     last_changed_at INTEGER NOT NULL,
     last_accessed_at INTEGER,
     deleted_at INTEGER,
     deletion_date INTEGER,
     tags TEXT NOT NULL,
     policy TEXT
   );
   CREATE INDEX sm_secrets_by_deletion ON sm_secrets (deletion_date) WHERE deletion_date IS NOT NULL;
   CREATE TABLE sm_versions (
     secret_arn TEXT NOT NULL REFERENCES sm_secrets (arn) ON DELETE CASCADE,
     version_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     last_accessed_at INTEGER,
     secret_string TEXT,
     secret_binary BLOB,
     PRIMARY KEY (secret_arn, version_id)
   );
   CREATE TABLE sm_stages (
     secret_arn TEXT NOT NULL,
     stage TEXT NOT NULL,
     version_id TEXT NOT NULL,
     PRIMARY KEY (secret_arn, stage),
     FOREIGN KEY (secret_arn, version_id) REFERENCES sm_versions (secret_arn, version_id) ON DELETE CASCADE
   );`,
];
