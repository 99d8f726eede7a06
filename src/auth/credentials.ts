/**
 * Access keys and who they belong to: the account's root-equivalent admin key (long-term,
 * AKIA…), temporary session credentials issued by STS (ASIA… with a session token), and IAM
 * users' long-term keys, which IAM owns (UserKeySource) and which are looked up there.
 * SigV4 verification looks keys up here on every request, so lookups are one indexed read.
 * An inactive user key is no key at all to SigV4: AWS answers it as it answers an unknown key.
 * Expired sessions are kept for a while so that their use is answered ExpiredToken (as AWS
 * does) rather than "invalid token", then swept.
 */
import type { Db } from '../store/database.js';
import { migrate } from '../store/database.js';
import type { Caller } from '../core/operation.js';
import { accessKeyId, secretAccessKey } from '../core/ids.js';
import { randomBytes } from 'node:crypto';

export type SessionCaller = Extract<Caller, { kind: 'assumed-role' }>;
export type RootCaller = Extract<Caller, { kind: 'root' }>;
export type UserCaller = Extract<Caller, { kind: 'user' }>;

export interface StoredKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: Date;
  caller: RootCaller | SessionCaller | UserCaller;
}

/** IAM users' access keys, as IAM keeps them (IamStore). */
export interface UserKeySource {
  userSigningKey(
    accessKeyId: string,
  ):
    | {
        secretAccessKey: string;
        active: boolean;
        user: { userName: string; userId: string; arn: string; tags: { key: string; value: string }[] };
      }
    | undefined;
  /** Notes that the key signed a request to `service` in `region` (batched by IAM). */
  recordAccessKeyUse(accessKeyId: string, service: string, region: string): void;
}

/** Issued temporary credentials, as STS returns them. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** How long an expired session still answers ExpiredToken before it is forgotten. */
const EXPIRED_RETENTION_MS = 7 * 24 * 3600 * 1000;

interface Row {
  access_key_id: string;
  secret_access_key: string;
  session_token: string | null;
  expires_at: number | null;
  principal: string;
}

export class CredentialStore {
  private readonly selectKey;
  private readonly insertKey;
  private readonly deleteExpired;

  constructor(
    private readonly db: Db,
    private readonly accountId: string,
    private readonly users?: UserKeySource,
  ) {
    migrate(db, 'credentials', [
      `CREATE TABLE access_keys (
         access_key_id TEXT PRIMARY KEY,
         secret_access_key TEXT NOT NULL,
         session_token TEXT,
         kind TEXT NOT NULL CHECK (kind IN ('root', 'session')),
         principal TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER
       );
       CREATE INDEX access_keys_expiry ON access_keys (expires_at) WHERE expires_at IS NOT NULL;`,
    ]);
    this.selectKey = db.prepare(
      'SELECT access_key_id, secret_access_key, session_token, expires_at, principal FROM access_keys WHERE access_key_id = ?',
    );
    this.insertKey = db.prepare(
      'INSERT INTO access_keys (access_key_id, secret_access_key, session_token, kind, principal, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteExpired = db.prepare('DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at < ?');
  }

  /** The key with this id and who it belongs to; undefined for unknown and inactive keys. */
  lookup(id: string): StoredKey | undefined {
    const row = this.selectKey.get(id) as Row | undefined;
    if (!row) return this.userKey(id);
    const caller = JSON.parse(row.principal, reviveDates) as RootCaller | SessionCaller;
    return {
      accessKeyId: row.access_key_id,
      secretAccessKey: row.secret_access_key,
      ...(row.session_token !== null ? { sessionToken: row.session_token } : {}),
      ...(row.expires_at !== null ? { expiresAt: new Date(row.expires_at) } : {}),
      caller,
    };
  }

  /** Records that a user's key signed a request (root keys and sessions are not tracked). */
  recordUse(caller: Caller, service: string, region: string): void {
    if (caller.kind === 'user') this.users?.recordAccessKeyUse(caller.accessKeyId, service, region);
  }

  private userKey(id: string): StoredKey | undefined {
    const found = this.users?.userSigningKey(id);
    if (!found || !found.active) return undefined;
    const { user } = found;
    const caller: UserCaller = {
      kind: 'user',
      accountId: this.accountId,
      arn: user.arn,
      userId: user.userId,
      userName: user.userName,
      accessKeyId: id,
      tags: Object.fromEntries(user.tags.map((t) => [t.key, t.value])),
    };
    return { accessKeyId: id, secretAccessKey: found.secretAccessKey, caller };
  }

  /** The root key, created on first use. */
  ensureRootKey(accountId: string, now: Date): StoredKey {
    const existing = this.db
      .prepare("SELECT access_key_id FROM access_keys WHERE kind = 'root' ORDER BY created_at LIMIT 1")
      .get() as { access_key_id: string } | undefined;
    if (existing) return this.lookup(existing.access_key_id) as StoredKey;
    const id = accessKeyId('long-term');
    const caller: RootCaller = {
      kind: 'root',
      accountId,
      arn: `arn:aws:iam::${accountId}:root`,
      userId: accountId,
      accessKeyId: id,
    };
    const secret = secretAccessKey();
    this.insertKey.run(id, secret, null, 'root', JSON.stringify(caller), now.getTime(), null);
    return { accessKeyId: id, secretAccessKey: secret, caller };
  }

  /** Issues temporary credentials for a role session; `session` is completed with the new key id. */
  issueSession(session: Omit<SessionCaller, 'accessKeyId'>, now: Date): TemporaryCredentials {
    const id = accessKeyId('temporary');
    const secret = secretAccessKey();
    // AWS session tokens are long opaque base64 strings; the length is not part of any contract.
    const token = `IQoJZG9ja3lhcmQ${randomBytes(192).toString('base64')}`;
    const caller: SessionCaller = { ...session, accessKeyId: id };
    this.insertKey.run(
      id,
      secret,
      token,
      'session',
      JSON.stringify(caller),
      now.getTime(),
      session.expiresAt.getTime(),
    );
    return { accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: session.expiresAt };
  }

  /** Forgets sessions that expired long ago. */
  sweep(now: Date): number {
    return this.deleteExpired.run(now.getTime() - EXPIRED_RETENTION_MS).changes;
  }
}

function reviveDates(key: string, value: unknown): unknown {
  return key === 'expiresAt' && typeof value === 'string' ? new Date(value) : value;
}
