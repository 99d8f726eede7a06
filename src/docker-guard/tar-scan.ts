/**
 * A streaming look at a build context (a tar, possibly gzip-compressed) as it passes through:
 * which entries are symbolic or hard links, and where they point. The engine extracts the
 * context into a directory and then opens the Dockerfile and the ignore files there itself,
 * outside the build's confinement, so a Dockerfile that is a link to `/data/admin.json` would be
 * read on the host (and quoted back in its parse errors). `escapes(path)` tells whether a path
 * of the extracted context resolves outside it.
 *
 * Reads ustar, GNU long names (`L`/`K`) and PAX `path`/`linkpath` records; every buffer is bounded.
 */
import { posix } from 'node:path';
import { createGunzip, type Gunzip } from 'node:zlib';
import { forbidden, badRequest } from './refusal.js';

const BLOCK = 512;
/** Extended-header data (PAX records, GNU long names) kept per entry at most. */
const MAX_EXTENDED = 1024 * 1024;
/** Links remembered at most (a node_modules tree has thousands; millions are an attack). */
const MAX_LINKS = 200_000;
const MAX_SYMLINKS = 40;

interface Link {
  kind: 'symlink' | 'hardlink';
  target: string;
}

/** Parses tar headers from a byte stream and remembers its links. */
class TarLinks {
  readonly links = new Map<string, Link>();
  private header = Buffer.alloc(0);
  /** Bytes of the current entry's data (and padding) still to come. */
  private skip = 0;
  /** The data of an extended header being collected, and what it is. */
  private extended: { kind: 'pax' | 'longname' | 'longlink'; size: number; chunks: Buffer[]; got: number } | undefined;
  private pending: { path?: string; linkpath?: string } = {};
  private ended = false;

  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, chunk.length - offset);
        if (this.extended && this.extended.got < this.extended.size) {
          const want = Math.min(take, this.extended.size - this.extended.got);
          this.extended.chunks.push(chunk.subarray(offset, offset + want));
          this.extended.got += want;
        }
        this.skip -= take;
        offset += take;
        if (this.skip === 0 && this.extended) this.finishExtended();
        continue;
      }
      const take = Math.min(BLOCK - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length === BLOCK) {
        const block = this.header;
        this.header = Buffer.alloc(0);
        this.onHeader(block);
      }
    }
  }

  private onHeader(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      // End of archive (two zero blocks; one is enough to stop looking).
      this.ended = true;
      return;
    }
    const size = parseSize(block.subarray(124, 136));
    const type = String.fromCharCode(block[156] ?? 0);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L' || type === 'K') {
      if (size > MAX_EXTENDED)
        throw forbidden(`build context: an extended tar header of ${size} bytes is larger than ${MAX_EXTENDED}`);
      this.extended = { kind: type === 'x' ? 'pax' : type === 'L' ? 'longname' : 'longlink', size, chunks: [], got: 0 };
      this.skip = padded;
      if (padded === 0) this.finishExtended();
      return;
    }
    this.skip = padded;
    if (type === 'g') return; // global PAX header: applies to no single path we look at
    const prefix = cString(block.subarray(345, 500));
    const magic = block.subarray(257, 262).toString('latin1');
    const name =
      this.pending.path ??
      (magic === 'ustar' && prefix ? `${prefix}/${cString(block.subarray(0, 100))}` : cString(block.subarray(0, 100)));
    const linkname = this.pending.linkpath ?? cString(block.subarray(157, 257));
    this.pending = {};
    const path = entryPath(name);
    if (type === '2' || type === '1') {
      if (this.links.size >= MAX_LINKS && !this.links.has(path))
        throw forbidden(`build context: more than ${MAX_LINKS} links`);
      this.links.set(path, { kind: type === '2' ? 'symlink' : 'hardlink', target: linkname });
    } else {
      // A later entry replaces an earlier one of the same path when extracted.
      this.links.delete(path);
    }
  }

  private finishExtended(): void {
    const ext = this.extended;
    this.extended = undefined;
    if (!ext) return;
    const data = Buffer.concat(ext.chunks).toString('utf8');
    if (ext.kind === 'longname') this.pending.path = data.replace(/\0.*$/s, '');
    else if (ext.kind === 'longlink') this.pending.linkpath = data.replace(/\0.*$/s, '');
    else {
      for (const [key, value] of paxRecords(data)) {
        if (key === 'path') this.pending.path = value;
        if (key === 'linkpath') this.pending.linkpath = value;
      }
    }
  }
}

