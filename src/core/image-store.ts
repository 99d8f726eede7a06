/**
 * The contract between ECR's control plane (src/services/ecr: repositories, image metadata,
 * lifecycle) and the OCI distribution data plane (src/registry: /v2/ routes, uploads, the
 * content-addressed blob store). Both sides share one truth: a repository's manifests, tags
 * and linked blobs live in the ImageStore; blob bytes live in the BlobStore. Pushing a
 * manifest (data plane PUT or ECR PutImage) goes through the same `putManifest`, so
 * immutability, reference checks and sizes are decided in exactly one place.
 */
import type { Readable } from 'node:stream';

/** A repository as both planes need it. */
export interface RepositoryInfo {
  name: string;
  /** arn:aws:ecr:REGION:ACCOUNT:repository/NAME */
  arn: string;
  registryId: string;
  /** <host>/<name>: where clients push and pull */
  uri: string;
  tagMutability: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';
  /** Tag filters for the *_WITH_EXCLUSION modes. */
  tagMutabilityExclusionFilters?: { filterType: 'WILDCARD'; filter: string }[];
  createdAt: Date;
  /** The repository policy (resource-based), if set. */
  policyText?: string;
}

/** A stored manifest (an "image" in ECR's words). */
export interface StoredManifest {
  repository: string;
  /** sha256:… of `content` */
  digest: string;
  mediaType: string;
  artifactType?: string;
  /** For OCI referrers: the manifest this one refers to. */
  subjectDigest?: string;
  /** The exact bytes as pushed. */
  content: Buffer;
  tags: string[];
  /** ECR's imageSizeInBytes: the sum of layer (and config) sizes; for an index, the largest child's. */
  imageSizeInBytes: number;
  pushedAt: Date;
  lastPulledAt?: Date;
}

/** Why a manifest push is refused; each plane words it in its own protocol. */
export type ManifestPushFailure =
  | { kind: 'repositoryNotFound' }
  | { kind: 'invalidManifest'; message: string }
  | { kind: 'digestMismatch'; message: string }
  | { kind: 'blobUnknown'; digest: string }
  | { kind: 'manifestUnknown'; digest: string }
  | { kind: 'tooLarge'; limit: number }
  /** The tag exists on another manifest and the repository's tags are immutable. */
  | { kind: 'tagImmutable'; tag: string; repository: string }
  /** ECR PutImage only: the identical manifest already carries this tag. */
  | { kind: 'alreadyExists'; tag?: string; digest: string };

export interface PutManifestRequest {
  repository: string;
  content: Buffer;
  mediaType: string;
  /** The tag to point at the manifest, if pushed by tag. */
  tag?: string;
  /** When pushed by digest: the digest the client named, which must match the content. */
  expectedDigest?: string;
  /** ECR PutImage reports an identical re-push as ImageAlreadyExistsException; the data plane accepts it. */
  refuseIdenticalTag?: boolean;
  now: Date;
}

export type PutManifestResult =
  { ok: true; digest: string; created: boolean } | { ok: false; failure: ManifestPushFailure };

/** Repository content metadata: implemented over SQLite by the ECR side. Synchronous (better-sqlite3). */
export interface ImageStore {
  getRepository(name: string): RepositoryInfo | undefined;
  putManifest(request: PutManifestRequest): PutManifestResult;
  /** By tag or by digest ("sha256:…"). */
  getManifest(repository: string, reference: string): StoredManifest | undefined;
  /** Tags in lexical order, after `last`, at most `n`. */
  listTags(repository: string, options?: { n?: number; last?: string }): string[];
  /** Deletes a manifest (and its tags) by digest; false if absent. */
  deleteManifest(repository: string, digest: string): boolean;
  /** Manifests whose subject is `digest`, optionally of one artifactType. */
  referrers(repository: string, digest: string, artifactType?: string): StoredManifest[];
  recordPull(repository: string, digest: string, now: Date): void;
  /** Blob visibility per repository (a blob is pullable from a repository once linked there). */
  isBlobLinked(repository: string, digest: string): boolean;
  linkBlob(repository: string, digest: string): void;
  /** Digests of blobs no manifest in any repository references and no upload holds: for GC. */
  unreferencedBlobs(candidates: Iterable<string>): string[];
}

/** Blob bytes: implemented on disk by the data-plane side. */
export interface BlobStore {
  has(digest: string): boolean;
  /** Size in bytes, or undefined when absent. */
  size(digest: string): number | undefined;
  /** Streams the blob (optionally a byte range), verifying it was not corrupted on disk. */
  open(digest: string, range?: { start: number; end: number }): Readable;
  /** Stores a small blob from memory (ECR PutImage's config, tests). */
  put(content: Buffer): string;
  delete(digest: string): void;
  /** Every stored digest, for garbage collection. */
  list(): Iterable<string>;
}
