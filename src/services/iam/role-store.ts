/**
 * Roles and what hangs off them: inline policies and managed-policy attachments. Role and
 * inline policy names are unique case-insensitively (IAM: "Role names are not distinguished
 * by case"), so their columns collate NOCASE. Statements are prepared once: getRole and the
 * attachment queries run on every request a role session makes.
 */
import type { Db } from '../../store/database.js';
import { uniqueId } from '../ids.js';
import { roleArn } from './arns.js';
import type { InlinePolicy, Role, Tag } from './model.js';

interface RoleRow {
  role_id: string;
  role_name: string;
  path: string;
  arn: string;
  assume_role_policy: string;
  description: string | null;
  max_session_duration: number;
  permissions_boundary: string | null;
  tags: string;
  create_date: number;
}

/** What CreateRole supplies; the store assigns the id, ARN and create date. */
export interface NewRole {
  roleName: string;
  path: string;
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
  description?: string;
  permissionsBoundary?: string;
  tags: Tag[];
}

/** The mutable attributes of a role. */
export type RoleChanges = Partial<Pick<Role, 'assumeRolePolicyDocument' | 'maxSessionDuration' | 'description' | 'tags'>>;

const ROLE_COLUMNS = 'role_id, role_name, path, arn, assume_role_policy, description, max_session_duration, permissions_boundary, tags, create_date';

/** Roles, their inline policies and their managed-policy attachments. */
export class RoleStore {
  private readonly byName;
  private readonly byArn;
  private readonly all;
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly inlineByRole;
  private readonly inlineOne;
  private readonly inlinePut;
  private readonly inlineDelete;
  private readonly attachedByRole;
  private readonly attach;
  private readonly detach;
  private readonly attachmentCount;
  private readonly boundaryCount;
  private readonly rolesAttachedTo;

