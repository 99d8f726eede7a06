/**
 * The content-addressed blob store on disk: `<root>/<algorithm>/<2 hex>/<hex>`.
 *
 * - Atomic publish: bytes are written to `<root>/uploads/<id>`, fsynced, then renamed into
 *   place (and the directory fsynced), so a crash never leaves a partial blob visible. Every
 *   file under uploads/ belongs to an upload of this process: they are removed on start.
 * - Corruption: a blob is hashed in full once, and the verification remembered by the file's
 *   identity (device, inode, size, mtime, ctime); every read re-checks that identity (one
 *   fstat) and hashes again when it changed. A blob this process published (hashed as it
 *   streamed in) or stored from memory starts out verified. A full read of an unverified blob
 *   verifies the digest while streaming and holds back the last chunk until the digest
 *   matched, so a reader of a corrupt blob never receives all of its Content-Length: the
 *   stream errors instead, and the file is moved to `<root>/quarantine/` so it is not served
 *   again (a re-push then heals it). A Range read cannot verify what it does not read: the
 *   first Range read of an unverified blob hashes the whole file before its first byte.
 *   Trade-off: hashing every full read cost ~30 ms of CPU per 50 MiB pulled, as much as the
 *   rest of serving it, and caught nothing the identity check misses in practice: any change
 *   made through the filesystem (a flipped byte, a truncation, a replaced file) moves ctime,
 *   which no user-space call can set back (short of changing the system clock), so it is
 *   re-verified on the next read and never served as valid. What the cheap check cannot see
 *   is damage below the filesystem (media bit rot) after the verification. Verifications
 *   are remembered in memory only, so a restart hashes every blob again on first read, and
 *   every client checks each blob's digest itself (OCI requires it), so such a blob fails
 *   at the client rather than being used.
 * - Garbage collection removes blobs no manifest references, except those published or
 *   touched within the grace period (a push in flight: blobs first, manifest last). mtimes
 *   follow the injected clock so collection is testable without waiting.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { mkdir, open, rename, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemClock, type Clock } from '../core/clock.js';
import type { BlobStore, ImageStore } from '../core/image-store.js';
import { formatDigest, parseDigest, type Digest } from './digest.js';
import { copyFileRange } from './file-copy.js';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/private-files.js';

/** A blob read found content that does not match its digest; the file has been quarantined. */
export class BlobCorruptError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} is corrupt on disk and was quarantined`);
  }
}

/** The blob is not in the store. */
export class BlobUnknownError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} is not in the store`);
  }
}

export interface DiskBlobStoreOptions {
  /** Stamps publish and touch times; garbage collection compares against it. */
  clock?: Clock;
  /** Unreferenced blobs younger than this survive garbage collection. Default 60 minutes. */
  gcGraceMs?: number;
  logger?: { error(msg: string, f?: object): void };
}

export interface GarbageCollection {
  deleted: string[];
  /** Unreferenced but within the grace period. */
  spared: string[];
}

const ALGORITHMS = ['sha256', 'sha512'] as const;
/** Read size for blob streams: large reads cut per-chunk overhead several-fold against the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;
const DEFAULT_GRACE_MS = 60 * 60 * 1000;

/** The blob store of one cloud. */
export class DiskBlobStore implements BlobStore {
  readonly uploadsDir: string;
  private readonly quarantineDir: string;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly logger: { error(msg: string, f?: object): void } | undefined;
  /** Digest → identity of the file as last verified in full. */
  private readonly verified = new Map<string, string>();

  constructor(
    readonly root: string,
    options: DiskBlobStoreOptions = {},
  ) {
    this.uploadsDir = join(root, 'uploads');
    this.quarantineDir = join(root, 'quarantine');
    this.clock = options.clock ?? systemClock;
    this.graceMs = options.gcGraceMs ?? DEFAULT_GRACE_MS;
    this.logger = options.logger;
    for (const algorithm of ALGORITHMS) makePrivateDir(join(root, algorithm));
    makePrivateDir(this.quarantineDir);
    // Upload sessions do not survive a restart, so every temp file is stale now.
    rmSync(this.uploadsDir, { recursive: true, force: true });
    makePrivateDir(this.uploadsDir);
  }

  has(digest: string): boolean {
    return this.size(digest) !== undefined;
  }

  size(digest: string): number | undefined {
    const stats = this.stat(digest);
    return stats?.size;
  }

