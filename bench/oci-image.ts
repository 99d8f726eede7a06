/**
 * Test images for the registry benchmark: an OCI image layout, built by hand, holding one
 * image whose single layer is a real tar (one file of random bytes) compressed with gzip.
 * Random bytes make every image new to both registries and to skopeo's blob-info cache (so
 * no push is answered by a mount); gzip makes skopeo copy the layer as it is, where an
 * uncompressed layer would be compressed during the push and measure skopeo, not the registry.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** An OCI layout directory with one image tagged `ref`. */
export interface BenchImage {
  dir: string;
  ref: string;
  /** The compressed layer's size. */
  layerBytes: number;
}

const CHUNK = 1024 * 1024;
const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** Writes an image whose layer holds `fileBytes` random bytes into the new directory `dir`. */
export async function buildImage(dir: string, fileBytes: number): Promise<BenchImage> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const diffId = createHash('sha256');
  const digest = createHash('sha256');
  let layerBytes = 0;
  const temp = join(dir, 'layer.tmp');
  await pipeline(
    tarOfRandomFile('random.bin', fileBytes),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        diffId.update(chunk);
        yield chunk;
      }
    },
    // Level 1: random bytes do not compress anyway; the stream is still real deflate.
    createGzip({ level: 1 }),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        digest.update(chunk);
        layerBytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(temp),
  );
  const layer = { mediaType: MEDIA.layer, digest: `sha256:${digest.digest('hex')}`, size: layerBytes };
  renameSync(temp, join(blobs, layer.digest.slice(7)));
  const config = writeBlob(blobs, MEDIA.config, {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId.digest('hex')}`] },
  });
  const manifest = writeBlob(blobs, MEDIA.manifest, {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config,
    layers: [layer],
  });
  const ref = 'latest';
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }],
    }),
  );
  return { dir, ref, layerBytes };
}

function writeBlob(
  blobs: string,
  mediaType: string,
  content: object,
): { mediaType: string; digest: string; size: number } {
  const bytes = Buffer.from(JSON.stringify(content));
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** A ustar archive of one regular file of `size` random bytes, generated as it is read. */
async function* tarOfRandomFile(name: string, size: number): AsyncGenerator<Buffer> {
  yield tarHeader(name, size);
  for (let left = size; left > 0; left -= CHUNK) yield randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK, left)));
  // The file is padded to a 512-byte record; two zero records end the archive.
  yield Buffer.alloc(((512 - (size % 512)) % 512) + 1024);
}

/** The 512-byte ustar header of a regular file (mode 0644, owner 0:0, mtime 0). */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) =>
    field(offset, length - 1, value.toString(8).padStart(length - 1, '0'));
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  // The checksum is computed with its own field read as eight spaces.
  field(148, 8, '        ');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}
