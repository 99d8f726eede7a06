/**
 * The results service a job's artifact and cache clients talk to (ACTIONS_RESULTS_URL): the
 * Twirp ArtifactService and CacheService of github.actions.results.api.v1, whose answers carry
 * signed blob URLs that blob-endpoint.ts serves.
 *
 * Who sees what: a call needs a registered job's runtime token. Artifacts belong to the token's
 * run (the backend ids a call names must be the token's); caches to the token's repository, written
 * in the job's ref and read from it and then from the default branch, as GitHub scopes them.
 *
 * Fidelity: request and answer fields, the cache lookup order (exact key, then key prefix, then
 * each restore key as a prefix; the job's ref first, then the default branch), `ok: false` for
 * a cache miss and for a key already saved in the scope, 409 already_exists for a second
 * artifact of one name in a run, retention from `expires_at` (at most 90 days), caches
 * evicted after 7 days unused or when the repository is over its quota (least recently used
 * first). Gaps: artifacts of other runs (GitHub's REST API) and the Migrate* calls.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { ApiRequest, ApiResponse } from '../protocols/http-types.js';
import { header } from '../protocols/http-types.js';
import type { Db } from '../store/database.js';
import { BlobFiles } from './blob-files.js';
import { BlobUrls } from './blob-urls.js';
import { ResultsStore, type ArtifactRecord, type CacheRecord } from './results-store.js';
import { RuntimeTokens, type RuntimeGrant } from './runtime-token.js';
import { Fields, json, TWIRP_PREFIX, TwirpError, twirpError } from './twirp.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The service's bounds; tests shrink them. */
export interface ResultsLimits {
  /** Largest artifact or cache entry, in bytes. */
  maxBlobBytes: number;
  /** Largest single Put Block or Put Blob body. */
  maxBlockBytes: number;
  /** Total cache bytes a repository keeps before the least recently used entries go (GitHub: 10 GB). */
  cacheQuotaBytes: number;
}

export const DEFAULT_LIMITS: ResultsLimits = {
  maxBlobBytes: 10 * 1024 ** 3,
  maxBlockBytes: 256 * 1024 ** 2,
  cacheQuotaBytes: 10 * 1024 ** 3,
};

/** GitHub's longest artifact retention, and its default. */
const MAX_RETENTION_DAYS = 90;
/** GitHub evicts a cache entry not accessed for 7 days. */
const CACHE_UNUSED_DAYS = 7;
/** How long an upload URL is good for, and how long an upload may stay unfinished. */
const UPLOAD_URL_TTL_MS = 6 * 60 * 60 * 1000;
const DOWNLOAD_URL_TTL_MS = 60 * 60 * 1000;
/** A job's token outlives its longest run (6 hours) by a margin; revocation ends it sooner. */
const TOKEN_TTL_MS = 7 * 60 * 60 * 1000;

/** What the runner tells about a job it starts. */
export interface ResultsJob {
  repository: string;
  runId: number;
  /** The run's ref (refs/heads/…, refs/tags/…): the cache scope the job writes. */
  ref: string;
  /** The repository's default branch name. */
  defaultBranch: string;
}

export interface ResultsJobRegistration {
  /** ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and the cache variables, as a hosted runner sets them. */
  variables: Record<string, string>;
  /** The runtime token (for the job's log masker). */
  token: string;
  revoke(): void;
}

/** A verified blob URL's record and what it may do. */
export type BlobTarget = { kind: 'artifact'; record: ArtifactRecord } | { kind: 'cache'; record: CacheRecord };

export class ResultsService {
  readonly store: ResultsStore;
  readonly files: BlobFiles;
  readonly urls: BlobUrls;
  private readonly tokens = new RuntimeTokens();
  private readonly jobs = new Map<string, RuntimeGrant>();

  constructor(
    db: Db,
    dataDir: string,
    private readonly baseUrl: string,
    readonly clock: Clock,
    readonly limits: ResultsLimits = DEFAULT_LIMITS,
  ) {
    this.store = new ResultsStore(db);
    this.files = new BlobFiles(dataDir);
    this.urls = new BlobUrls(baseUrl);
  }

