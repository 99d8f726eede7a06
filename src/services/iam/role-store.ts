/**
 * Roles and what hangs off them: inline policies and managed-policy attachments (PolicyLinks).
 * Role names are unique case-insensitively (IAM: "Role names are not distinguished by case"),
 * so their column collates NOCASE. Statements are prepared once: getRole runs on every request
 * a role session makes.
 */
import type { Db } from '../../store/database.js';
import { uniqueId } from '../../core/ids.js';
import { roleArn } from './arns.js';
import type { Role, Tag } from './model.js';
import { PolicyLinks } from './policy-links.js';

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
export type RoleChanges = Partial<
  Pick<Role, 'assumeRolePolicyDocument' | 'maxSessionDuration' | 'description' | 'tags'>
>;

const ROLE_COLUMNS =
  'role_id, role_name, path, arn, assume_role_policy, description, max_session_duration, permissions_boundary, tags, create_date';

/** Roles, with their inline policies and managed-policy attachments (`links`). */
export class RoleStore {
  /** The role's inline policies and attachments, by role id. */
  readonly links: PolicyLinks;
  private readonly byName;
  private readonly byArn;
  private readonly byId;
  private readonly all;
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly boundaryCount;

  constructor(
    db: Db,
    private readonly accountId: string,
    private readonly now: () => Date,
  ) {
    this.links = new PolicyLinks(db, {
      inline: 'iam_role_policies',
      attachments: 'iam_role_attachments',
      idColumn: 'role_id',
    });
    this.byName = db.prepare<[string], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE role_name = ?`);
    this.byArn = db.prepare<[string], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE arn = ?`);
    this.byId = db.prepare<[string], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles WHERE role_id = ?`);
    this.all = db.prepare<[], RoleRow>(`SELECT ${ROLE_COLUMNS} FROM iam_roles`);
    this.insert = db.prepare(
      `INSERT INTO iam_roles (${ROLE_COLUMNS}) VALUES (@role_id, @role_name, @path, @arn, @assume_role_policy, @description, @max_session_duration, @permissions_boundary, @tags, @create_date)`,
    );
    this.update = db.prepare(
      'UPDATE iam_roles SET assume_role_policy = @assume_role_policy, description = @description, max_session_duration = @max_session_duration, tags = @tags WHERE role_id = @role_id',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_roles WHERE role_id = ?');
    this.boundaryCount = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM iam_roles WHERE permissions_boundary = ?',
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

  getById(roleId: string): Role | undefined {
    const row = this.byId.get(roleId);
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

  /** How many roles use the policy as their permissions boundary. */
  boundaryUsageCountOf(policyArn: string): number {
    return this.boundaryCount.get(policyArn)?.n ?? 0;
  }

  /** The roles the policy is attached to. */
  rolesWithPolicy(policyArn: string): Role[] {
    return this.links.holdersOf(policyArn).flatMap((id) => this.getById(id) ?? []);
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
