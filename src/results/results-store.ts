/**
 * The results service's records: artifacts (per run, name unique in the run) and cache entries
 * (per repository and ref scope; key and version unique in a scope), in the cloud's database.
 * Their bytes are blobs (blob-files.ts) named by `blob_id`; a record is `finalized` once its
 * client said the upload is complete, and only then listed or downloaded.
 */
import { randomBytes } from 'node:crypto';
import { migrate, type Db } from '../store/database.js';

export interface ArtifactRecord {
  id: number;
  repository: string;
  runId: number;
  runBackendId: string;
  jobBackendId: string;
  name: string;
  blobId: string;
  size: number;
  digest: string | null;
  createdAt: number;
  expiresAt: number;
  finalized: boolean;
}

export interface CacheRecord {
  id: number;
  repository: string;
  scope: string;
  key: string;
  version: string;
  blobId: string;
  size: number;
  createdAt: number;
  lastAccessedAt: number;
  finalized: boolean;
}

const MIGRATIONS = [
  `CREATE TABLE results_artifacts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     repository TEXT NOT NULL,
     run_id INTEGER NOT NULL,
     run_backend_id TEXT NOT NULL,
     job_backend_id TEXT NOT NULL,
     name TEXT NOT NULL,
     blob_id TEXT NOT NULL UNIQUE,
     size INTEGER NOT NULL DEFAULT 0,
     digest TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     finalized INTEGER NOT NULL DEFAULT 0,
     UNIQUE (run_backend_id, name)
   );
   CREATE TABLE results_caches (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     repository TEXT NOT NULL,
     scope TEXT NOT NULL,
     key TEXT NOT NULL,
     version TEXT NOT NULL,
     blob_id TEXT NOT NULL UNIQUE,
     size INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     last_accessed_at INTEGER NOT NULL,
     finalized INTEGER NOT NULL DEFAULT 0,
     UNIQUE (repository, scope, key, version)
   );`,
];

interface ArtifactRow {
  id: number;
  repository: string;
  run_id: number;
  run_backend_id: string;
  job_backend_id: string;
  name: string;
  blob_id: string;
  size: number;
  digest: string | null;
  created_at: number;
  expires_at: number;
  finalized: number;
}

interface CacheRow {
  id: number;
  repository: string;
  scope: string;
  key: string;
  version: string;
  blob_id: string;
  size: number;
  created_at: number;
  last_accessed_at: number;
  finalized: number;
}

const artifact = (r: ArtifactRow): ArtifactRecord => ({
  id: r.id,
  repository: r.repository,
  runId: r.run_id,
  runBackendId: r.run_backend_id,
  jobBackendId: r.job_backend_id,
  name: r.name,
  blobId: r.blob_id,
  size: r.size,
  digest: r.digest,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  finalized: r.finalized === 1,
});

const cache = (r: CacheRow): CacheRecord => ({
  id: r.id,
  repository: r.repository,
  scope: r.scope,
  key: r.key,
  version: r.version,
  blobId: r.blob_id,
  size: r.size,
  createdAt: r.created_at,
  lastAccessedAt: r.last_accessed_at,
  finalized: r.finalized === 1,
});

const newBlobId = (kind: 'a' | 'c'): string => `${kind}-${randomBytes(16).toString('hex')}`;

export class ResultsStore {
  constructor(private readonly db: Db) {
    migrate(db, 'results', MIGRATIONS);
  }

  // Artifacts.

