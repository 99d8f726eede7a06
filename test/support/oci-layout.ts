/**
 * Builds OCI image layouts on disk for skopeo, with one layer of random bytes streamed
 * through gzip at level 0 (stored blocks: a valid gzip as large as its input, cheap to make),
 * so large layers cost disk, not memory or CPU, and skopeo pushes them as they are.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface Layout {
  path: string;
  manifestDigest: string;
  layerDigest: string;
  layerSize: number;
}

const CHUNK = 1024 * 1024;

export async function writeRandomLayout(dir: string, tag: string, bytes: number): Promise<Layout> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  let layerSize = 0;
  let left = bytes;
  const source = Readable.from(
    (function* () {
      while (left > 0) {
        const chunk = randomBytes(Math.min(CHUNK, left));
        left -= chunk.length;
        diff.update(chunk);
        yield chunk;
      }
    })(),
  );
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      compressed.update(chunk);
      layerSize += chunk.length;
      done(null, chunk);
    },
  });
  const temp = join(blobs, 'layer.tmp');
  await pipeline(source, createGzip({ level: 0 }), measure, createWriteStream(temp));
  const layerDigest = `sha256:${compressed.digest('hex')}`;
  renameSync(temp, join(blobs, layerDigest.slice(7)));
  const blob = (content: Buffer) => {
    const hex = createHash('sha256').update(content).digest('hex');
    writeFileSync(join(blobs, hex), content);
    return `sha256:${hex}`;
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [`sha256:${diff.digest('hex')}`] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layerSize }],
    }),
  );
  const manifestDigest = blob(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { path: dir, manifestDigest, layerDigest, layerSize };
}
