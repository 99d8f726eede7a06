/**
 * Users and what hangs off them: inline policies and managed-policy attachments (PolicyLinks);
 * access keys and group memberships live in their own stores, keyed by the user's unique id.
 * User names are unique case-insensitively ("User names are not distinguished by case"), so
 * the column collates NOCASE. UpdateUser may rename a user and change its path, and with them
 * its ARN; its id, keys and policies stay.
 */
import type { Db } from '../../store/database.js';
import { uniqueId } from '../../core/ids.js';
import { userArn } from './arns.js';
import type { Tag, User } from './model.js';
import { PolicyLinks } from './policy-links.js';

interface UserRow {
  user_id: string;
  user_name: string;
  path: string;
  arn: string;
  permissions_boundary: string | null;
  tags: string;
  create_date: number;
}

/** What CreateUser supplies; the store assigns the id, ARN and create date. */
export interface NewUser {
  userName: string;
  path: string;
  permissionsBoundary?: string;
  tags: Tag[];
}

/** The mutable attributes of a user. */
export type UserChanges = Partial<Pick<User, 'userName' | 'path' | 'tags'>>;

const USER_COLUMNS = 'user_id, user_name, path, arn, permissions_boundary, tags, create_date';

/** Users, with their inline policies and managed-policy attachments (`links`). */
export class UserStore {
  /** The user's inline policies and attachments, by user id. */
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
      inline: 'iam_user_policies',
      attachments: 'iam_user_attachments',
      idColumn: 'user_id',
    });
    this.byName = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM iam_users WHERE user_name = ?`);
    this.byArn = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM iam_users WHERE arn = ?`);
    this.byId = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM iam_users WHERE user_id = ?`);
    this.all = db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM iam_users`);
    this.insert = db.prepare(
      `INSERT INTO iam_users (${USER_COLUMNS}) VALUES (@user_id, @user_name, @path, @arn, @permissions_boundary, @tags, @create_date)`,
    );
    this.update = db.prepare(
      'UPDATE iam_users SET user_name = @user_name, path = @path, arn = @arn, tags = @tags WHERE user_id = @user_id',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_users WHERE user_id = ?');
    this.boundaryCount = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM iam_users WHERE permissions_boundary = ?',
    );
  }

  /** The user with this name (case-insensitive), if any. */
  get(userName: string): User | undefined {
    const row = this.byName.get(userName);
    return row ? toUser(row) : undefined;
  }

  getByArn(arn: string): User | undefined {
    const row = this.byArn.get(arn);
    return row ? toUser(row) : undefined;
  }

  getById(userId: string): User | undefined {
    const row = this.byId.get(userId);
    return row ? toUser(row) : undefined;
  }

  /** Every user, in no particular order. */
  list(): User[] {
    return this.all.all().map(toUser);
  }

  create(input: NewUser): User {
    const user: User = {
      ...input,
      userId: uniqueId('AIDA'),
      arn: userArn(this.accountId, input.path, input.userName),
      createDate: this.now(),
    };
    this.insert.run(toRow(user));
    return user;
  }

  /** Applies `changes` (a new name or path changes the ARN too) and returns the result. */
  change(user: User, changes: UserChanges): User {
    const next: User = { ...user, ...changes };
    next.arn = userArn(this.accountId, next.path, next.userName);
    const row = toRow(next);
    this.update.run({ user_id: row.user_id, user_name: row.user_name, path: row.path, arn: row.arn, tags: row.tags });
    return next;
  }

  /** Deletes the user; its keys, policies and memberships go with it (foreign keys cascade). */
  delete(user: User): void {
    this.remove.run(user.userId);
  }

  /** How many users use the policy as their permissions boundary. */
  boundaryUsageCountOf(policyArn: string): number {
    return this.boundaryCount.get(policyArn)?.n ?? 0;
  }

  /** The users the policy is attached to. */
  usersWithPolicy(policyArn: string): User[] {
    return this.links.holdersOf(policyArn).flatMap((id) => this.getById(id) ?? []);
  }
}

function toUser(row: UserRow): User {
  const user: User = {
    userName: row.user_name,
    userId: row.user_id,
    arn: row.arn,
    path: row.path,
    createDate: new Date(row.create_date),
    tags: JSON.parse(row.tags) as Tag[],
  };
  if (row.permissions_boundary !== null) user.permissionsBoundary = row.permissions_boundary;
  return user;
}

function toRow(user: User): UserRow {
  return {
    user_id: user.userId,
    user_name: user.userName,
    path: user.path,
    arn: user.arn,
    permissions_boundary: user.permissionsBoundary ?? null,
    tags: JSON.stringify(user.tags),
    create_date: user.createDate.getTime(),
  };
}