  /** The run's artifact called `name` (finalized or not), if any. */
  artifact(runBackendId: string, name: string): ArtifactRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM results_artifacts WHERE run_backend_id = ? AND name = ?')
      .get(runBackendId, name) as ArtifactRow | undefined;
    return row === undefined ? undefined : artifact(row);
  }

  artifactByBlob(blobId: string): ArtifactRecord | undefined {
    const row = this.db.prepare('SELECT * FROM results_artifacts WHERE blob_id = ?').get(blobId) as
      ArtifactRow | undefined;
    return row === undefined ? undefined : artifact(row);
  }

  /** A new pending artifact; the caller has checked that the name is free. */
  createArtifact(fields: Omit<ArtifactRecord, 'id' | 'blobId' | 'size' | 'digest' | 'finalized'>): ArtifactRecord {
    const blobId = newBlobId('a');
    const result = this.db
      .prepare(
        `INSERT INTO results_artifacts (repository, run_id, run_backend_id, job_backend_id, name, blob_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        fields.repository,
        fields.runId,
        fields.runBackendId,
        fields.jobBackendId,
        fields.name,
        blobId,
        fields.createdAt,
        fields.expiresAt,
      );
    return { ...fields, id: Number(result.lastInsertRowid), blobId, size: 0, digest: null, finalized: false };
  }

  finalizeArtifact(id: number, size: number, digest: string | null): void {
    this.db
      .prepare('UPDATE results_artifacts SET finalized = 1, size = ?, digest = ? WHERE id = ?')
      .run(size, digest, id);
  }

  /** The run's finalized artifacts, oldest first. */
  listArtifacts(runBackendId: string): ArtifactRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM results_artifacts WHERE run_backend_id = ? AND finalized = 1 ORDER BY id')
      .all(runBackendId) as ArtifactRow[];
    return rows.map(artifact);
  }

  deleteArtifact(id: number): void {
    this.db.prepare('DELETE FROM results_artifacts WHERE id = ?').run(id);
  }

  /** Artifacts past their expiry (retention-days), and pending ones older than `staleBefore`. */
  expiredArtifacts(now: number, staleBefore: number): ArtifactRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM results_artifacts WHERE expires_at <= ? OR (finalized = 0 AND created_at < ?)')
      .all(now, staleBefore) as ArtifactRow[];
    return rows.map(artifact);
  }

  // Caches.

  cacheEntry(repository: string, scope: string, key: string, version: string): CacheRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM results_caches WHERE repository = ? AND scope = ? AND key = ? AND version = ?')
      .get(repository, scope, key, version) as CacheRow | undefined;
    return row === undefined ? undefined : cache(row);
  }

  cacheByBlob(blobId: string): CacheRecord | undefined {
    const row = this.db.prepare('SELECT * FROM results_caches WHERE blob_id = ?').get(blobId) as CacheRow | undefined;
    return row === undefined ? undefined : cache(row);
  }

  /** Finalized entries of one scope and version whose key starts with `prefix`, newest first. */
  cachesByPrefix(repository: string, scope: string, prefix: string, version: string): CacheRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM results_caches WHERE repository = ? AND scope = ? AND version = ? AND finalized = 1
           AND substr(key, 1, ?) = ? ORDER BY created_at DESC, id DESC`,
      )
      .all(repository, scope, version, prefix.length, prefix) as CacheRow[];
    return rows.map(cache);
  }

  createCacheEntry(repository: string, scope: string, key: string, version: string, now: number): CacheRecord {
    const blobId = newBlobId('c');
    const result = this.db
      .prepare(
        `INSERT INTO results_caches (repository, scope, key, version, blob_id, created_at, last_accessed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(repository, scope, key, version, blobId, now, now);
    return {
      id: Number(result.lastInsertRowid),
      repository,
      scope,
      key,
      version,
      blobId,
      size: 0,
      createdAt: now,
      lastAccessedAt: now,
      finalized: false,
    };
  }

  finalizeCacheEntry(id: number, size: number): void {
    this.db.prepare('UPDATE results_caches SET finalized = 1, size = ? WHERE id = ?').run(size, id);
  }

  touchCacheEntry(id: number, now: number): void {
    this.db.prepare('UPDATE results_caches SET last_accessed_at = ? WHERE id = ?').run(now, id);
  }

  deleteCacheEntry(id: number): void {
    this.db.prepare('DELETE FROM results_caches WHERE id = ?').run(id);
  }

  /** The repository's finalized entries, least recently used first (for eviction over its quota). */
  repositoryCaches(repository: string): CacheRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM results_caches WHERE repository = ? AND finalized = 1 ORDER BY last_accessed_at, id')
      .all(repository) as CacheRow[];
    return rows.map(cache);
  }

  /** Entries unused since `unusedSince`, and pending ones older than `staleBefore`. */
  expiredCaches(unusedSince: number, staleBefore: number): CacheRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM results_caches WHERE last_accessed_at < ? OR (finalized = 0 AND created_at < ?)')
      .all(unusedSince, staleBefore) as CacheRow[];
    return rows.map(cache);
  }
}
