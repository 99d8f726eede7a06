/**
 * What links an identity (a role, a user or a group) to its policies: inline policies embedded
 * in it and the managed policies attached to it, each kind in its own pair of tables keyed by the
 * identity's unique id. Inline policy names are unique case-insensitively (their column collates
 * NOCASE). Statements are prepared once: the authorizer reads these on every request.
 */
import type { Db } from '../../store/database.js';
import type { InlinePolicy } from './model.js';

/** The tables of one kind of identity, e.g. iam_role_policies / iam_role_attachments / role_id. */
export interface PolicyLinkTables {
  inline: string;
  attachments: string;
  idColumn: string;
}

/** Inline policies and managed-policy attachments of one kind of identity. */
export class PolicyLinks {
  private readonly inlineAll;
  private readonly inlineOne;
  private readonly inlinePut;
  private readonly inlineDelete;
  private readonly attachedAll;
  private readonly attachOne;
  private readonly detachOne;
  private readonly attachmentCount;
  private readonly holders;

  constructor(db: Db, tables: PolicyLinkTables) {
    const { inline, attachments, idColumn: id } = tables;
    this.inlineAll = db.prepare<[string], { policy_name: string; document: string }>(
      `SELECT policy_name, document FROM ${inline} WHERE ${id} = ? ORDER BY policy_name`,
    );
    this.inlineOne = db.prepare<[string, string], { policy_name: string; document: string }>(
      `SELECT policy_name, document FROM ${inline} WHERE ${id} = ? AND policy_name = ?`,
    );
    this.inlinePut = db.prepare<[string, string, string]>(
      `INSERT INTO ${inline} (${id}, policy_name, document) VALUES (?, ?, ?) ON CONFLICT (${id}, policy_name) DO UPDATE SET policy_name = excluded.policy_name, document = excluded.document`,
    );
    this.inlineDelete = db.prepare<[string, string]>(`DELETE FROM ${inline} WHERE ${id} = ? AND policy_name = ?`);
    this.attachedAll = db.prepare<[string], { policy_arn: string }>(
      `SELECT policy_arn FROM ${attachments} WHERE ${id} = ? ORDER BY seq`,
    );
    this.attachOne = db.prepare<[string, string, string]>(
      `INSERT INTO ${attachments} (${id}, policy_arn, seq) SELECT ?, ?, COALESCE(MAX(seq), 0) + 1 FROM ${attachments} WHERE ${id} = ? ON CONFLICT DO NOTHING`,
    );
    this.detachOne = db.prepare<[string, string]>(`DELETE FROM ${attachments} WHERE ${id} = ? AND policy_arn = ?`);
    this.attachmentCount = db.prepare<[string], { n: number }>(
      `SELECT COUNT(*) AS n FROM ${attachments} WHERE policy_arn = ?`,
    );
    this.holders = db.prepare<[string], { id: string }>(`SELECT ${id} AS id FROM ${attachments} WHERE policy_arn = ?`);
  }

  /** The identity's inline policies, by name. */
  inlinePolicies(id: string): InlinePolicy[] {
    return this.inlineAll.all(id).map((row) => ({ policyName: row.policy_name, document: row.document }));
  }

  inlinePolicy(id: string, policyName: string): InlinePolicy | undefined {
    const row = this.inlineOne.get(id, policyName);
    return row ? { policyName: row.policy_name, document: row.document } : undefined;
  }

  /** Creates or replaces an inline policy (a name in another letter case is replaced, taking the new case). */
  putInlinePolicy(id: string, policyName: string, document: string): void {
    this.inlinePut.run(id, policyName, document);
  }

  /** False when the identity has no such inline policy. */
  deleteInlinePolicy(id: string, policyName: string): boolean {
    return this.inlineDelete.run(id, policyName).changes > 0;
  }

  /** ARNs of the managed policies attached to the identity, in the order they were attached. */
  attachedPolicyArns(id: string): string[] {
    return this.attachedAll.all(id).map((row) => row.policy_arn);
  }

  /** Attaches a managed policy; attaching one already attached changes nothing. */
  attachPolicy(id: string, policyArn: string): void {
    this.attachOne.run(id, policyArn, id);
  }

  /** False when the policy was not attached. */
  detachPolicy(id: string, policyArn: string): boolean {
    return this.detachOne.run(id, policyArn).changes > 0;
  }

  /** How many identities of this kind have the policy attached. */
  attachmentCountOf(policyArn: string): number {
    return this.attachmentCount.get(policyArn)?.n ?? 0;
  }

  /** The unique ids of the identities the policy is attached to. */
  holdersOf(policyArn: string): string[] {
    return this.holders.all(policyArn).map((row) => row.id);
  }
}
