/**
 * An in-memory ImageStore for the registry's tests, implementing the contract as the ECR side
 * does: exact bytes, digest checks, referenced blobs and child manifests required (in the
 * same repository), immutability, referrers by subject, blob links per repository, and the
 * set of blobs no manifest references. The integrator runs the same suite over the SQLite one.
 */
import { createHash } from 'node:crypto';
import type { ImageStore, PutManifestRequest, PutManifestResult, RepositoryInfo, StoredManifest } from '../../../src/registry/contracts.js';

const LIMIT = 4 * 1024 * 1024;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
}

interface Repo {
  info: RepositoryInfo;
  manifests: Map<string, StoredManifest & { blobs: string[] }>;
  tags: Map<string, string>;
  links: Set<string>;
}

export class MemoryImageStore implements ImageStore {
  private readonly repos = new Map<string, Repo>();

  constructor(
    private readonly hasBlob: (digest: string) => boolean,
    private readonly account = '123456789012',
    private readonly region = 'us-east-1',
  ) {}

  createRepository(name: string, options: { tagMutability?: RepositoryInfo['tagMutability']; policyText?: string } = {}): RepositoryInfo {
    const info: RepositoryInfo = {
      name,
      arn: `arn:aws:ecr:${this.region}:${this.account}:repository/${name}`,
      registryId: this.account,
      uri: `${this.account}.dkr.ecr.${this.region}.localhost/${name}`,
      tagMutability: options.tagMutability ?? 'MUTABLE',
      createdAt: new Date(0),
      ...(options.policyText ? { policyText: options.policyText } : {}),
    };
    this.repos.set(name, { info, manifests: new Map(), tags: new Map(), links: new Set() });
    return info;
  }

  getRepository(name: string): RepositoryInfo | undefined {
    return this.repos.get(name)?.info;
  }

  putManifest(request: PutManifestRequest): PutManifestResult {
    const repo = this.repos.get(request.repository);
    if (!repo) return { ok: false, failure: { kind: 'repositoryNotFound' } };
    if (request.content.length > LIMIT) return { ok: false, failure: { kind: 'tooLarge', limit: LIMIT } };
    const digest = `sha256:${createHash('sha256').update(request.content).digest('hex')}`;
    if (request.expectedDigest && request.expectedDigest !== digest) {
      return { ok: false, failure: { kind: 'digestMismatch', message: `manifest digest ${digest} does not match ${request.expectedDigest}` } };
    }
    let doc: Record<string, unknown>;
    try {
      const parsed = JSON.parse(request.content.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      doc = parsed as Record<string, unknown>;
    } catch {
      return { ok: false, failure: { kind: 'invalidManifest', message: 'the manifest is not a JSON object' } };
    }
    if (typeof doc.mediaType === 'string' && doc.mediaType !== request.mediaType) {
      return { ok: false, failure: { kind: 'invalidManifest', message: `mediaType ${doc.mediaType} does not match Content-Type ${request.mediaType}` } };
    }
    const blobs: string[] = [];
    let size = 0;
    if (INDEX_TYPES.has(request.mediaType)) {
      for (const child of descriptors(doc.manifests)) {
        const stored = repo.manifests.get(child.digest);
        if (!stored) return { ok: false, failure: { kind: 'manifestUnknown', digest: child.digest } };
        size = Math.max(size, stored.imageSizeInBytes);
      }
    } else if (MANIFEST_TYPES.has(request.mediaType)) {
      const config = descriptors([doc.config])[0];
      if (!config) return { ok: false, failure: { kind: 'invalidManifest', message: 'the manifest has no config' } };
      for (const d of [config, ...descriptors(doc.layers)]) {
        if (!this.hasBlob(d.digest) || !repo.links.has(d.digest)) return { ok: false, failure: { kind: 'blobUnknown', digest: d.digest } };
        blobs.push(d.digest);
        size += d.size ?? 0;
      }
    } else {
      return { ok: false, failure: { kind: 'invalidManifest', message: `unsupported manifest media type ${request.mediaType}` } };
    }
    if (request.tag) {
      const current = repo.tags.get(request.tag);
      if (current && current !== digest && repo.info.tagMutability === 'IMMUTABLE') {
        return { ok: false, failure: { kind: 'tagImmutable', tag: request.tag, repository: request.repository } };
      }
      if (current === digest && request.refuseIdenticalTag) return { ok: false, failure: { kind: 'alreadyExists', tag: request.tag, digest } };
    }
    const existing = repo.manifests.get(digest);
    const subject = descriptors([doc.subject])[0]?.digest;
    const config = descriptors([doc.config])[0];
    const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : config?.mediaType;
    const manifest = existing ?? {
      repository: request.repository,
      digest,
      mediaType: request.mediaType,
      ...(artifactType ? { artifactType } : {}),
      ...(subject ? { subjectDigest: subject } : {}),
      content: Buffer.from(request.content),
      tags: [],
      imageSizeInBytes: size,
      pushedAt: request.now,
      blobs,
    };
    repo.manifests.set(digest, manifest);
    if (request.tag) {
      const previous = repo.tags.get(request.tag);
      const old = previous ? repo.manifests.get(previous) : undefined;
      if (old) old.tags = old.tags.filter((t) => t !== request.tag);
      repo.tags.set(request.tag, digest);
      if (!manifest.tags.includes(request.tag)) manifest.tags.push(request.tag);
    }
    return { ok: true, digest, created: !existing };
  }

  getManifest(repository: string, reference: string): StoredManifest | undefined {
    const repo = this.repos.get(repository);
    if (!repo) return undefined;
    const digest = reference.includes(':') ? reference : repo.tags.get(reference);
    return digest ? repo.manifests.get(digest) : undefined;
  }

  listTags(repository: string, options: { n?: number; last?: string } = {}): string[] {
    const repo = this.repos.get(repository);
    if (!repo) return [];
    const last = options.last;
    const tags = [...repo.tags.keys()].sort().filter((t) => last === undefined || t > last);
    return options.n === undefined ? tags : tags.slice(0, options.n);
  }

  deleteManifest(repository: string, digest: string): boolean {
    const repo = this.repos.get(repository);
    const manifest = repo?.manifests.get(digest);
    if (!repo || !manifest) return false;
    for (const tag of manifest.tags) repo.tags.delete(tag);
    repo.manifests.delete(digest);
    return true;
  }

  referrers(repository: string, digest: string, artifactType?: string): StoredManifest[] {
    const repo = this.repos.get(repository);
    if (!repo) return [];
    return [...repo.manifests.values()].filter((m) => m.subjectDigest === digest && (artifactType === undefined || m.artifactType === artifactType));
  }

  recordPull(repository: string, digest: string, now: Date): void {
    const manifest = this.repos.get(repository)?.manifests.get(digest);
    if (manifest) manifest.lastPulledAt = now;
  }

  isBlobLinked(repository: string, digest: string): boolean {
    return this.repos.get(repository)?.links.has(digest) ?? false;
  }

  linkBlob(repository: string, digest: string): void {
    this.repos.get(repository)?.links.add(digest);
  }

  unreferencedBlobs(candidates: Iterable<string>): string[] {
    const referenced = new Set<string>();
    for (const repo of this.repos.values()) for (const m of repo.manifests.values()) for (const b of m.blobs) referenced.add(b);
    return [...candidates].filter((d) => !referenced.has(d));
  }
}

function descriptors(value: unknown): Descriptor[] {
  if (!Array.isArray(value)) return [];
  return value.filter((d): d is Descriptor => !!d && typeof d === 'object' && typeof (d as Descriptor).digest === 'string');
}
