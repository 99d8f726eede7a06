/**
 * IAM's state in the cloud's SQLite database, and the synchronous read API the rest of the
 * cloud uses on its hot paths: SigV4 finds users' access keys, STS finds roles and OIDC
 * providers, the authorizer reads a role's or a user's policies (a user's groups' too) and
 * permissions boundary. Timestamps come from the injected clock, truncated to whole seconds as
 * IAM keeps them.
 */
import type { Clock } from '../../core/clock.js';
import { migrate, type Db } from '../../store/database.js';
import { AccessKeyStore } from './access-key-store.js';
import { GroupStore } from './group-store.js';
import { ManagedPolicyStore } from './managed-policy-store.js';
import type { AccessKey, AccessKeyUse, InlinePolicy, OidcProvider, Role, User } from './model.js';
import { OidcProviderStore } from './oidc-provider-store.js';
import type { PolicyLinks } from './policy-links.js';
import { RoleStore } from './role-store.js';
import { UserStore } from './user-store.js';

/** Schema steps; released steps are never edited (see migrate). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE iam_roles (
     role_id TEXT PRIMARY KEY,
     role_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     path TEXT NOT NULL,
     arn TEXT NOT NULL UNIQUE,
     assume_role_policy TEXT NOT NULL,
     description TEXT,
     max_session_duration INTEGER NOT NULL,
     permissions_boundary TEXT,
     tags TEXT NOT NULL,
     create_date INTEGER NOT NULL
   );
   CREATE TABLE iam_role_policies (
     role_id TEXT NOT NULL REFERENCES iam_roles (role_id) ON DELETE CASCADE,
     policy_name TEXT NOT NULL COLLATE NOCASE,
     document TEXT NOT NULL,
     PRIMARY KEY (role_id, policy_name)
   );
   CREATE TABLE iam_role_attachments (
     role_id TEXT NOT NULL REFERENCES iam_roles (role_id) ON DELETE CASCADE,
     policy_arn TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (role_id, policy_arn)
   );
   CREATE INDEX iam_role_attachments_by_policy ON iam_role_attachments (policy_arn);
   CREATE TABLE iam_policies (
     policy_id TEXT PRIMARY KEY,
     policy_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     path TEXT NOT NULL,
     arn TEXT NOT NULL UNIQUE,
     description TEXT,
     default_version INTEGER NOT NULL,
     next_version INTEGER NOT NULL,
     tags TEXT NOT NULL,
     create_date INTEGER NOT NULL
   );
   CREATE TABLE iam_policy_versions (
     policy_id TEXT NOT NULL REFERENCES iam_policies (policy_id) ON DELETE CASCADE,
     version_number INTEGER NOT NULL,
     document TEXT NOT NULL,
     create_date INTEGER NOT NULL,
     PRIMARY KEY (policy_id, version_number)
   );
   CREATE TABLE iam_oidc_providers (
     arn TEXT PRIMARY KEY,
     url TEXT NOT NULL UNIQUE,
     client_ids TEXT NOT NULL,
     thumbprints TEXT NOT NULL,
     tags TEXT NOT NULL,
     create_date INTEGER NOT NULL
   );`,
  `CREATE TABLE iam_users (
     user_id TEXT PRIMARY KEY,
     user_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     path TEXT NOT NULL,
     arn TEXT NOT NULL UNIQUE,
     permissions_boundary TEXT,
     tags TEXT NOT NULL,
     create_date INTEGER NOT NULL
   );
   CREATE TABLE iam_user_policies (
     user_id TEXT NOT NULL REFERENCES iam_users (user_id) ON DELETE CASCADE,
     policy_name TEXT NOT NULL COLLATE NOCASE,
     document TEXT NOT NULL,
     PRIMARY KEY (user_id, policy_name)
   );
   CREATE TABLE iam_user_attachments (
     user_id TEXT NOT NULL REFERENCES iam_users (user_id) ON DELETE CASCADE,
     policy_arn TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, policy_arn)
   );
   CREATE INDEX iam_user_attachments_by_policy ON iam_user_attachments (policy_arn);
   CREATE TABLE iam_access_keys (
     access_key_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES iam_users (user_id) ON DELETE CASCADE,
     secret_access_key TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
     create_date INTEGER NOT NULL,
     last_used_date INTEGER,
     last_used_service TEXT,
     last_used_region TEXT
   );
   CREATE INDEX iam_access_keys_by_user ON iam_access_keys (user_id);
   CREATE TABLE iam_groups (
     group_id TEXT PRIMARY KEY,
     group_name TEXT NOT NULL UNIQUE COLLATE NOCASE,
     path TEXT NOT NULL,
     arn TEXT NOT NULL UNIQUE,
     create_date INTEGER NOT NULL
   );
   CREATE TABLE iam_group_policies (
     group_id TEXT NOT NULL REFERENCES iam_groups (group_id) ON DELETE CASCADE,
     policy_name TEXT NOT NULL COLLATE NOCASE,
     document TEXT NOT NULL,
     PRIMARY KEY (group_id, policy_name)
   );
   CREATE TABLE iam_group_attachments (
     group_id TEXT NOT NULL REFERENCES iam_groups (group_id) ON DELETE CASCADE,
     policy_arn TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (group_id, policy_arn)
   );
   CREATE INDEX iam_group_attachments_by_policy ON iam_group_attachments (policy_arn);
   CREATE TABLE iam_group_members (
     group_id TEXT NOT NULL REFERENCES iam_groups (group_id) ON DELETE CASCADE,
     user_id TEXT NOT NULL REFERENCES iam_users (user_id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     PRIMARY KEY (group_id, user_id)
   );
   CREATE INDEX iam_group_members_by_user ON iam_group_members (user_id);`,
];

/** A policy document in force for a role or user, with where it came from. */
export interface IdentityPolicyDocument {
  /** 'inline:NAME' for an inline policy, the policy ARN for an attached managed policy (a group's are prefixed 'group/NAME:'). */
  source: string;
  /** Plain JSON text. */
  document: string;
}