  /**
   * Streams a blob. A blob verified since it was last written is read as it is; otherwise a
   * full read is verified while it streams (see the module comment), and a range read
   * verifies the whole file before its first byte.
   * Throws BlobUnknownError when absent; the stream fails with BlobCorruptError when corrupt.
   */
  open(digest: string, range?: { start: number; end: number }): Readable {
    const file = this.openFile(digest);
    if (this.verified.get(digest) === file.identity) {
      return createReadStream('', {
        fd: file.fd,
        highWaterMark: READ_CHUNK,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
    }
    return this.unverifiedStream(file, range);
  }

  /**
   * Opens a blob for one copy into a Writable (a response), which `copyTo` then writes and
   * ends; what it writes is what `open` would stream, verified alike. A verified blob is
   * copied through a few reused buffers rather than a stream of fresh ones (src/registry/
   * file-copy.ts). Throws BlobUnknownError when absent; `copyTo` rejects with
   * BlobCorruptError when the blob turns out corrupt, short of its length.
   */
  openForCopy(
    digest: string,
    range?: { start: number; end: number },
  ): { copyTo(destination: Writable): Promise<void> } {
    const file = this.openFile(digest);
    if (this.verified.get(digest) === file.identity) {
      const start = range?.start ?? 0;
      const end = range?.end ?? file.size - 1;
      return { copyTo: (destination) => copyFileRange(file.fd, start, end, destination) };
    }
    const stream = this.unverifiedStream(file, range);
    return { copyTo: (destination) => pipeline(stream, destination) };
  }

  /** Verifies a blob in full unless already verified: 'ok', 'absent', or 'corrupt' (then quarantined). */
  async verify(digest: string): Promise<'ok' | 'absent' | 'corrupt'> {
    const parsed = parseDigest(digest);
    const stats = parsed && this.stat(digest);
    if (!parsed || !stats) return 'absent';
    if (this.verified.get(digest) === fileIdentity(stats)) return 'ok';
    try {
      for await (const _chunk of this.open(digest)) void _chunk;
      return 'ok';
    } catch (error) {
      if (error instanceof BlobCorruptError) return 'corrupt';
      if (error instanceof BlobUnknownError) return 'absent';
      throw error;
    }
  }

  /** Stores a small blob from memory; returns its sha256 digest. */
  put(content: Buffer): string {
    const digest: Digest = { algorithm: 'sha256', hex: createHash('sha256').update(content).digest('hex') };
    const target = this.pathOf(digest);
    if (statOrUndefined(target)) {
      this.touch(`sha256:${digest.hex}`);
      return `sha256:${digest.hex}`;
    }
    const temp = this.newTempPath();
    const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
    try {
      for (let written = 0; written < content.length;) written += writeSync(fd, content, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    makePrivateDir(dirname(target));
    renameSync(temp, target);
    fsyncDirectory(dirname(target));
    this.stampNow(target);
    // Its digest was computed from these very bytes.
    const stats = statOrUndefined(target);
    if (stats) this.verified.set(`sha256:${digest.hex}`, fileIdentity(stats));
    return `sha256:${digest.hex}`;
  }

  delete(digest: string): void {
    const parsed = parseDigest(digest);
    if (!parsed) return;
    rmSync(this.pathOf(parsed), { force: true });
    this.verified.delete(digest);
  }

  *list(): Iterable<string> {
    for (const algorithm of ALGORITHMS) {
      const base = join(this.root, algorithm);
      for (const prefix of readdirSafe(base)) {
        for (const name of readdirSafe(join(base, prefix))) {
          const digest = `${algorithm}:${name}`;
          if (parseDigest(digest) && name.startsWith(prefix)) yield digest;
        }
      }
    }
  }

  /** A fresh path under uploads/ for a temp file. */
  newTempPath(): string {
    return join(this.uploadsDir, randomUUID());
  }

  /**
   * Publishes a fully written temp file as `digest` (the caller hashed it while it streamed
   * in): fsync, rename, fsync the directory. An existing blob is replaced by the rename (an
   * atomic swap; readers keep the old file open), which also heals a copy corrupted on disk
   * that no read has caught yet, and resets the blob's age for garbage collection.
   */
  async publish(tempPath: string, digest: string): Promise<void> {
    const parsed = parseDigest(digest);
    if (!parsed) throw new Error(`not a digest: ${digest}`);
    const target = this.pathOf(parsed);
    const handle = await open(tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    const now = this.clock.now();
    await utimes(tempPath, now, now);
    await rename(tempPath, target);
    fsyncDirectory(dirname(target));
    // Its digest was computed from these very bytes.
    const stats = statOrUndefined(target);
    if (stats) this.verified.set(digest, fileIdentity(stats));
  }

  /**
   * Marks a blob as in use now (a HEAD that lets a client skip its upload, a mount), so that
   * garbage collection spares it until the client's manifest arrives. Writes only when the
   * blob is older than half the grace period.
   */
  touch(digest: string): void {
    const parsed = parseDigest(digest);
    const stats = parsed && this.stat(digest);
    if (!parsed || !stats) return;
    const now = this.clock.now();
    if (now.getTime() - stats.mtimeMs < this.graceMs / 2) return;
    const wasVerified = this.verified.get(digest) === fileIdentity(stats);
    const path = this.pathOf(parsed);
    utimesSync(path, now, now);
    const after = statOrUndefined(path);
    if (wasVerified && after) this.verified.set(digest, fileIdentity(after));
  }

  /**
   * Deletes the blobs `images` reports unreferenced, sparing those younger than the grace
   * period. Synchronous, so no request interleaves between the check and the delete.
   */
  garbageCollect(images: ImageStore, options: { now?: Date } = {}): GarbageCollection {
    const now = (options.now ?? this.clock.now()).getTime();
    const result: GarbageCollection = { deleted: [], spared: [] };
    for (const digest of images.unreferencedBlobs([...this.list()])) {
      const stats = this.stat(digest);
      if (!stats) continue;
      if (now - stats.mtimeMs < this.graceMs) {
        result.spared.push(digest);
        continue;
      }
      this.delete(digest);
      result.deleted.push(digest);
    }
    return result;
  }

  private openFile(digest: string): OpenBlob {
    const parsed = parseDigest(digest);
    if (!parsed) throw new BlobUnknownError(digest);
    let fd: number;
    try {
      fd = openSync(this.pathOf(parsed), 'r');
    } catch {
      throw new BlobUnknownError(digest);
    }
    const stats = fstatSync(fd);
    return { fd, digest: parsed, identity: fileIdentity(stats), size: stats.size };
  }

  /** A read of a blob not verified since it was last written: verified as it goes (see open). */
  private unverifiedStream(file: OpenBlob, range: { start: number; end: number } | undefined): Readable {
    const { fd, digest, identity } = file;
    const name = formatDigest(digest);
    if (range) return Readable.from(this.verifyThenRead(fd, digest, identity, range));
    const source = createReadStream('', { fd, highWaterMark: READ_CHUNK });
    const verifying = new VerifyingTransform(digest, (ok) =>
      ok ? this.verified.set(name, identity) : this.quarantine(digest, identity),
    );
    source.on('error', (error) => verifying.destroy(error));
    // A reader that stops early (a client gone) must not leave the file open.
    verifying.on('close', () => source.destroy());
    return source.pipe(verifying);
  }

  private async *verifyThenRead(
    fd: number,
    digest: Digest,
    identity: string,
    range: { start: number; end: number },
  ): AsyncGenerator<Buffer> {
    const name = `${digest.algorithm}:${digest.hex}`;
    let handedOver = false;
    try {
      const hash = createHash(digest.algorithm);
      for await (const chunk of createReadStream('', { fd, start: 0, autoClose: false, highWaterMark: READ_CHUNK }))
        hash.update(chunk as Buffer);
      if (hash.digest('hex') !== digest.hex) {
        this.quarantine(digest, identity);
        throw new BlobCorruptError(name);
      }
      this.verified.set(name, identity);
      handedOver = true;
    } finally {
      // Failed, or the reader left during verification: the range stream will not close it.
      if (!handedOver) closeSync(fd);
    }
    for await (const chunk of createReadStream('', {
      fd,
      start: range.start,
      end: range.end,
      highWaterMark: READ_CHUNK,
    }))
      yield chunk as Buffer;
  }

  /** Moves a corrupt file aside (kept for inspection), unless it was replaced meanwhile. */
  private quarantine(digest: Digest, identity: string): void {
    const name = `${digest.algorithm}:${digest.hex}`;
    const path = this.pathOf(digest);
    const stats = statOrUndefined(path);
    this.verified.delete(name);
    if (!stats || fileIdentity(stats) !== identity) return;
    try {
      renameSync(path, join(this.quarantineDir, `${digest.algorithm}-${digest.hex}-${this.clock.now().getTime()}`));
    } catch {
      rmSync(path, { force: true });
    }
    this.logger?.error('corrupt blob quarantined', { digest: name });
  }

  private stampNow(path: string): void {
    const now = this.clock.now();
    utimesSync(path, now, now);
  }

  private stat(digest: string): Stats | undefined {
    const parsed = parseDigest(digest);
    if (!parsed) return undefined;
    const stats = statOrUndefined(this.pathOf(parsed));
    return stats?.isFile() ? stats : undefined;
  }

  private pathOf(digest: Digest): string {
    return join(this.root, digest.algorithm, digest.hex.slice(0, 2), digest.hex);
  }
}

/** Hashes what passes through; holds the last chunk back until the digest is known good. */
class VerifyingTransform extends Transform {
  private readonly hash;
  private held: Buffer | undefined;

  constructor(
    private readonly digest: Digest,
    private readonly onResult: (ok: boolean) => void,
  ) {
    super({ highWaterMark: READ_CHUNK });
    this.hash = createHash(digest.algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    const ok = this.hash.digest('hex') === this.digest.hex;
    this.onResult(ok);
    if (!ok) return callback(new BlobCorruptError(`${this.digest.algorithm}:${this.digest.hex}`));
    callback(null, this.held);
  }
}

/** A blob file opened for one read. */
interface OpenBlob {
  fd: number;
  digest: Digest;
  identity: string;
  size: number;
}

/** Changes whenever the file's bytes may have: any write moves mtime and ctime. */
function fileIdentity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Makes a rename durable. Some filesystems refuse fsync on a directory; that is not an error. */
function fsyncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
