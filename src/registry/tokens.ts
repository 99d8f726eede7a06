/**
 * The registry's passwords: what ECR's GetAuthorizationToken hands out (as base64 of
 * `AWS:<password>`) and what `docker login` then sends on every registry request as Basic
 * auth. A password stands for the caller that obtained it, for 12 hours (ECR's validity),
 * and is stored only as its sha256: it is 32 random bytes, so a fast hash is enough, and a
 * leaked database grants nothing. Expired passwords are kept for a day so that their use is
 * answered "expired" rather than "unknown", then swept.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../core/operation.js';
import { migrate, type Db } from '../store/database.js';

/** ECR authorization tokens are valid for 12 hours. */
export const TOKEN_VALIDITY_MS = 12 * 3600 * 1000;
const EXPIRED_RETENTION_MS = 24 * 3600 * 1000;

/** Issues and checks registry passwords. */
export class RegistryTokenStore {
  private readonly insert;
  private readonly select;
  private readonly deleteOld;

  constructor(db: Db) {
    migrate(db, 'registry', [
      `CREATE TABLE registry_tokens (
         password_hash TEXT PRIMARY KEY,
         principal TEXT NOT NULL,
         issued_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL
       );
       CREATE INDEX registry_tokens_expiry ON registry_tokens (expires_at);`,
    ]);
    this.insert = db.prepare(
      'INSERT INTO registry_tokens (password_hash, principal, issued_at, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.select = db.prepare('SELECT principal, expires_at FROM registry_tokens WHERE password_hash = ?');
    this.deleteOld = db.prepare('DELETE FROM registry_tokens WHERE expires_at < ?');
  }

  /** A new password for `caller`, valid for 12 hours from `now`. */
  issue(caller: Caller, now: Date): { password: string; expiresAt: Date } {
    this.deleteOld.run(now.getTime() - EXPIRED_RETENTION_MS);
    const password = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + TOKEN_VALIDITY_MS);
    this.insert.run(hashPassword(password), JSON.stringify(caller), now.getTime(), expiresAt.getTime());
    return { password, expiresAt };
  }

  /** The caller a password stands for; `{ expired: true }` once past its expiry; undefined if unknown. */
  verify(password: string, now: Date): { caller: Caller } | { expired: true } | undefined {
    if (password.length === 0 || password.length > 1024) return undefined;
    const row = this.select.get(hashPassword(password)) as { principal: string; expires_at: number } | undefined;
    if (!row) return undefined;
    if (now.getTime() >= row.expires_at) return { expired: true };
    return { caller: JSON.parse(row.principal, reviveDates) as Caller };
  }
}

function hashPassword(password: string): string {
  return createHash('sha256').update(password).digest('hex');
}

function reviveDates(key: string, value: unknown): unknown {
  return key === 'expiresAt' && typeof value === 'string' ? new Date(value) : value;
}
