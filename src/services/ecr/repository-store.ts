/**
 * Repositories: their rows in ecr_repositories, the settings the control plane changes
 * (tag mutability, tags, repository and lifecycle policies) and the last lifecycle preview.
 * Names are unique as given (ECR names are lowercase by their pattern).
 */
import type { Db } from '../../store/database.js';
import type {
  EncryptionConfiguration,
  EncryptionType,
  ExclusionFilter,
  Repository,
  Tag,
  TagMutability,
} from './model.js';

interface RepositoryRow {
  name: string;
  created_at: number;
  tag_mutability: string;
  exclusion_filters: string | null;
  scan_on_push: number;
  encryption_type: string;
  kms_key: string | null;
  tags: string;
  policy_text: string | null;
  lifecycle_policy: string | null;
  lifecycle_evaluated_at: number | null;
}

/** What CreateRepository supplies. */
export interface NewRepository {
  name: string;
  tagMutability: TagMutability;
  exclusionFilters?: ExclusionFilter[];
  scanOnPush: boolean;
  encryption: EncryptionConfiguration;
  tags: Tag[];
  createdAt: Date;
}

/** The result of StartLifecyclePolicyPreview, kept until the next preview. */
export interface LifecyclePreview {
  policyText: string;
  results: { digest: string; tags: string[]; pushedAt: Date; rulePriority: number }[];
}

/** Where a repository's address and ARN come from. */
export interface RepositoryAddressing {
  accountId: string;
  region: string;
  registryHost: string;
}

const COLUMNS =
  'name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key, tags, policy_text, lifecycle_policy, lifecycle_evaluated_at';

/** arn:aws:ecr:REGION:ACCOUNT:repository/NAME */
export function repositoryArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
}

/** Repository rows and their settings. */
export class RepositoryStore {
  private readonly byName;
  private readonly all;
  private readonly insert;
  private readonly remove;
  private readonly setColumn;

  constructor(
    private readonly db: Db,
    private readonly addressing: RepositoryAddressing,
    /** Told a repository's name after it is created or deleted (EcrImageStore's change feed). */
    private readonly changed: (name: string) => void = () => undefined,
  ) {
    this.byName = db.prepare<[string], RepositoryRow>(`SELECT ${COLUMNS} FROM ecr_repositories WHERE name = ?`);
    this.all = db.prepare<[], RepositoryRow>(`SELECT ${COLUMNS} FROM ecr_repositories ORDER BY name`);
    this.insert = db.prepare(
      `INSERT INTO ecr_repositories (name, created_at, tag_mutability, exclusion_filters, scan_on_push, encryption_type, kms_key, tags)
       VALUES (@name, @created_at, @tag_mutability, @exclusion_filters, @scan_on_push, @encryption_type, @kms_key, @tags)
       ON CONFLICT (name) DO NOTHING`,
    );
    this.remove = db.prepare<[string]>('DELETE FROM ecr_repositories WHERE name = ?');
    const column = (name: string) =>
      db.prepare<[string | number | null, string]>(`UPDATE ecr_repositories SET ${name} = ? WHERE name = ?`);
    this.setColumn = {
      tags: column('tags'),
      policy: column('policy_text'),
      lifecycle: column('lifecycle_policy'),
      evaluatedAt: column('lifecycle_evaluated_at'),
      preview: column('lifecycle_preview'),
    };
  }

  get(name: string): Repository | undefined {
    const row = this.byName.get(name);
    return row ? this.toRepository(row) : undefined;
  }

  /** Every repository, by name. */
  list(): Repository[] {
    return this.all.all().map((row) => this.toRepository(row));
  }

  /** Creates the repository; false when the name is taken. */
  create(input: NewRepository): boolean {
    const result = this.insert.run({
      name: input.name,
      created_at: input.createdAt.getTime(),
      tag_mutability: input.tagMutability,
      exclusion_filters: input.exclusionFilters ? JSON.stringify(input.exclusionFilters) : null,
      scan_on_push: input.scanOnPush ? 1 : 0,
      encryption_type: input.encryption.encryptionType,
      kms_key: input.encryption.kmsKey ?? null,
      tags: JSON.stringify(input.tags),
    });
    if (result.changes === 0) return false;
    this.changed(input.name);
    return true;
  }

  /** Deletes the repository and, by cascade, its images, tags and blob links. */
  delete(name: string): boolean {
    if (this.remove.run(name).changes === 0) return false;
    this.changed(name);
    return true;
  }

  setTagMutability(name: string, mutability: TagMutability, filters: ExclusionFilter[] | undefined): void {
    this.db
      .prepare<[string, string | null, string]>(
        'UPDATE ecr_repositories SET tag_mutability = ?, exclusion_filters = ? WHERE name = ?',
      )
      .run(mutability, filters ? JSON.stringify(filters) : null, name);
  }

  setTags(name: string, tags: Tag[]): void {
    this.setColumn.tags.run(JSON.stringify(tags), name);
  }

  /** Sets (text) or removes (undefined) the repository policy. */
  setPolicy(name: string, text: string | undefined): void {
    this.setColumn.policy.run(text ?? null, name);
  }

  /** Sets (text) or removes (undefined) the lifecycle policy. */
  setLifecyclePolicy(name: string, text: string | undefined): void {
    this.setColumn.lifecycle.run(text ?? null, name);
  }

  setLifecycleEvaluatedAt(name: string, at: Date): void {
    this.setColumn.evaluatedAt.run(at.getTime(), name);
  }

  setLifecyclePreview(name: string, preview: LifecyclePreview): void {
    const stored = {
      policyText: preview.policyText,
      results: preview.results.map((r) => ({ ...r, pushedAt: r.pushedAt.getTime() })),
    };
    this.setColumn.preview.run(JSON.stringify(stored), name);
  }

  lifecyclePreview(name: string): LifecyclePreview | undefined {
    const row = this.db
      .prepare<[string], { lifecycle_preview: string | null }>(
        'SELECT lifecycle_preview FROM ecr_repositories WHERE name = ?',
      )
      .get(name);
    if (!row?.lifecycle_preview) return undefined;
    const stored = JSON.parse(row.lifecycle_preview) as {
      policyText: string;
      results: { digest: string; tags: string[]; pushedAt: number; rulePriority: number }[];
    };
    return {
      policyText: stored.policyText,
      results: stored.results.map((r) => ({ ...r, pushedAt: new Date(r.pushedAt) })),
    };
  }

  private toRepository(row: RepositoryRow): Repository {
    const { accountId, region, registryHost } = this.addressing;
    const repository: Repository = {
      name: row.name,
      arn: repositoryArn(region, accountId, row.name),
      registryId: accountId,
      uri: `${registryHost}/${row.name}`,
      tagMutability: row.tag_mutability as TagMutability,
      createdAt: new Date(row.created_at),
      scanOnPush: row.scan_on_push === 1,
      encryption:
        row.kms_key === null
          ? { encryptionType: row.encryption_type as EncryptionType }
          : { encryptionType: row.encryption_type as EncryptionType, kmsKey: row.kms_key },
      tags: JSON.parse(row.tags) as Tag[],
    };
    if (row.exclusion_filters !== null)
      repository.tagMutabilityExclusionFilters = JSON.parse(row.exclusion_filters) as ExclusionFilter[];
    if (row.policy_text !== null) repository.policyText = row.policy_text;
    if (row.lifecycle_policy !== null) repository.lifecyclePolicyText = row.lifecycle_policy;
    if (row.lifecycle_evaluated_at !== null) repository.lifecycleEvaluatedAt = new Date(row.lifecycle_evaluated_at);
    return repository;
  }
}
