/**
 * Blob upload sessions: the state behind `/v2/<name>/blobs/uploads/<id>`.
 *
 * A session is a temp file under the blob store's uploads/ directory plus, in memory, its
 * size and a running sha256 of the bytes so far: the digest is computed while the bytes
 * stream in, and a layer is never held in memory. A sha512 upload (rare: the spec allows it,
 * no mainstream client uses it) is hashed by reading the file back at completion.
 *
 * Each append is all-or-nothing: when a PATCH fails midway (a broken connection, a chunk
 * longer than its Content-Range) the file is truncated back and the hash restored, so the
 * session's offset (GET on the session) stays truthful and the client may resume.
 *
 * By design: sessions do not survive a restart. The blob store removes every temp file on
 * start and a request for an old session id is answered 404 BLOB_UPLOAD_UNKNOWN, which every
 * client handles by starting the blob's upload again. Sessions idle for an hour are dropped.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../core/clock.js';
import type { DiskBlobStore } from './blob-store.js';
import { appendToFile } from './file-append.js';
import { formatDigest, type Digest } from './digest.js';
import { PRIVATE_FILE_MODE } from '../store/private-files.js';

/** One upload in progress. */
export interface UploadSession {
  readonly id: string;
  readonly repository: string;
  /** Bytes received so far. */
  readonly size: number;
}

interface SessionState extends UploadSession {
  size: number;
  path: string;
  hash: Hash;
  lastActive: number;
  busy: boolean;
}

/** Why an append was refused; on every refusal the session is as it was before. */
export type AppendRefusal =
  /** The chunk does not start at the session's offset, or its length disagrees with its range. */
  | 'range'
  /** Another request is writing to this session. */
  | 'busy'
  /** The body broke off (client gone). */
  | 'aborted';

const DEFAULT_IDLE_MS = 60 * 60 * 1000;

class ChunkTooLongError extends Error {}

/** The session was completed or cancelled by another request meanwhile. */
export class UploadClosedError extends Error {
  constructor(readonly id: string) {
    super(`upload session ${id} is closed`);
  }
}

/** The upload sessions of one registry. */
export class UploadSessions {
  private readonly sessions = new Map<string, SessionState>();

  constructor(
    private readonly blobs: DiskBlobStore,
    private readonly clock: Clock,
    private readonly idleMs = DEFAULT_IDLE_MS,
  ) {}

  /** Opens a session for `repository` with an empty temp file. */
  async create(repository: string): Promise<UploadSession> {
    this.sweep();
    const id = randomUUID();
    const path = join(this.blobs.uploadsDir, id);
    await writeFile(path, '', { mode: PRIVATE_FILE_MODE });
    const session: SessionState = {
      id,
      repository,
      path,
      size: 0,
      hash: createHash('sha256'),
      lastActive: this.clock.now().getTime(),
      busy: false,
    };
    this.sessions.set(id, session);
    return session;
  }

  /** The session, when it exists and belongs to `repository`. */
  get(repository: string, id: string): UploadSession | undefined {
    const session = this.sessions.get(id);
    return session && session.repository === repository ? session : undefined;
  }

  /**
   * Appends a request body. With `range`, the chunk must start at the current offset and be
   * exactly `end - start + 1` bytes long (`declaredLength`, when known, is checked first).
   */
  async append(
    handle: UploadSession,
    body: Readable,
    options: { range?: { start: number; end: number }; declaredLength?: number } = {},
  ): Promise<AppendRefusal | undefined> {
    const session = this.state(handle);
    if (session.busy) return 'busy';
    const range = options.range;
    const expected = range ? range.end - range.start + 1 : undefined;
    if (range && (range.start !== session.size || range.end < range.start)) return 'range';
    if (expected !== undefined && options.declaredLength !== undefined && options.declaredLength !== expected)
      return 'range';
    session.busy = true;
    const before = { size: session.size, hash: session.hash.copy() };
    let received = 0;
    try {
      await appendToFile(session.path, body, (chunk) => {
        received += chunk.length;
        if (expected !== undefined && received > expected) throw new ChunkTooLongError();
        session.hash.update(chunk);
      });
      if (expected !== undefined && received !== expected) throw new ChunkTooLongError();
      session.size += received;
      return undefined;
    } catch (error) {
      await truncate(session.path, before.size).catch(() => undefined);
      session.hash = before.hash;
      return error instanceof ChunkTooLongError ? 'range' : 'aborted';
    } finally {
      session.busy = false;
      session.lastActive = this.clock.now().getTime();
    }
  }

  /**
   * Ends a session: when the bytes match `digest` they are published (atomically) and true
   * is returned; otherwise the temp file is removed and false returned. Either way the
   * session is gone.
   */
  async complete(handle: UploadSession, digest: Digest): Promise<boolean> {
    const session = this.state(handle);
    this.sessions.delete(session.id);
    try {
      const actual =
        digest.algorithm === 'sha256' ? session.hash.digest('hex') : await hashFile(session.path, digest.algorithm);
      if (actual !== digest.hex) {
        await rm(session.path, { force: true });
        return false;
      }
      await this.blobs.publish(session.path, formatDigest(digest));
      return true;
    } catch (error) {
      await rm(session.path, { force: true });
      throw error;
    }
  }

  /** Whether a session is mid-append (a final PUT must wait its turn). */
  isBusy(handle: UploadSession): boolean {
    return this.state(handle).busy;
  }

  /** Cancels a session and removes its bytes. */
  async cancel(handle: UploadSession): Promise<void> {
    const session = this.state(handle);
    this.sessions.delete(session.id);
    await rm(session.path, { force: true });
  }

  /** Sessions currently open (for tests and diagnostics). */
  get count(): number {
    return this.sessions.size;
  }

  /** Drops sessions idle for longer than the idle limit. */
  sweep(): void {
    const now = this.clock.now().getTime();
    for (const session of this.sessions.values()) {
      if (!session.busy && now - session.lastActive > this.idleMs) {
        this.sessions.delete(session.id);
        rm(session.path, { force: true }).catch(() => undefined);
      }
    }
  }

  private state(handle: UploadSession): SessionState {
    const session = this.sessions.get(handle.id);
    if (!session) throw new UploadClosedError(handle.id);
    return session;
  }
}

async function hashFile(path: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
