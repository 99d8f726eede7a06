/**
 * A large blob for the memory tests of the registry's streaming paths: 200 chunks of 1 MiB,
 * each a little different, generated on demand (never held whole), and its digest.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export const LARGE_BLOB_SIZE = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** The blob's bytes, one fresh stream per call. */
export function largeBlob(): Readable {
  const base = Buffer.alloc(CHUNK, 0x5a);
  let i = 0;
  return new Readable({
    read() {
      if (i * CHUNK >= LARGE_BLOB_SIZE) return this.push(null);
      const chunk = Buffer.from(base);
      chunk.writeUInt32BE(i++, 0);
      this.push(chunk);
    },
  });
}

/** `sha256:<hex>` of a stream's bytes, read as they come. */
export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
