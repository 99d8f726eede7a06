/**
 * ECR's tables in the cloud's SQLite database. Times are epoch milliseconds. Everything a
 * repository holds cascades from its row, so DeleteRepository (force) is one DELETE.
 *   ecr_repositories   one row per repository, with its settings and policies
 *   ecr_manifests      the exact bytes of every pushed manifest, per repository and digest
 *   ecr_tags           tag → digest, per repository
 *   ecr_references     what each manifest references: blobs (config, layers) and child manifests
 *   ecr_blob_links     the blobs pushed or mounted into a repository (OCI: pullable from it)
 */
import type { ResourceCount } from '../../store/database.js';

/** Schema steps; released steps are never edited (see migrate). */
export const ECR_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ecr_repositories (
     name TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     tag_mutability TEXT NOT NULL,
     exclusion_filters TEXT,
     scan_on_push INTEGER NOT NULL,
     encryption_type TEXT NOT NULL,
     kms_key TEXT,
     tags TEXT NOT NULL,
     policy_text TEXT,
     lifecycle_policy TEXT,
     lifecycle_evaluated_at INTEGER,
     lifecycle_preview TEXT
   );
   CREATE TABLE ecr_manifests (
     repository TEXT NOT NULL REFERENCES ecr_repositories (name) ON DELETE CASCADE,
     digest TEXT NOT NULL,
     media_type TEXT NOT NULL,
     artifact_type TEXT,
     subject TEXT,
     content BLOB NOT NULL,
     size INTEGER NOT NULL,
     pushed_at INTEGER NOT NULL,
     last_pulled_at INTEGER,
     PRIMARY KEY (repository, digest)
   );
   CREATE INDEX ecr_manifests_by_subject ON ecr_manifests (repository, subject) WHERE subject IS NOT NULL;
   CREATE TABLE ecr_tags (
     repository TEXT NOT NULL,
     tag TEXT NOT NULL,
     digest TEXT NOT NULL,
     PRIMARY KEY (repository, tag),
     FOREIGN KEY (repository, digest) REFERENCES ecr_manifests (repository, digest) ON DELETE CASCADE
   );
   CREATE INDEX ecr_tags_by_digest ON ecr_tags (repository, digest);
   CREATE TABLE ecr_references (
     repository TEXT NOT NULL,
     digest TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')),
     target TEXT NOT NULL,
     PRIMARY KEY (repository, digest, kind, target),
     FOREIGN KEY (repository, digest) REFERENCES ecr_manifests (repository, digest) ON DELETE CASCADE
   );
   CREATE INDEX ecr_references_by_target ON ecr_references (target, kind);
   CREATE TABLE ecr_blob_links (
     repository TEXT NOT NULL REFERENCES ecr_repositories (name) ON DELETE CASCADE,
     digest TEXT NOT NULL,
     PRIMARY KEY (repository, digest)
   );`,
];

/** What fixes the account id in a region's ECR (cloud/account-id.ts). */
export const ECR_RESOURCES: readonly ResourceCount[] = [
  { what: 'ECR repository', sql: 'SELECT COUNT(*) AS n FROM ecr_repositories' },
];
