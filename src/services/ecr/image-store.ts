/**
 * EcrImageStore: the ImageStore of src/registry/contracts.ts over SQLite, shared by ECR's
 * control plane (PutImage, BatchGetImage, DescribeImages, lifecycle) and the OCI data plane
 * (/v2/ manifests, tags, referrers, blob links). `putManifest` is the one place that decides
 * whether a manifest is accepted: size, digest, media type, referenced blobs and child
 * manifests, tag immutability; it stores the bytes exactly as pushed.
 *
 * Blobs must be linked to the repository (pushed or mounted there) before a manifest may
 * reference them, as OCI and ECR require; a blob that is linked but gone from the BlobStore
 * counts as absent.
 */
import { createHash } from 'node:crypto';
import type {
  BlobStore,
  ImageStore,
  PutManifestRequest,
  PutManifestResult,
  RepositoryInfo,
  StoredManifest,
} from '../../core/image-store.js';
import { migrate, type Db } from '../../store/database.js';
import { isDigest, parseManifest, type ParsedManifest } from './manifests.js';
import type { ImageSummary } from './model.js';
import { RepositoryStore } from './repository-store.js';
import { ECR_MIGRATIONS } from './schema.js';
import { matchesWildcard } from './wildcard.js';

/** ECR's and the OCI spec's manifest size limit: 4 MiB. */
export const MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;

export interface EcrImageStoreOptions {
  accountId: string;
  region: string;
  /** host[:port] of the registry, e.g. localhost:4566: repositoryUri is `${registryHost}/${name}`. */
  registryHost: string;
  blobs: Pick<BlobStore, 'has' | 'size'>;
}

interface ManifestRow {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject: string | null;
  size: number;
  pushed_at: number;
  last_pulled_at: number | null;
}

interface ManifestRowWithContent extends ManifestRow {
  content: Buffer;
}

const SUMMARY_COLUMNS = 'digest, media_type, artifact_type, subject, size, pushed_at, last_pulled_at';

/** True when pushing `tag` over another manifest is refused in this repository. */
export function isTagImmutable(
  repository: Pick<RepositoryInfo, 'tagMutability' | 'tagMutabilityExclusionFilters'>,
  tag: string,
): boolean {
  const excluded = (repository.tagMutabilityExclusionFilters ?? []).some((f) => matchesWildcard(f.filter, tag));
  switch (repository.tagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
  }
}

/** The ImageStore over SQLite, plus the repository and image queries of ECR's control plane. */
export class EcrImageStore implements ImageStore {
  readonly repositories: RepositoryStore;
  /** Told the repository that changed: created or deleted, a manifest pushed or deleted, a tag moved or removed. */
  private readonly changeListeners = new Set<(repository: string) => void>();
  private readonly blobs: Pick<BlobStore, 'has' | 'size'>;
  private readonly s;

