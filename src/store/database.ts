/**
 * The cloud's metadata store: one SQLite file in WAL mode. Each service owns its tables and
 * declares them as numbered migration steps; `migrate` applies the missing ones in a
 * transaction, so a crash mid-upgrade leaves the previous schema intact.
 *
 * Durability: synchronous=NORMAL in WAL mode keeps every committed transaction across a
 * process crash (kill -9); only an OS crash or power loss can lose the last commits.
 *
 * Permissions: the file holds every secret of the cloud. SQLite creates -wal and -shm with the
 * database file's mode, so the file is made 0600 before SQLite opens it; -wal and -shm left
 * wider by an earlier version (they outlive a kill -9) are tightened too.
 */
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { ensurePrivateFile, makePrivateDir, tightenFile } from './private-files.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    makePrivateDir(dirname(file));
    ensurePrivateFile(file);
    for (const companion of [`${file}-wal`, `${file}-shm`]) tightenFile(companion);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
}

/**
 * Applies the steps of `module` that this database has not seen. Step i (0-based) brings the
 * module to version i + 1. Steps are never edited once released; add a new one instead.
 */
export function migrate(db: Db, module: string, steps: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE module = ?').get(module) as
    { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current >= steps.length) return;
  db.transaction(() => {
    for (let i = current; i < steps.length; i++) db.exec(steps[i] as string);
    db.prepare(
      'INSERT INTO schema_versions (module, version) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET version = excluded.version',
    ).run(module, steps.length);
  })();
}
