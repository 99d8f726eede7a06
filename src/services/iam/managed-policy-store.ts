/**
 * Managed policies and their versions. The account's own policies live in SQLite; AWS's are
 * fixed definitions (aws-managed-policies.ts) served from memory and never written. Version
 * ids are v1, v2, … and never reused, as IAM numbers them.
 */
import type { Db } from '../../store/database.js';
import { uniqueId } from '../../core/ids.js';
import { AWS_POLICY_ACCOUNT, policyArn } from './arns.js';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import type { ManagedPolicy, PolicyVersion, Tag } from './model.js';

interface PolicyRow {
  policy_id: string;
  policy_name: string;
  path: string;
  arn: string;
  description: string | null;
  default_version: number;
  next_version: number;
  tags: string;
  create_date: number;
  /** The newest version's create date. */
  update_date: number;
}

interface VersionRow {
  version_number: number;
  document: string;
  create_date: number;
}

/** What CreatePolicy supplies. */
export interface NewPolicy {
  policyName: string;
  path: string;
  description?: string;
  document: string;
  tags: Tag[];
}

const POLICY_SELECT =
  'SELECT p.policy_id, p.policy_name, p.path, p.arn, p.description, p.default_version, p.next_version, p.tags, p.create_date, ' +
  '(SELECT MAX(v.create_date) FROM iam_policy_versions v WHERE v.policy_id = p.policy_id) AS update_date FROM iam_policies p';

interface AwsPolicy {
  policy: ManagedPolicy;
  document: string;
}

/** Managed policies: the account's own in SQLite, AWS's from fixed definitions. */
export class ManagedPolicyStore {
  private readonly awsPolicies: ReadonlyMap<string, AwsPolicy>;
  private readonly byArn;
  private readonly byName;
  private readonly all;
  private readonly insert;
  private readonly insertVersion;
  private readonly versionsOf;
  private readonly deleteVersionStmt;
  private readonly setDefault;
  private readonly bumpNext;
  private readonly remove;
  private readonly defaultDocument;