  constructor(
    private readonly db: Db,
    options: EcrImageStoreOptions,
  ) {
    migrate(db, 'ecr', ECR_MIGRATIONS);
    this.repositories = new RepositoryStore(db, options, (name) => this.changed(name));
    this.blobs = options.blobs;
    this.s = {
      manifest: db.prepare<[string, string], ManifestRowWithContent>(
        `SELECT ${SUMMARY_COLUMNS}, content FROM ecr_manifests WHERE repository = ? AND digest = ?`,
      ),
      manifestSummaries: db.prepare<[string], ManifestRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM ecr_manifests WHERE repository = ? ORDER BY digest`,
      ),
      manifestExists: db.prepare<[string, string], { n: number }>(
        'SELECT 1 AS n FROM ecr_manifests WHERE repository = ? AND digest = ?',
      ),
      anyManifest: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM ecr_manifests WHERE repository = ? LIMIT 1'),
      manifestSize: db.prepare<[string, string], { size: number }>(
        'SELECT size FROM ecr_manifests WHERE repository = ? AND digest = ?',
      ),
      insertManifest: db.prepare(
        `INSERT INTO ecr_manifests (repository, digest, media_type, artifact_type, subject, content, size, pushed_at)
         VALUES (@repository, @digest, @media_type, @artifact_type, @subject, @content, @size, @pushed_at)`,
      ),
      deleteManifest: db.prepare<[string, string]>('DELETE FROM ecr_manifests WHERE repository = ? AND digest = ?'),
      recordPull: db.prepare<[number, string, string]>(
        'UPDATE ecr_manifests SET last_pulled_at = ? WHERE repository = ? AND digest = ?',
      ),
      tagTarget: db.prepare<[string, string], { digest: string }>(
        'SELECT digest FROM ecr_tags WHERE repository = ? AND tag = ?',
      ),
      tagsOf: db.prepare<[string, string], { tag: string }>(
        'SELECT tag FROM ecr_tags WHERE repository = ? AND digest = ? ORDER BY tag',
      ),
      allTags: db.prepare<[string], { tag: string; digest: string }>(
        'SELECT tag, digest FROM ecr_tags WHERE repository = ? ORDER BY tag',
      ),
      tagsAfter: db.prepare<[string, string, number], { tag: string }>(
        'SELECT tag FROM ecr_tags WHERE repository = ? AND tag > ? ORDER BY tag LIMIT ?',
      ),
      putTag: db.prepare<[string, string, string]>(
        'INSERT INTO ecr_tags (repository, tag, digest) VALUES (?, ?, ?) ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest',
      ),
      deleteTag: db.prepare<[string, string]>('DELETE FROM ecr_tags WHERE repository = ? AND tag = ?'),
      insertReference: db.prepare<[string, string, string, string]>(
        'INSERT INTO ecr_references (repository, digest, kind, target) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      indexesReferencing: db.prepare<[string, string], { digest: string }>(
        "SELECT digest FROM ecr_references WHERE repository = ? AND kind = 'manifest' AND target = ? ORDER BY digest",
      ),
      blobReferenced: db.prepare<[string], { n: number }>(
        "SELECT 1 AS n FROM ecr_references WHERE target = ? AND kind = 'blob' LIMIT 1",
      ),
      manifestDigestAnywhere: db.prepare<[string], { n: number }>(
        'SELECT 1 AS n FROM ecr_manifests WHERE digest = ? LIMIT 1',
      ),
      referrers: db.prepare<[string, string], ManifestRowWithContent>(
        `SELECT ${SUMMARY_COLUMNS}, content FROM ecr_manifests WHERE repository = ? AND subject = ? ORDER BY digest`,
      ),
      link: db.prepare<[string, string]>(
        'INSERT INTO ecr_blob_links (repository, digest) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      linked: db.prepare<[string, string], { n: number }>(
        'SELECT 1 AS n FROM ecr_blob_links WHERE repository = ? AND digest = ?',
      ),
    };
  }

  getRepository(name: string): RepositoryInfo | undefined {
    return this.repositories.get(name);
  }

  putManifest(request: PutManifestRequest): PutManifestResult {
    const repository = this.repositories.get(request.repository);
    if (!repository) return { ok: false, failure: { kind: 'repositoryNotFound' } };
    if (request.content.length > MANIFEST_SIZE_LIMIT)
      return { ok: false, failure: { kind: 'tooLarge', limit: MANIFEST_SIZE_LIMIT } };
    const digest = `sha256:${createHash('sha256').update(request.content).digest('hex')}`;
    if (request.expectedDigest !== undefined && request.expectedDigest !== digest) {
      const message = request.expectedDigest.startsWith('sha256:')
        ? `The manifest's digest is ${digest}, not ${request.expectedDigest}`
        : `Unsupported digest algorithm in ${request.expectedDigest}: manifests are addressed by sha256`;
      return { ok: false, failure: { kind: 'digestMismatch', message } };
    }
    const parsed = parseManifest(request.content, request.mediaType);
    if (!parsed.ok) return { ok: false, failure: { kind: 'invalidManifest', message: parsed.message } };
    const manifest = parsed.manifest;
    const name = repository.name;

    const blobs = manifest.kind === 'image' && manifest.config ? [manifest.config, ...manifest.layers] : [];
    for (const blob of blobs) {
      if (!this.isBlobLinked(name, blob.digest))
        return { ok: false, failure: { kind: 'blobUnknown', digest: blob.digest } };
    }
    for (const child of manifest.manifests) {
      if (!this.s.manifestExists.get(name, child.digest))
        return { ok: false, failure: { kind: 'manifestUnknown', digest: child.digest } };
    }

    const result = this.db.transaction((): PutManifestResult => {
      const tag = request.tag;
      const exists = this.s.manifestExists.get(name, digest) !== undefined;
      if (tag !== undefined) {
        const current = this.s.tagTarget.get(name, tag)?.digest;
        if (current === digest && request.refuseIdenticalTag)
          return { ok: false, failure: { kind: 'alreadyExists', tag, digest } };
        if (current !== undefined && current !== digest && isTagImmutable(repository, tag)) {
          return { ok: false, failure: { kind: 'tagImmutable', tag, repository: name } };
        }
      } else if (exists && request.refuseIdenticalTag) {
        return { ok: false, failure: { kind: 'alreadyExists', digest } };
      }
      if (!exists) this.insert(name, digest, request, manifest);
      if (tag !== undefined) this.s.putTag.run(name, tag, digest);
      return { ok: true, digest, created: !exists };
    })();
    if (result.ok) this.changed(name);
    return result;
  }

