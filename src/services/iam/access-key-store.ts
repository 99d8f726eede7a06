/**
 * Users' long-term access keys (AKIA…, 40-character secrets) and when each was last used.
 *
 * A key belongs to its user's unique id: deleting the user deletes its keys (the foreign key
 * cascades), so a user created again under the same name never inherits them. SigV4 looks a
 * key up on every request, with its user, in one indexed read (signingKey).
 *
 * Last use is recorded in memory on every authenticated request and written at most once a
 * minute (and when the cloud stops), in one transaction for every key used since: a busy key
 * costs no write per request. Reads merge what is not written yet. AWS itself says last-used
 * information may lag by hours; a crash here loses at most the last minute of it.
 */
import type { Db } from '../../store/database.js';
import { accessKeyId, secretAccessKey } from '../../core/ids.js';
import type { AccessKey, AccessKeyStatus, AccessKeyUse, Tag, User } from './model.js';

interface KeyRow {
  access_key_id: string;
  user_id: string;
  secret_access_key: string;
  status: AccessKeyStatus;
  create_date: number;
}

interface SigningRow extends KeyRow {
  user_name: string;
  path: string;
  arn: string;
  permissions_boundary: string | null;
  tags: string;
  user_create_date: number;
}

const KEY_COLUMNS = 'access_key_id, user_id, secret_access_key, status, create_date';
/** Recorded uses are written at most this often. */
const FLUSH_INTERVAL_MS = 60_000;

export class AccessKeyStore {
  private readonly byId;
  private readonly byUser;
  private readonly insert;
  private readonly setStatusStmt;
  private readonly remove;
  private readonly signing;
  private readonly usedById;
  private readonly writeUse;
  private readonly pending = new Map<string, AccessKeyUse>();
  private lastFlush = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.byId = db.prepare<[string], KeyRow>(`SELECT ${KEY_COLUMNS} FROM iam_access_keys WHERE access_key_id = ?`);
    this.byUser = db.prepare<[string], KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM iam_access_keys WHERE user_id = ? ORDER BY create_date, rowid`,
    );
    this.insert = db.prepare(
      `INSERT INTO iam_access_keys (${KEY_COLUMNS}) VALUES (@access_key_id, @user_id, @secret_access_key, @status, @create_date)`,
    );
    this.setStatusStmt = db.prepare<[AccessKeyStatus, string]>(
      'UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_access_keys WHERE access_key_id = ?');
    this.signing = db.prepare<[string], SigningRow>(
      `SELECT ${KEY_COLUMNS.split(', ')
        .map((c) => `k.${c}`)
        .join(', ')}, u.user_name, u.path, u.arn, u.permissions_boundary, u.tags, u.create_date AS user_create_date ` +
        'FROM iam_access_keys k JOIN iam_users u ON u.user_id = k.user_id WHERE k.access_key_id = ?',
    );
    this.usedById = db.prepare<
      [string],
      { last_used_date: number | null; last_used_service: string | null; last_used_region: string | null }
    >('SELECT last_used_date, last_used_service, last_used_region FROM iam_access_keys WHERE access_key_id = ?');
    this.writeUse = db.prepare<[number, string, string, string, number]>(
      'UPDATE iam_access_keys SET last_used_date = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ? AND (last_used_date IS NULL OR last_used_date <= ?)',
    );
  }

  get(id: string): AccessKey | undefined {
    const row = this.byId.get(id);
    return row ? toKey(row) : undefined;
  }

  /** The user's keys, oldest first. */
  ofUser(userId: string): AccessKey[] {
    return this.byUser.all(userId).map(toKey);
  }

  /** A new active key for the user. */
  create(userId: string): AccessKey {
    const key: AccessKey = {
      accessKeyId: accessKeyId('long-term'),
      userId,
      secretAccessKey: secretAccessKey(),
      status: 'Active',
      createDate: this.now(),
    };
    this.insert.run({
      access_key_id: key.accessKeyId,
      user_id: userId,
      secret_access_key: key.secretAccessKey,
      status: key.status,
      create_date: key.createDate.getTime(),
    });
    return key;
  }

  setStatus(key: AccessKey, status: AccessKeyStatus): void {
    this.setStatusStmt.run(status, key.accessKeyId);
  }

  delete(key: AccessKey): void {
    this.remove.run(key.accessKeyId);
    this.pending.delete(key.accessKeyId);
  }

  /** The key with its user, for SigV4 (whatever its status: the caller decides). */
  signingKey(id: string): { key: AccessKey; user: User } | undefined {
    const row = this.signing.get(id);
    if (!row) return undefined;
    const user: User = {
      userName: row.user_name,
      userId: row.user_id,
      arn: row.arn,
      path: row.path,
      createDate: new Date(row.user_create_date),
      tags: JSON.parse(row.tags) as Tag[],
    };
    if (row.permissions_boundary !== null) user.permissionsBoundary = row.permissions_boundary;
    return { key: toKey(row), user };
  }

  /** Notes a use of the key; written with the next flush (at most a minute later). */
  recordUse(id: string, use: AccessKeyUse): void {
    const known = this.pending.get(id);
    if (!known || known.date.getTime() <= use.date.getTime()) this.pending.set(id, use);
    if (use.date.getTime() - this.lastFlush >= FLUSH_INTERVAL_MS) this.flush(use.date);
  }

  /** The key's last use, including uses not written yet; undefined when it was never used. */
  lastUse(id: string): AccessKeyUse | undefined {
    const pending = this.pending.get(id);
    if (pending) return pending;
    const row = this.usedById.get(id);
    if (!row || row.last_used_date === null) return undefined;
    return {
      date: new Date(row.last_used_date),
      service: row.last_used_service ?? 'N/A',
      region: row.last_used_region ?? 'N/A',
    };
  }

  /** Writes every recorded use in one transaction. */
  flush(now: Date = this.now()): void {
    this.lastFlush = now.getTime();
    if (this.pending.size === 0) return;
    const uses = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [id, use] of uses)
        this.writeUse.run(use.date.getTime(), use.service, use.region, id, use.date.getTime());
    })();
  }
}

function toKey(row: KeyRow): AccessKey {
  return {
    accessKeyId: row.access_key_id,
    userId: row.user_id,
    secretAccessKey: row.secret_access_key,
    status: row.status,
    createDate: new Date(row.create_date),
  };
}
