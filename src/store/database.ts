/**
 * The cloud's metadata store: one SQLite file in WAL mode. Each service owns its tables and
 * declares them as numbered migration steps; `migrate` applies the missing ones in a
 * transaction, so a crash mid-upgrade leaves the previous schema intact.
 *
 * Durability: synchronous=NORMAL in WAL mode keeps every committed transaction across a
 * process crash (kill -9); only an OS crash or power loss can lose the last commits.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
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
  const row = db.prepare('SELECT version FROM schema_versions WHERE module = ?').get(module) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current >= steps.length) return;
  db.transaction(() => {
    for (let i = current; i < steps.length; i++) db.exec(steps[i] as string);
    db.prepare('INSERT INTO schema_versions (module, version) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET version = excluded.version').run(module, steps.length);
  })();
}