  constructor(
    db: Db,
    private readonly accountId: string,
    private readonly now: () => Date,
  ) {
    this.byName = db.prepare<[string], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE role_name = ?`);
    this.byArn = db.prepare<[string], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE arn = ?`);
    this.all = db.prepare<[], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles`);
    this.insert = db.prepare(
      `INSERT INTO iam_roles (${ROLE_COLUMNS}) VALUES (@role_id, @role_name, @path, @arn, @assume_role_policy, @description, @max_session_duration, @permissions_boundary, @tags, @create_date)`,
    );
    this.update = db.prepare(
      'UPDATE iam_roles SET assume_role_policy = @assume_role_policy, description = @description, max_session_duration = @max_session_duration, tags = @tags WHERE role_id = @role_id',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_roles WHERE role_id = ?');
    this.inlineByRole = db.prepare<[string], { policy_name: string; document: string }>(
      'SELECT policy_name, document FROM iam_role_policies WHERE role_id = ? ORDER BY policy_name',
    );
    this.inlineOne = db.prepare<[string, string], { policy_name: string; document: string }>(
      'SELECT policy_name, document FROM iam_role_policies WHERE role_id = ? AND policy_name = ?',
    );
    this.inlinePut = db.prepare<[string, string, string]>(
      'INSERT INTO iam_role_policies (role_id, policy_name, document) VALUES (?, ?, ?) ON CONFLICT (role_id, policy_name) DO UPDATE SET policy_name = excluded.policy_name, document = excluded.document',
    );
    this.inlineDelete = db.prepare<[string, string]>('DELETE FROM iam_role_policies WHERE role_id = ? AND policy_name = ?');
    this.attachedByRole = db.prepare<[string], { policy_arn: string }>('SELECT policy_arn FROM iam_role_attachments WHERE role_id = ? ORDER BY seq');
    this.attach = db.prepare<[string, string, string]>(
      'INSERT INTO iam_role_attachments (role_id, policy_arn, seq) SELECT ?, ?, COALESCE(MAX(seq), 0) + 1 FROM iam_role_attachments WHERE role_id = ? ON CONFLICT DO NOTHING',
    );
    this.detach = db.prepare<[string, string]>('DELETE FROM iam_role_attachments WHERE role_id = ? AND policy_arn = ?');
    this.attachmentCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM iam_role_attachments WHERE policy_arn = ?');
    this.boundaryCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM iam_roles WHERE permissions_boundary = ?');
    this.rolesAttachedTo = db.prepare<[string], RoleRow>(
      `SELECT ${ROLE_COLUMNS.split(', ').map((c) => `r.${c}`).join(', ')} FROM iam_roles r JOIN iam_role_attachments a ON a.role_id = r.role_id WHERE a.policy_arn = ?`,
    );
  }

  /** The role with this name (case-insensitive), if any. */
  get(roleName: string): Role | undefined {
    const row = this.byName.get(roleName);
    return row ? toRole(row) : undefined;
  }

  getByArn(arn: string): Role | undefined {
    const row = this.byArn.get(arn);
    return row ? toRole(row) : undefined;
  }

  /** Every role, in no particular order. */
  list(): Role[] {
    return this.all.all().map(toRole);
  }

  create(input: NewRole): Role {
    const role: Role = {
      ...input,
      roleId: uniqueId('AROA'),
      arn: roleArn(this.accountId, input.path, input.roleName),
      createDate: this.now(),
    };
    this.insert.run(toRow(role));
    return role;
  }

  /** Applies `changes` to an existing role and returns the result. */
  change(role: Role, changes: RoleChanges): Role {
    const next: Role = { ...role, ...changes };
    const row = toRow(next);
    this.update.run({
      role_id: row.role_id,
      assume_role_policy: row.assume_role_policy,
      description: row.description,
      max_session_duration: row.max_session_duration,
      tags: row.tags,
    });
    return next;
  }

  delete(role: Role): void {
    this.remove.run(role.roleId);
  }

  /** The role's inline policies, by name. */
  inlinePolicies(role: Role): InlinePolicy[] {
    return this.inlineByRole.all(role.roleId).map((row) => ({ policyName: row.policy_name, document: row.document }));
  }

  inlinePolicy(role: Role, policyName: string): InlinePolicy | undefined {
    const row = this.inlineOne.get(role.roleId, policyName);
    return row ? { policyName: row.policy_name, document: row.document } : undefined;
  }

  /** Creates or replaces an inline policy. */
  putInlinePolicy(role: Role, policyName: string, document: string): void {
    this.inlinePut.run(role.roleId, policyName, document);
  }

  /** False when the role has no such inline policy. */
  deleteInlinePolicy(role: Role, policyName: string): boolean {
    return this.inlineDelete.run(role.roleId, policyName).changes > 0;
  }

  /** ARNs of the managed policies attached to the role, in the order they were attached. */
  attachedPolicyArns(role: Role): string[] {
    return this.attachedByRole.all(role.roleId).map((row) => row.policy_arn);
  }

  /** Attaches a managed policy; attaching one already attached changes nothing. */
  attachPolicy(role: Role, policyArn: string): void {
    this.attach.run(role.roleId, policyArn, role.roleId);
  }

  /** False when the policy was not attached. */
  detachPolicy(role: Role, policyArn: string): boolean {
    return this.detach.run(role.roleId, policyArn).changes > 0;
  }

  /** How many roles have the policy attached. */
  attachmentCountOf(policyArn: string): number {
    return this.attachmentCount.get(policyArn)?.n ?? 0;
  }

  /** How many roles use the policy as their permissions boundary. */
  boundaryUsageCountOf(policyArn: string): number {
    return this.boundaryCount.get(policyArn)?.n ?? 0;
  }

  /** The roles the policy is attached to. */
  rolesWithPolicy(policyArn: string): Role[] {
    return this.rolesAttachedTo.all(policyArn).map(toRole);
  }
}

function toRole(row: RoleRow): Role {
  const role: Role = {
    roleName: row.role_name,
    roleId: row.role_id,
    arn: row.arn,
    path: row.path,
    assumeRolePolicyDocument: row.assume_role_policy,
    maxSessionDuration: row.max_session_duration,
    createDate: new Date(row.create_date),
    tags: JSON.parse(row.tags) as Tag[],
  };
  if (row.description !== null) role.description = row.description;
  if (row.permissions_boundary !== null) role.permissionsBoundary = row.permissions_boundary;
  return role;
}

function toRow(role: Role): RoleRow {
  return {
    role_id: role.roleId,
    role_name: role.roleName,
    path: role.path,
    arn: role.arn,
    assume_role_policy: role.assumeRolePolicyDocument,
    description: role.description ?? null,
    max_session_duration: role.maxSessionDuration,
    permissions_boundary: role.permissionsBoundary ?? null,
    tags: JSON.stringify(role.tags),
    create_date: role.createDate.getTime(),
  };
}