/** A user's access key as SigV4 needs it: the secret, whether it may be used, and whose it is. */
export interface UserSigningKey {
  secretAccessKey: string;
  active: boolean;
  user: User;
}

/** IAM's state: the stores behind the operations, and the synchronous reads STS and the authorizer use. */
export class IamStore {
  readonly roles: RoleStore;
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly accessKeys: AccessKeyStore;
  readonly policies: ManagedPolicyStore;
  readonly oidcProviders: OidcProviderStore;
  private readonly now: () => Date;

  constructor(
    db: Db,
    readonly accountId: string,
    clock: Clock,
  ) {
    migrate(db, 'iam', MIGRATIONS);
    // IAM reports times to the second.
    const now = (): Date => new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    this.now = now;
    this.roles = new RoleStore(db, accountId, now);
    this.users = new UserStore(db, accountId, now);
    this.groups = new GroupStore(db, accountId, now);
    this.accessKeys = new AccessKeyStore(db, now);
    this.policies = new ManagedPolicyStore(db, accountId, now);
    this.oidcProviders = new OidcProviderStore(db, accountId, now);
  }

  /** The role with this name (IAM compares role names case-insensitively). */
  getRole(roleName: string): Role | undefined {
    return this.roles.get(roleName);
  }

  /** The role with exactly this ARN (path included). */
  getRoleByArn(arn: string): Role | undefined {
    return this.roles.getByArn(arn);
  }

  /** The unique id of the role with this name now (the authorizer binds sessions to it). */
  roleId(roleName: string): string | undefined {
    return this.roles.get(roleName)?.roleId;
  }

  /**
   * Identity policy documents in force for the role: inline policies (by name), then the
   * default versions of its attached managed policies (AWS-managed included), in attach order.
   */
  rolePolicyDocuments(roleName: string): IdentityPolicyDocument[] {
    const role = this.roles.get(roleName);
    return role ? this.linkedDocuments(this.roles.links, role.roleId, '') : [];
  }

  /** The unique id (AIDA…) of the user with this name now (the authorizer binds keys to it). */
  userId(userName: string): string | undefined {
    return this.users.get(userName)?.userId;
  }

  /** The user with exactly this ARN (path included). */
  getUserByArn(arn: string): User | undefined {
    return this.users.getByArn(arn);
  }

  /**
   * Identity policy documents in force for the user: its inline and attached policies, then
   * each of its groups' inline and attached policies.
   */
  userPolicyDocuments(userName: string): IdentityPolicyDocument[] {
    const user = this.users.get(userName);
    if (!user) return [];
    const out = this.linkedDocuments(this.users.links, user.userId, '');
    for (const group of this.groups.groupsOf(user.userId))
      out.push(...this.linkedDocuments(this.groups.links, group.groupId, `group/${group.groupName}:`));
    return out;
  }

  /** The ARN of the user's permissions boundary policy, if it has one (read by the authorizer). */
  userPermissionsBoundary(userName: string): string | undefined {
    return this.users.get(userName)?.permissionsBoundary;
  }

  /** A user's access key with its secret, status and user; undefined for any other key id. */
  userSigningKey(accessKeyId: string): UserSigningKey | undefined {
    const found = this.accessKeys.signingKey(accessKeyId);
    return found
      ? { secretAccessKey: found.key.secretAccessKey, active: found.key.status === 'Active', user: found.user }
      : undefined;
  }

  /** Notes that a user's key signed a request (written in batches, see AccessKeyStore). */
  recordAccessKeyUse(accessKeyId: string, service: string, region: string): void {
    this.accessKeys.recordUse(accessKeyId, { date: this.now(), service, region });
  }

  /** Writes the access-key uses recorded since the last write (the cloud calls it when it stops). */
  flushAccessKeyUse(): void {
    this.accessKeys.flush();
  }

  /** The access keys of a user. */
  accessKeysOf(user: User): AccessKey[] {
    return this.accessKeys.ofUser(user.userId);
  }

  /** The key's last use, if any. */
  accessKeyLastUse(key: AccessKey): AccessKeyUse | undefined {
    return this.accessKeys.lastUse(key.accessKeyId);
  }

  /** Inline policies then the default documents of attached ones, with `prefix` on their source. */
  private linkedDocuments(links: PolicyLinks, id: string, prefix: string): IdentityPolicyDocument[] {
    const out: IdentityPolicyDocument[] = links
      .inlinePolicies(id)
      .map((p: InlinePolicy) => ({ source: `${prefix}inline:${p.policyName}`, document: p.document }));
    for (const arn of links.attachedPolicyArns(id)) {
      const document = this.policies.defaultDocumentOf(arn);
      if (document !== undefined) out.push({ source: `${prefix}${arn}`, document });
    }
    return out;
  }

  /** The ARN of the role's permissions boundary policy, if it has one (read by the authorizer). */
  rolePermissionsBoundary(roleName: string): string | undefined {
    return this.roles.get(roleName)?.permissionsBoundary;
  }

  /** The provider for an issuer given as host[/path], without scheme. */
  getOpenIdConnectProviderByUrl(url: string): OidcProvider | undefined {
    return this.oidcProviders.getByUrl(url);
  }

  /** The default version's document of a managed policy (the account's or AWS's). */
  managedPolicyDefaultDocument(arn: string): string | undefined {
    return this.policies.defaultDocumentOf(arn);
  }
}
