/**
 * Parameter Store's tables in the cloud's SQLite database. Times are epoch milliseconds.
 *   ssm_parameters  one row per parameter, by key (parameterKey): its name as first put, tags
 *   ssm_versions    every version kept (at most 100), with the attributes that version was put with
 *   ssm_labels      labels, each on one version of its parameter
 */

/** Schema steps; released steps are never edited (see migrate). */
export const SSM_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ssm_parameters (
     key TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     tags TEXT NOT NULL
   );
   CREATE TABLE ssm_versions (
     key TEXT NOT NULL REFERENCES ssm_parameters (key) ON DELETE CASCADE,
     version INTEGER NOT NULL,
     type TEXT NOT NULL,
     value TEXT NOT NULL,
     ciphertext TEXT,
     key_id TEXT,
     description TEXT,
     allowed_pattern TEXT,
     data_type TEXT NOT NULL,
     tier TEXT NOT NULL,
     modified_at INTEGER NOT NULL,
     modified_user TEXT NOT NULL,
     PRIMARY KEY (key, version)
   );
   CREATE TABLE ssm_labels (
     key TEXT NOT NULL,
     label TEXT NOT NULL,
     version INTEGER NOT NULL,
     PRIMARY KEY (key, label),
     FOREIGN KEY (key, version) REFERENCES ssm_versions (key, version) ON DELETE CASCADE
   );`,
];
