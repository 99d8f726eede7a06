/**
 * The last AssumeRoleWithWebIdentity decisions STS made, admitted and refused: when, which role,
 * the token's claims (verified, or as the token claimed them when it did not verify), what STS
 * answered and which trust-policy statement and conditions decided. Never the token itself.
 * A bounded table (the newest MAX_DECISIONS rows), so it survives restarts and cannot grow,
 * written in batches off STS's path; in-process subscribers (the console's trust view) hear of
 * each new decision at once.
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import type { TrustVerdict } from '../../trust/verdict.js';

/** How many decisions are kept. */
export const MAX_DECISIONS = 200;
/** Decisions written in one transaction at most, and how long one waits for its batch. */
const FLUSH_EVERY = 100;
const FLUSH_AFTER_MS = 5000;
/** Claims kept per decision, and the length of each value (a token is user input). */
const MAX_CLAIMS = 40;
const MAX_CLAIM_LENGTH = 512;

const MIGRATIONS = [
  `CREATE TABLE sts_web_identity_decisions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     role_arn TEXT NOT NULL,
     admitted INTEGER NOT NULL,
     doc TEXT NOT NULL
   );`,
];

/** Why a decision went the way it did. */
export type DecisionReason =
  /** The token was refused before the trust policy (provider, audience, signature, time). */
  | { kind: 'token'; problem: string }
  /** No such role. */
  | { kind: 'role'; problem: string }
  /** The trust policy decided. */
  | { kind: 'trust'; verdict: TrustVerdict }
  /** The trust policy admitted it, but the request was refused (duration, session policy). */
  | { kind: 'request'; verdict: TrustVerdict; problem: string };

export interface WebIdentityDecision {
  id: number;
  at: Date;
  roleArn: string;
  roleSessionName: string;
  admitted: boolean;
  /** What STS answered, when it refused. */
  error?: { code: string; message: string };
  /** Whether the claims are the verified token's (false: as an unverifiable token claimed them). */
  verified: boolean;
  claims: Record<string, string | number | boolean>;
  reason: DecisionReason;
}

export type NewDecision = Omit<WebIdentityDecision, 'id' | 'claims'> & { claims: Record<string, unknown> };

export class WebIdentityDecisions {
  private readonly listeners = new Set<(decision: WebIdentityDecision) => void>();
  /**
   * Decisions not written yet. STS records one per AssumeRoleWithWebIdentity, on its hot path:
   * they are written in batches (at a read, every FLUSH_EVERY of them or FLUSH_AFTER_MS, and at
   * close), so a call pays no SQLite commit of its own. A crash loses the unwritten ones.
   */
  private pending: { decision: WebIdentityDecision; doc: string }[] = [];
  private nextId: number;
  private readonly write: (rows: readonly { decision: WebIdentityDecision; doc: string }[]) => void;

  constructor(private readonly db: Db) {
    migrate(db, 'sts-decisions', MIGRATIONS);
    const last = db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM sts_web_identity_decisions').get();
    this.nextId = (last?.id ?? 0) + 1;
    const insert = db.prepare<[number, number, string, number, string]>(
      'INSERT INTO sts_web_identity_decisions (id, at, role_arn, admitted, doc) VALUES (?, ?, ?, ?, ?)',
    );
    const trim = db.prepare<[number]>('DELETE FROM sts_web_identity_decisions WHERE id <= ?');
    this.write = db.transaction((rows: readonly { decision: WebIdentityDecision; doc: string }[]) => {
      for (const { decision, doc } of rows)
        insert.run(decision.id, decision.at.getTime(), decision.roleArn, decision.admitted ? 1 : 0, doc);
      const newest = rows.at(-1)?.decision.id;
      if (newest !== undefined) trim.run(newest - MAX_DECISIONS);
    });
  }

  /** Keeps a decision (and forgets the oldest beyond MAX_DECISIONS). */
  record(decision: NewDecision): WebIdentityDecision {
    const { at, ...rest } = decision;
    const doc = { ...rest, claims: boundedClaims(decision.claims) };
    const stored: WebIdentityDecision = { id: this.nextId++, at, ...doc };
    this.pending.push({ decision: stored, doc: JSON.stringify(doc) });
    const oldest = this.pending[0]?.decision.at.getTime() ?? at.getTime();
    if (this.pending.length >= FLUSH_EVERY || at.getTime() - oldest >= FLUSH_AFTER_MS) this.flush();
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch {
        // A subscriber's failure is its own; STS's answer does not depend on it.
      }
    }
    return stored;
  }

  /** Writes the decisions not written yet (reads do it first; the cloud at close). */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.write(rows);
  }

  /** The newest decisions first; with `roleArn` that role's only. */
  list(options: { limit?: number; roleArn?: string } = {}): WebIdentityDecision[] {
    this.flush();
    const limit = Math.min(options.limit ?? MAX_DECISIONS, MAX_DECISIONS);
    const rows = (
      options.roleArn === undefined
        ? this.db.prepare('SELECT id, at, doc FROM sts_web_identity_decisions ORDER BY id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT id, at, doc FROM sts_web_identity_decisions WHERE role_arn = ? ORDER BY id DESC LIMIT ?')
            .all(options.roleArn, limit)
    ) as { id: number; at: number; doc: string }[];
    return rows.map((row) => ({
      ...(JSON.parse(row.doc) as Omit<WebIdentityDecision, 'id' | 'at'>),
      id: row.id,
      at: new Date(row.at),
    }));
  }

  /** Calls `listener` with every later decision; returns the unsubscribe function. */
  subscribe(listener: (decision: WebIdentityDecision) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** Scalar claims only, at most MAX_CLAIMS of them, each value cut to MAX_CLAIM_LENGTH. */
function boundedClaims(claims: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(claims).slice(0, MAX_CLAIMS)) {
    const key = name.slice(0, 100);
    if (typeof value === 'string') kept[key] = value.slice(0, MAX_CLAIM_LENGTH);
    else if (typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      kept[key] = value.join(', ').slice(0, MAX_CLAIM_LENGTH);
  }
  return kept;
}