/** A NUL-terminated field. */
function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** An octal size, or GNU's base-256 form (high bit set) for sizes over 8 GiB. */
function parseSize(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  const value = text === '' ? 0 : parseInt(text, 8);
  if (!Number.isFinite(value) || value < 0) throw badRequest('build context: not a tar archive (bad size field)');
  return value;
}

/** PAX records: `<length> <key>=<value>\n`. */
function paxRecords(data: string): Array<[string, string]> {
  const records: Array<[string, string]> = [];
  for (const line of data.split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) records.push([match[1], match[2]]);
  }
  return records;
}

/** The context-relative path of an entry ('' for the root); `..` cannot climb out (the engine refuses such entries). */
function entryPath(name: string): string {
  const clean = posix.normalize(`/${name}`).replace(/\/+$/, '');
  return clean === '' ? '' : clean.slice(1);
}

/** The links of a build context, collected while it streams to the engine. */
export class BuildContextScan {
  private readonly tar = new TarLinks();
  private first = true;
  private gunzip: Gunzip | undefined;
  private gunzipDone: Promise<void> | undefined;
  private failure: unknown;

  /** Looks at the next bytes of the body; throws a refusal as soon as one is certain. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (this.first && chunk.length > 0) {
      this.first = false;
      this.detectCompression(chunk);
    }
    if (this.gunzip) this.gunzip.write(chunk);
    else this.tar.feed(chunk);
  }

  /** Waits for the last bytes to be read (gzip), then returns the links. */
  async finish(): Promise<Map<string, Link>> {
    if (this.gunzip && this.gunzipDone) {
      this.gunzip.end();
      await this.gunzipDone;
    }
    if (this.failure) throw this.failure;
    return this.tar.links;
  }

  private detectCompression(chunk: Buffer): void {
    if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
      const gunzip = createGunzip();
      this.gunzip = gunzip;
      gunzip.on('data', (data: Buffer) => {
        if (this.failure) return;
        try {
          this.tar.feed(data);
        } catch (error) {
          this.failure = error;
        }
      });
      this.gunzipDone = new Promise((resolve) => {
        gunzip.on('end', resolve);
        gunzip.on('error', () => {
          this.failure = badRequest('build context: the gzip stream is corrupt');
          resolve();
        });
      });
      return;
    }
    const bzip2 = chunk.subarray(0, 3).toString('latin1') === 'BZh';
    const xz = chunk.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    const zstd = chunk.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    if (bzip2 || xz || zstd)
      throw forbidden(
        'build contexts compressed with bzip2, xz or zstd are not supported: send a tar or a gzip-compressed tar',
      );
  }
}

/**
 * Where `path` (context-relative) leads in the extracted context: undefined when it stays inside,
 * else the link that leads out. Hard links to a symlink are that symlink (link(2) does not follow).
 */
export function escapingLink(links: Map<string, Link>, path: string): string | undefined {
  const pending = path.split('/').filter((c) => c !== '' && c !== '.');
  const current: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const component = pending.shift() as string; // length checked by the loop condition
    if (component === '..') {
      if (current.length === 0) return path;
      current.pop();
      continue;
    }
    current.push(component);
    const here = current.join('/');
    let link = links.get(here);
    // A hard link is the file it names; follow it to see whether that file is a symlink.
    for (let n = 0; link?.kind === 'hardlink' && n < MAX_SYMLINKS; n++) link = links.get(entryPath(link.target));
    if (link?.kind !== 'symlink') continue;
    if (++hops > MAX_SYMLINKS) return here;
    if (link.target.startsWith('/')) return here;
    current.pop();
    pending.unshift(...link.target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return undefined;
}
