/**
 * The last AssumeRoleWithWebIdentity decisions STS made, admitted and refused: when, which role,
 * the token's claims (verified, or as the token claimed them when it did not verify), what STS
 * answered and which trust-policy statement and conditions decided. Never the token itself.
 * A bounded table (the newest MAX_DECISIONS rows), so it survives restarts and cannot grow;
 * in-process subscribers (the console's trust view) hear of each new decision.
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import type { TrustVerdict } from '../../trust/verdict.js';

/** How many decisions are kept. */
export const MAX_DECISIONS = 200;
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

  constructor(private readonly db: Db) {
    migrate(db, 'sts-decisions', MIGRATIONS);
  }

  /** Keeps a decision (and forgets the oldest beyond MAX_DECISIONS). */
  record(decision: NewDecision): WebIdentityDecision {
    const { id: _id, at, ...doc } = { ...decision, id: 0, claims: boundedClaims(decision.claims) };
    const id = this.db.transaction(() => {
      const inserted = Number(
        this.db
          .prepare('INSERT INTO sts_web_identity_decisions (at, role_arn, admitted, doc) VALUES (?, ?, ?, ?)')
          .run(at.getTime(), doc.roleArn, doc.admitted ? 1 : 0, JSON.stringify(doc)).lastInsertRowid,
      );
      this.db.prepare('DELETE FROM sts_web_identity_decisions WHERE id <= ?').run(inserted - MAX_DECISIONS);
      return inserted;
    })();
    const stored: WebIdentityDecision = { id, at, ...doc };
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch {
        // A subscriber's failure is its own; STS's answer does not depend on it.
      }
    }
    return stored;
  }

  /** The newest decisions first; with `roleArn` that role's only. */
  list(options: { limit?: number; roleArn?: string } = {}): WebIdentityDecision[] {
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