  /** Calls `listener` with the repository after each later change of its images; returns the unsubscribe function. */
  onChange(listener: (repository: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => void this.changeListeners.delete(listener);
  }

  private changed(repository: string): void {
    if (this.changeListeners.size === 0) return;
    // On a microtask: never inside a caller's transaction.
    queueMicrotask(() => {
      for (const listener of this.changeListeners) {
        try {
          listener(repository);
        } catch {
          // A subscriber's failure is its own.
        }
      }
    });
  }

  getManifest(repository: string, reference: string): StoredManifest | undefined {
    const digest = isDigest(reference) ? reference : this.s.tagTarget.get(repository, reference)?.digest;
    if (digest === undefined) return undefined;
    const row = this.s.manifest.get(repository, digest);
    return row ? this.toManifest(repository, row, row.content) : undefined;
  }

  listTags(repository: string, options: { n?: number; last?: string } = {}): string[] {
    const limit = options.n ?? -1; // SQLite: a negative LIMIT means none
    return this.s.tagsAfter.all(repository, options.last ?? '', limit).map((r) => r.tag);
  }

  deleteManifest(repository: string, digest: string): boolean {
    const deleted = this.s.deleteManifest.run(repository, digest).changes > 0;
    if (deleted) this.changed(repository);
    return deleted;
  }

  referrers(repository: string, digest: string, artifactType?: string): StoredManifest[] {
    return this.s.referrers
      .all(repository, digest)
      .filter((row) => artifactType === undefined || row.artifact_type === artifactType)
      .map((row) => this.toManifest(repository, row, row.content));
  }

  recordPull(repository: string, digest: string, now: Date): void {
    this.s.recordPull.run(now.getTime(), repository, digest);
  }

  isBlobLinked(repository: string, digest: string): boolean {
    return this.s.linked.get(repository, digest) !== undefined && this.blobs.has(digest);
  }

  linkBlob(repository: string, digest: string): void {
    this.s.link.run(repository, digest);
  }

  unreferencedBlobs(candidates: Iterable<string>): string[] {
    const out: string[] = [];
    for (const digest of candidates) {
      if (!this.s.blobReferenced.get(digest) && !this.s.manifestDigestAnywhere.get(digest)) out.push(digest);
    }
    return out;
  }

  // ---- control-plane queries beyond the contract ----

  /** Every image of the repository without its bytes, by digest, with its tags (sorted). */
  images(repository: string): ImageSummary[] {
    const tags = new Map<string, string[]>();
    for (const { tag, digest } of this.s.allTags.all(repository)) {
      const list = tags.get(digest);
      if (list) list.push(tag);
      else tags.set(digest, [tag]);
    }
    return this.s.manifestSummaries
      .all(repository)
      .map((row) => this.toSummary(repository, row, tags.get(row.digest) ?? []));
  }

  hasImages(repository: string): boolean {
    return this.s.anyManifest.get(repository) !== undefined;
  }

  /** Removes one tag; the image stays (callers decide whether an untagged image goes too). */
  removeTag(repository: string, tag: string): boolean {
    const removed = this.s.deleteTag.run(repository, tag).changes > 0;
    if (removed) this.changed(repository);
    return removed;
  }

  /** Digests of the manifest lists / indexes in the repository that reference `digest`. */
  indexesReferencing(repository: string, digest: string): string[] {
    return this.s.indexesReferencing.all(repository, digest).map((r) => r.digest);
  }

  private insert(repository: string, digest: string, request: PutManifestRequest, manifest: ParsedManifest): void {
    this.s.insertManifest.run({
      repository,
      digest,
      media_type: manifest.mediaType,
      artifact_type: manifest.artifactType ?? null,
      subject: manifest.subjectDigest ?? null,
      content: request.content,
      size: this.imageSize(repository, manifest),
      pushed_at: request.now.getTime(),
    });
    if (manifest.config) this.s.insertReference.run(repository, digest, 'blob', manifest.config.digest);
    for (const layer of manifest.layers) this.s.insertReference.run(repository, digest, 'blob', layer.digest);
    for (const child of manifest.manifests) this.s.insertReference.run(repository, digest, 'manifest', child.digest);
  }

  /** ECR's imageSizeInBytes: config plus layers as stored; for an index, its largest child. */
  private imageSize(repository: string, manifest: ParsedManifest): number {
    if (manifest.kind === 'index') {
      return manifest.manifests.reduce(
        (max, child) => Math.max(max, this.s.manifestSize.get(repository, child.digest)?.size ?? 0),
        0,
      );
    }
    const blobs = manifest.config ? [manifest.config, ...manifest.layers] : manifest.layers;
    return blobs.reduce((sum, blob) => sum + (this.blobs.size(blob.digest) ?? blob.size), 0);
  }

  private toSummary(repository: string, row: ManifestRow, tags: string[]): ImageSummary {
    const summary: ImageSummary = {
      repository,
      digest: row.digest,
      mediaType: row.media_type,
      tags,
      imageSizeInBytes: row.size,
      pushedAt: new Date(row.pushed_at),
    };
    if (row.artifact_type !== null) summary.artifactType = row.artifact_type;
    if (row.subject !== null) summary.subjectDigest = row.subject;
    if (row.last_pulled_at !== null) summary.lastPulledAt = new Date(row.last_pulled_at);
    return summary;
  }

  private toManifest(repository: string, row: ManifestRow, content: Buffer): StoredManifest {
    const tags = this.s.tagsOf.all(repository, row.digest).map((r) => r.tag);
    return { ...this.toSummary(repository, row, tags), content };
  }
}
