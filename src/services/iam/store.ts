/**
 * IAM's state in the cloud's SQLite database, and the synchronous read API the rest of the
 * cloud uses on its hot paths: STS finds roles and OIDC providers, the authorizer reads a
 * role's policies and permissions boundary. Timestamps come from the injected clock, truncated
 * to whole seconds as IAM keeps them.
 */
import type { Clock } from '../../cloud/clock.js';
import { migrate, type Db } from '../../store/database.js';
import { ManagedPolicyStore } from './managed-policy-store.js';
import type { OidcProvider, Role } from './model.js';
import { OidcProviderStore } from './oidc-provider-store.js';
import { RoleStore } from './role-store.js';

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
];

/** A policy document in force for a role, with where it came from. */
export interface RolePolicyDocument {
  /** 'inline:NAME' for an inline policy, the policy ARN for an attached managed policy. */
  source: string;
  /** Plain JSON text. */
  document: string;
}

/** IAM's state: the stores behind the operations, and the synchronous reads STS and the authorizer use. */
export class IamStore {
  readonly roles: RoleStore;
  readonly policies: ManagedPolicyStore;
  readonly oidcProviders: OidcProviderStore;

  constructor(
    db: Db,
    readonly accountId: string,
    clock: Clock,
  ) {
    migrate(db, 'iam', MIGRATIONS);
    // IAM reports times to the second.
    const now = (): Date => new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
    this.roles = new RoleStore(db, accountId, now);
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
  rolePolicyDocuments(roleName: string): RolePolicyDocument[] {
    const role = this.roles.get(roleName);
    if (!role) return [];
    const out: RolePolicyDocument[] = this.roles.inlinePolicies(role).map((p) => ({ source: `inline:${p.policyName}`, document: p.document }));
    for (const arn of this.roles.attachedPolicyArns(role)) {
      const document = this.policies.defaultDocumentOf(arn);
      if (document !== undefined) out.push({ source: arn, document });
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
