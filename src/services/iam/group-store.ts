/**
 * Groups, their members and what hangs off them: inline policies and managed-policy
 * attachments (PolicyLinks). Group names are unique case-insensitively. Members are kept by
 * user id, so renaming a user keeps its groups and a user deleted and created again under the
 * same name is in none.
 */
import type { Db } from '../../store/database.js';
import { uniqueId } from '../../core/ids.js';
import { groupArn } from './arns.js';
import type { Group } from './model.js';
import { PolicyLinks } from './policy-links.js';

interface GroupRow {
  group_id: string;
  group_name: string;
  path: string;
  arn: string;
  create_date: number;
}

const GROUP_COLUMNS = 'group_id, group_name, path, arn, create_date';

/** Groups and their members, with their inline policies and managed-policy attachments (`links`). */
export class GroupStore {
  /** The group's inline policies and attachments, by group id. */
  readonly links: PolicyLinks;
  private readonly byName;
  private readonly byId;
  private readonly all;
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly memberIds;
  private readonly addMemberStmt;
  private readonly removeMemberStmt;
  private readonly groupsOfUser;

  constructor(
    db: Db,
    private readonly accountId: string,
    private readonly now: () => Date,
  ) {
    this.links = new PolicyLinks(db, {
      inline: 'iam_group_policies',
      attachments: 'iam_group_attachments',
      idColumn: 'group_id',
    });
    this.byName = db.prepare<[string], GroupRow>(`SELECT ${GROUP_COLUMNS} FROM iam_groups WHERE group_name = ?`);
    this.byId = db.prepare<[string], GroupRow>(`SELECT ${GROUP_COLUMNS} FROM iam_groups WHERE group_id = ?`);
    this.all = db.prepare<[], GroupRow>(`SELECT ${GROUP_COLUMNS} FROM iam_groups`);
    this.insert = db.prepare(
      `INSERT INTO iam_groups (${GROUP_COLUMNS}) VALUES (@group_id, @group_name, @path, @arn, @create_date)`,
    );
    this.update = db.prepare(
      'UPDATE iam_groups SET group_name = @group_name, path = @path, arn = @arn WHERE group_id = @group_id',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_groups WHERE group_id = ?');
    this.memberIds = db.prepare<[string], { user_id: string }>(
      'SELECT user_id FROM iam_group_members WHERE group_id = ? ORDER BY seq',
    );
    this.addMemberStmt = db.prepare<[string, string, string]>(
      'INSERT INTO iam_group_members (group_id, user_id, seq) SELECT ?, ?, COALESCE(MAX(seq), 0) + 1 FROM iam_group_members WHERE group_id = ? ON CONFLICT DO NOTHING',
    );
    this.removeMemberStmt = db.prepare<[string, string]>(
      'DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?',
    );
    this.groupsOfUser = db.prepare<[string], GroupRow>(
      `SELECT ${GROUP_COLUMNS.split(', ')
        .map((c) => `g.${c}`)
        .join(', ')} FROM iam_groups g JOIN iam_group_members m ON m.group_id = g.group_id WHERE m.user_id = ?`,
    );
  }

  /** The group with this name (case-insensitive), if any. */
  get(groupName: string): Group | undefined {
    const row = this.byName.get(groupName);
    return row ? toGroup(row) : undefined;
  }

  getById(groupId: string): Group | undefined {
    const row = this.byId.get(groupId);
    return row ? toGroup(row) : undefined;
  }

  /** Every group, in no particular order. */
  list(): Group[] {
    return this.all.all().map(toGroup);
  }

  create(groupName: string, path: string): Group {
    const group: Group = {
      groupName,
      path,
      groupId: uniqueId('AGPA'),
      arn: groupArn(this.accountId, path, groupName),
      createDate: this.now(),
    };
    this.insert.run({
      group_id: group.groupId,
      group_name: groupName,
      path,
      arn: group.arn,
      create_date: group.createDate.getTime(),
    });
    return group;
  }

  /** Renames the group or moves it to another path (its ARN follows). */
  change(group: Group, changes: Partial<Pick<Group, 'groupName' | 'path'>>): Group {
    const next: Group = { ...group, ...changes };
    next.arn = groupArn(this.accountId, next.path, next.groupName);
    this.update.run({ group_id: next.groupId, group_name: next.groupName, path: next.path, arn: next.arn });
    return next;
  }

  /** Deletes the group; its policies and memberships go with it. */
  delete(group: Group): void {
    this.remove.run(group.groupId);
  }

  /** The ids of the group's members, in the order they were added. */
  memberIdsOf(group: Group): string[] {
    return this.memberIds.all(group.groupId).map((row) => row.user_id);
  }

  /** Adds a member; adding one twice changes nothing. */
  addMember(group: Group, userId: string): void {
    this.addMemberStmt.run(group.groupId, userId, group.groupId);
  }

  /** False when the user was not a member. */
  removeMember(group: Group, userId: string): boolean {
    return this.removeMemberStmt.run(group.groupId, userId).changes > 0;
  }

  /** The groups a user is in. */
  groupsOf(userId: string): Group[] {
    return this.groupsOfUser.all(userId).map(toGroup);
  }

  /** The groups the policy is attached to. */
  groupsWithPolicy(policyArn: string): Group[] {
    return this.links.holdersOf(policyArn).flatMap((id) => this.getById(id) ?? []);
  }
}

function toGroup(row: GroupRow): Group {
  return {
    groupName: row.group_name,
    groupId: row.group_id,
    arn: row.arn,
    path: row.path,
    createDate: new Date(row.create_date),
  };
}
