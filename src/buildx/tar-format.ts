/**
 * The tar format the build endpoint reads: POSIX ustar headers (uid and gid 0, as the docker
 * CLI sends contexts), PAX records for names or link targets over 100 bytes, and small archives
 * made in memory (the emulation probe's context).
 */

/** The tar block size. */
export const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(
  name: string,
  entry: { size: number; mode: number; mtime: number; type: '0' | '2' | '5' | 'x'; linkname?: string },
): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(entry.mode & 0o7777, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(entry.size, 12), 124);
  block.write(octal(Math.max(0, Math.floor(entry.mtime)), 12), 136);
  block.write('        ', 148);
  block.write(entry.type, 156);
  if (entry.linkname) block.write(entry.linkname.slice(0, 100), 157, 'utf8');
  block.write('ustar\0', 257);
  block.write('00', 263);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148);
  return block;
}

/** A PAX record `len key=value\n`, whose length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length)
    length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

/** Zero bytes that fill the last block of `size` bytes of content. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Header blocks for one entry (a PAX header first when the name or link target is too long). */
export function entryHeaders(
  name: string,
  stats: { size: number; mode: number; mtime: number },
  type: '0' | '2' | '5',
  linkname?: string,
): Buffer[] {
  const out: Buffer[] = [];
  const records: string[] = [];
  if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
  if (linkname !== undefined && Buffer.byteLength(linkname) > 100) records.push(paxRecord('linkpath', linkname));
  if (records.length > 0) {
    const body = Buffer.from(records.join(''));
    out.push(
      header('PaxHeader', { size: body.length, mode: 0o644, mtime: stats.mtime, type: 'x' }),
      body,
      padding(body.length),
    );
  }
  out.push(header(name, { ...stats, type, ...(linkname === undefined ? {} : { linkname }) }));
  return out;
}

/** One file of {@link tarOf}. */
export interface SmallFile {
  name: string;
  content: Buffer;
  mode?: number;
}

/** An archive of a few in-memory files. */
export function tarOf(files: SmallFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(
      ...entryHeaders(file.name, { size: file.content.length, mode: file.mode ?? 0o644, mtime: 0 }, '0'),
      file.content,
      padding(file.content.length),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