  constructor(
    private readonly db: Db,
    private readonly accountId: string,
    private readonly now: () => Date,
  ) {
    this.awsPolicies = new Map(
      AWS_MANAGED_POLICIES.map((def): [string, AwsPolicy] => {
        const arn = policyArn(AWS_POLICY_ACCOUNT, def.path, def.policyName);
        const policy: ManagedPolicy = {
          arn,
          policyId: def.policyId,
          policyName: def.policyName,
          path: def.path,
          description: def.description,
          defaultVersionId: def.defaultVersionId,
          createDate: def.createDate,
          updateDate: def.updateDate,
          tags: [],
          awsManaged: true,
        };
        return [arn, { policy, document: def.document }];
      }),
    );
    this.byArn = db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.arn = ?`);
    this.byName = db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.policy_name = ?`);
    this.all = db.prepare<[], PolicyRow>(`${POLICY_SELECT} ORDER BY p.rowid`);
    this.insert = db.prepare(
      'INSERT INTO iam_policies (policy_id, policy_name, path, arn, description, default_version, next_version, tags, create_date) ' +
        'VALUES (@policy_id, @policy_name, @path, @arn, @description, 1, 2, @tags, @create_date)',
    );
    this.insertVersion = db.prepare<[string, number, string, number]>(
      'INSERT INTO iam_policy_versions (policy_id, version_number, document, create_date) VALUES (?, ?, ?, ?)',
    );
    this.versionsOf = db.prepare<[string], VersionRow>(
      'SELECT version_number, document, create_date FROM iam_policy_versions WHERE policy_id = ? ORDER BY version_number DESC',
    );
    this.deleteVersionStmt = db.prepare<[string, number]>(
      'DELETE FROM iam_policy_versions WHERE policy_id = ? AND version_number = ?',
    );
    this.setDefault = db.prepare<[number, string]>('UPDATE iam_policies SET default_version = ? WHERE policy_id = ?');
    this.bumpNext = db.prepare<[string]>('UPDATE iam_policies SET next_version = next_version + 1 WHERE policy_id = ?');
    this.remove = db.prepare<[string]>('DELETE FROM iam_policies WHERE policy_id = ?');
    this.defaultDocument = db.prepare<[string], { document: string }>(
      'SELECT v.document FROM iam_policies p JOIN iam_policy_versions v ON v.policy_id = p.policy_id AND v.version_number = p.default_version WHERE p.arn = ?',
    );
  }

  /** A policy by ARN: the account's own or AWS's. */
  get(arn: string): ManagedPolicy | undefined {
    const aws = this.awsPolicies.get(arn);
    if (aws) return aws.policy;
    const row = this.byArn.get(arn);
    return row ? toPolicy(row) : undefined;
  }

  /** The account's own policy with this name (case-insensitive), whatever its path. */
  getLocalByName(policyName: string): ManagedPolicy | undefined {
    const row = this.byName.get(policyName);
    return row ? toPolicy(row) : undefined;
  }

  /** AWS's policies, then the account's own in the order they were created. */
  list(): ManagedPolicy[] {
    return [...[...this.awsPolicies.values()].map((p) => p.policy), ...this.all.all().map(toPolicy)];
  }

  /** The default version's document (plain JSON text); fast, for the authorizer. */
  defaultDocumentOf(arn: string): string | undefined {
    return this.awsPolicies.get(arn)?.document ?? this.defaultDocument.get(arn)?.document;
  }

  create(input: NewPolicy): ManagedPolicy {
    const policyId = uniqueId('ANPA');
    const createDate = this.now();
    const arn = policyArn(this.accountId, input.path, input.policyName);
    this.db.transaction(() => {
      this.insert.run({
        policy_id: policyId,
        policy_name: input.policyName,
        path: input.path,
        arn,
        description: input.description ?? null,
        tags: JSON.stringify(input.tags),
        create_date: createDate.getTime(),
      });
      this.insertVersion.run(policyId, 1, input.document, createDate.getTime());
    })();
    return this.get(arn) as ManagedPolicy;
  }

  /** The policy's versions, newest first. */
  versions(policy: ManagedPolicy): PolicyVersion[] {
    const aws = this.awsPolicies.get(policy.arn);
    if (aws)
      return [
        {
          versionId: policy.defaultVersionId,
          document: aws.document,
          createDate: policy.updateDate,
          isDefaultVersion: true,
        },
      ];
    return this.versionsOf.all(policy.policyId).map((row) => {
      const versionId = `v${row.version_number}`;
      return {
        versionId,
        document: row.document,
        createDate: new Date(row.create_date),
        isDefaultVersion: versionId === policy.defaultVersionId,
      };
    });
  }

  version(policy: ManagedPolicy, versionId: string): PolicyVersion | undefined {
    return this.versions(policy).find((v) => v.versionId === versionId);
  }

  /** Adds the next version, optionally as the default. */
  createVersion(policy: ManagedPolicy, document: string, setAsDefault: boolean): PolicyVersion {
    const row = this.byArn.get(policy.arn) as PolicyRow;
    const number = row.next_version;
    const createDate = this.now();
    this.db.transaction(() => {
      this.insertVersion.run(policy.policyId, number, document, createDate.getTime());
      this.bumpNext.run(policy.policyId);
      if (setAsDefault) this.setDefault.run(number, policy.policyId);
    })();
    return { versionId: `v${number}`, document, createDate, isDefaultVersion: setAsDefault };
  }

  deleteVersion(policy: ManagedPolicy, versionId: string): void {
    this.deleteVersionStmt.run(policy.policyId, versionNumber(versionId));
  }

  setDefaultVersion(policy: ManagedPolicy, versionId: string): void {
    this.setDefault.run(versionNumber(versionId), policy.policyId);
  }

  /** Deletes the policy with its (default) version. */
  delete(policy: ManagedPolicy): void {
    this.remove.run(policy.policyId);
  }
}

function versionNumber(versionId: string): number {
  return Number.parseInt(versionId.slice(1), 10);
}

function toPolicy(row: PolicyRow): ManagedPolicy {
  const policy: ManagedPolicy = {
    arn: row.arn,
    policyId: row.policy_id,
    policyName: row.policy_name,
    path: row.path,
    defaultVersionId: `v${row.default_version}`,
    createDate: new Date(row.create_date),
    updateDate: new Date(row.update_date),
    tags: JSON.parse(row.tags) as Tag[],
    awsManaged: false,
  };
  if (row.description !== null) policy.description = row.description;
  return policy;
}