  registerJob(job: ResultsJob): ResultsJobRegistration {
    const now = this.clock.now().getTime();
    const defaultRef = `refs/heads/${job.defaultBranch}`;
    const grant: RuntimeGrant = {
      repository: job.repository,
      runId: job.runId,
      runBackendId: uuidOf(`run:${job.repository}:${job.runId}`),
      jobBackendId: randomUUID(),
      cacheWriteScope: job.ref,
      cacheReadScopes: job.ref === defaultRef ? [job.ref] : [job.ref, defaultRef],
      expiresAt: Math.floor((now + TOKEN_TTL_MS) / 1000),
    };
    this.jobs.set(grant.jobBackendId, grant);
    const token = this.tokens.sign(grant, Math.floor(now / 1000));
    const url = `${this.baseUrl}/`;
    return {
      token,
      variables: {
        ACTIONS_RUNTIME_TOKEN: token,
        ACTIONS_RESULTS_URL: url,
        ACTIONS_CACHE_URL: url,
        ACTIONS_CACHE_SERVICE_V2: 'True',
      },
      revoke: () => void this.jobs.delete(grant.jobBackendId),
    };
  }

  /** Answers one Twirp call. */
  async handle(request: ApiRequest): Promise<ApiResponse> {
    try {
      if (request.method !== 'POST')
        throw new TwirpError('bad_route', `unsupported method ${request.method} (only POST is allowed)`);
      const [service, method] = request.path.slice(TWIRP_PREFIX.length).split('/');
      const type = (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        throw new TwirpError(
          'bad_route',
          'dockyard serves the Twirp JSON encoding only (Content-Type: application/json)',
        );
      }
      const grant = this.authenticate(header(request, 'authorization'));
      const fields = Fields.parse(request.body);
      if (service === 'ArtifactService') return json(200, await this.artifactCall(method ?? '', grant, fields));
      if (service === 'CacheService') return json(200, await this.cacheCall(method ?? '', grant, fields));
      throw new TwirpError('bad_route', `no handler for path ${request.path.slice(0, 200)}`);
    } catch (error) {
      if (error instanceof TwirpError) return twirpError(error);
      throw error;
    }
  }

  /** Drops expired artifacts, unused caches and abandoned uploads, with their bytes. */
  sweep(): void {
    const now = this.clock.now().getTime();
    for (const record of this.store.expiredArtifacts(now, now - UPLOAD_URL_TTL_MS)) {
      this.store.deleteArtifact(record.id);
      this.files.remove(record.blobId);
    }
    for (const record of this.store.expiredCaches(now - CACHE_UNUSED_DAYS * DAY_MS, now - UPLOAD_URL_TTL_MS)) {
      this.store.deleteCacheEntry(record.id);
      this.files.remove(record.blobId);
    }
  }

  /** The record a verified blob id names, if it still exists. */
  blobTarget(blobId: string): BlobTarget | undefined {
    const artifact = this.store.artifactByBlob(blobId);
    if (artifact !== undefined) {
      return artifact.expiresAt <= this.clock.now().getTime() ? undefined : { kind: 'artifact', record: artifact };
    }
    const cache = this.store.cacheByBlob(blobId);
    return cache === undefined ? undefined : { kind: 'cache', record: cache };
  }

  private authenticate(authorization: string | undefined): RuntimeGrant {
    const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined)
      throw new TwirpError('unauthenticated', 'an Authorization header with the runtime token is required');
    const jobId = this.tokens.verify(token);
    const grant = jobId === undefined ? undefined : this.jobs.get(jobId);
    if (grant === undefined || grant.expiresAt * 1000 <= this.clock.now().getTime()) {
      throw new TwirpError(
        'unauthenticated',
        'the runtime token is not valid (unknown, expired, or its job has ended)',
      );
    }
    return grant;
  }

  private async artifactCall(method: string, grant: RuntimeGrant, fields: Fields): Promise<object> {
    const runId = fields.text('workflow_run_backend_id', 64);
    const jobId = fields.text('workflow_job_run_backend_id', 64);
    // Any job of the run reads its artifacts (a download names the uploading job); only the job itself writes.
    const writes = method === 'CreateArtifact' || method === 'FinalizeArtifact';
    if (runId !== grant.runBackendId || (writes && jobId !== grant.jobBackendId)) {
      throw new TwirpError(
        'permission_denied',
        'the workflow run and job backend ids are not those of the runtime token',
      );
    }
    const now = this.clock.now().getTime();
    switch (method) {
      case 'CreateArtifact': {
        const name = artifactName(fields.text('name', 256));
        const version = fields.optionalInteger('version') ?? 4;
        if (version !== 4)
          throw new TwirpError('invalid_argument', `artifact version ${version} is not supported (only 4)`);
        const latest = now + MAX_RETENTION_DAYS * DAY_MS;
        const expiresAt = Math.min(fields.optionalTimestamp('expires_at') ?? latest, latest);
        if (expiresAt <= now) throw new TwirpError('invalid_argument', 'expires_at must be in the future');
        const existing = this.store.artifact(runId, name);
        if (existing?.finalized === true) {
          throw new TwirpError(
            'already_exists',
            `an artifact with this name already exists on the workflow run: ${name}`,
          );
        }
        if (existing !== undefined) this.dropArtifact(existing);
        const record = this.store.createArtifact({
          repository: grant.repository,
          runId: grant.runId,
          runBackendId: runId,
          jobBackendId: jobId,
          name,
          createdAt: now,
          expiresAt,
        });
        return { ok: true, signed_upload_url: this.urls.sign(record.blobId, 'cw', new Date(now + UPLOAD_URL_TTL_MS)) };
      }
      case 'FinalizeArtifact': {
        const record = this.pendingArtifact(runId, fields.text('name', 256));
        const size = fields.integer('size');
        const hash = fields.optionalText('hash', 100);
        await this.checkUpload(record.blobId, size, hash);
        this.store.finalizeArtifact(record.id, size, hash ?? null);
        return { ok: true, artifact_id: String(record.id) };
      }
      case 'ListArtifacts': {
        const name = fields.optionalText('name_filter', 256);
        const id = fields.optionalInteger('id_filter');
        const artifacts = this.store
          .listArtifacts(runId)
          .filter(
            (a) => a.expiresAt > now && (name === undefined || a.name === name) && (id === undefined || a.id === id),
          );
        return {
          artifacts: artifacts.map((a) => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: new Date(a.createdAt).toISOString(),
            ...(a.digest === null ? {} : { digest: a.digest }),
          })),
        };
      }
      case 'GetSignedArtifactURL': {
        const record = this.finalizedArtifact(runId, fields.text('name', 256), now);
        return { signed_url: this.urls.sign(record.blobId, 'r', new Date(now + DOWNLOAD_URL_TTL_MS)) };
      }
      case 'DeleteArtifact': {
        const record = this.finalizedArtifact(runId, fields.text('name', 256), now);
        this.dropArtifact(record);
        return { ok: true, artifact_id: String(record.id) };
      }
      default:
        throw new TwirpError('bad_route', `ArtifactService has no method ${method.slice(0, 100)}`);
    }
  }

  private async cacheCall(method: string, grant: RuntimeGrant, fields: Fields): Promise<object> {
    const now = this.clock.now().getTime();
    const key = cacheKey(fields.text('key', 512));
    const version = fields.text('version', 512);
    switch (method) {
      case 'CreateCacheEntry': {
        const existing = this.store.cacheEntry(grant.repository, grant.cacheWriteScope, key, version);
        if (existing !== undefined) {
          const abandoned = !existing.finalized && existing.createdAt < now - UPLOAD_URL_TTL_MS;
          if (!abandoned) {
            return {
              ok: false,
              signed_upload_url: '',
              message: 'cache entry with the same key, version, and scope already exists',
            };
          }
          this.dropCache(existing);
        }
        const record = this.store.createCacheEntry(grant.repository, grant.cacheWriteScope, key, version, now);
        return { ok: true, signed_upload_url: this.urls.sign(record.blobId, 'cw', new Date(now + UPLOAD_URL_TTL_MS)) };
      }
      case 'FinalizeCacheEntryUpload': {
        const record = this.store.cacheEntry(grant.repository, grant.cacheWriteScope, key, version);
        if (record === undefined || record.finalized) {
          throw new TwirpError(
            'not_found',
            `no cache entry is being uploaded for key ${key} in ${grant.cacheWriteScope}`,
          );
        }
        const size = fields.integer('size_bytes');
        await this.checkUpload(record.blobId, size, undefined);
        this.store.finalizeCacheEntry(record.id, size);
        this.evictOverQuota(grant.repository, record.id);
        return { ok: true, entry_id: String(record.id) };
      }
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = fields.texts('restore_keys', 512, 10);
        const hit = this.lookupCache(grant, key, restoreKeys, version);
        if (hit === undefined) return { ok: false, signed_download_url: '', matched_key: '' };
        this.store.touchCacheEntry(hit.id, now);
        return {
          ok: true,
          signed_download_url: this.urls.sign(hit.blobId, 'r', new Date(now + DOWNLOAD_URL_TTL_MS)),
          matched_key: hit.key,
        };
      }
      default:
        throw new TwirpError('bad_route', `CacheService has no method ${method.slice(0, 100)}`);
    }
  }

  /** GitHub's order: per scope (the job's ref, then the default branch), exact key, key as a prefix, each restore key as a prefix. */
  private lookupCache(
    grant: RuntimeGrant,
    key: string,
    restoreKeys: string[],
    version: string,
  ): CacheRecord | undefined {
    for (const scope of grant.cacheReadScopes) {
      const exact = this.store.cacheEntry(grant.repository, scope, key, version);
      if (exact?.finalized === true) return exact;
      for (const prefix of [key, ...restoreKeys]) {
        const [newest] = this.store.cachesByPrefix(grant.repository, scope, prefix, version);
        if (newest !== undefined) return newest;
      }
    }
    return undefined;
  }

  private evictOverQuota(repository: string, keep: number): void {
    const entries = this.store.repositoryCaches(repository);
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries) {
      if (total <= this.limits.cacheQuotaBytes) break;
      if (entry.id === keep) continue;
      this.dropCache(entry);
      total -= entry.size;
    }
  }

  /** The upload is complete: a committed blob of the size (and digest) the client reports. */
  private async checkUpload(blobId: string, size: number, hash: string | undefined): Promise<void> {
    const stored = this.files.size(blobId);
    if (stored === undefined)
      throw new TwirpError('failed_precondition', 'no blob has been uploaded for it (Put Blob or Put Block List)');
    if (stored !== size)
      throw new TwirpError('invalid_argument', `size ${size} does not match the uploaded ${stored} bytes`);
    if (hash !== undefined) {
      const digest = createHash('sha256');
      for await (const chunk of createReadStream(this.files.blobPath(blobId))) digest.update(chunk as Buffer);
      if (hash !== `sha256:${digest.digest('hex')}`)
        throw new TwirpError('invalid_argument', 'hash does not match the uploaded bytes');
    }
  }

  private pendingArtifact(runId: string, name: string): ArtifactRecord {
    const record = this.store.artifact(runId, name);
    if (record === undefined || record.finalized)
      throw new TwirpError('not_found', `no artifact named ${name} is being uploaded`);
    return record;
  }

  private finalizedArtifact(runId: string, name: string, now: number): ArtifactRecord {
    const record = this.store.artifact(runId, name);
    if (record === undefined || !record.finalized || record.expiresAt <= now) {
      throw new TwirpError('not_found', `artifact not found: ${name}`);
    }
    return record;
  }

  private dropArtifact(record: ArtifactRecord): void {
    this.store.deleteArtifact(record.id);
    this.files.remove(record.blobId);
  }

  private dropCache(record: CacheRecord): void {
    this.store.deleteCacheEntry(record.id);
    this.files.remove(record.blobId);
  }
}

/** A UUID-shaped id, stable for a name (GitHub's backend ids are UUIDs). */
function uuidOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The characters the artifact clients refuse in a name, refused here too (a name is a file name when downloaded). */
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\\/]/;

function artifactName(name: string): string {
  if (ARTIFACT_NAME_FORBIDDEN.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new TwirpError(
      'invalid_argument',
      `the artifact name ${JSON.stringify(name)} contains a character that is not allowed`,
    );
  }
  return name;
}

function cacheKey(key: string): string {
  if (key.includes(',')) throw new TwirpError('invalid_argument', 'a cache key cannot contain commas');
  return key;
}
