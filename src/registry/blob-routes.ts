/**
 * Blob routes: `HEAD|GET|DELETE /v2/<name>/blobs/<digest>`.
 *
 * A blob is served from a repository when it is stored and linked to that repository
 * (pushed there, mounted there, or referenced by a manifest there). The store vouches for
 * the bytes: a full GET of a blob not verified since it was last written is checked while it
 * streams, so a corrupt blob aborts the transfer short of its Content-Length and is never
 * served again; a Range GET (206) has the file verified first.
 *
 * By design: DELETE on a blob is 405 UNSUPPORTED: ECR has no blob deletion on its data
 * plane; blobs go when no image references them (garbage collection). The spec allows 405.
 */
import { BlobCorruptError, BlobUnknownError } from './blob-store.js';
import { formatDigest, parseDigest } from './digest.js';
import { registryErrors } from './errors.js';
import { authorizeOn, type Exchange } from './exchange.js';
import { send } from './wire.js';

/** Serves a blob route. */
export async function blobRoute(x: Exchange, name: string, digestText: string): Promise<void> {
  const method = x.req.method;
  if (method === 'DELETE') {
    authorizeOn(x, name, ['ecr:BatchDeleteImage']);
    throw registryErrors.unsupported(
      'The registry does not delete blobs; they are removed when no image references them.',
    );
  }
  if (method !== 'GET' && method !== 'HEAD') throw registryErrors.unsupported(`${method} is not supported on blobs`);
  authorizeOn(x, name, [method === 'HEAD' ? 'ecr:BatchCheckLayerAvailability' : 'ecr:GetDownloadUrlForLayer']);
  const parsed = parseDigest(digestText);
  if (!parsed) throw registryErrors.digestInvalid('invalid digest', digestText.slice(0, 200));
  const digest = formatDigest(parsed);
  const { blobs, images } = x.deps;
  const size = blobs.size(digest);
  if (size === undefined || !images.isBlobLinked(name, digest)) throw registryErrors.blobUnknown(digest);
  const headers = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    etag: `"${digest}"`,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
  };
  if (method === 'HEAD') {
    // A client that finds the blob skips its upload; keep the blob until its manifest arrives.
    blobs.touch(digest);
    return send(x.req, x.res, 200, { ...headers, 'content-length': String(size) });
  }
  if (x.req.headers['if-none-match'] === headers.etag) return send(x.req, x.res, 304, headers);
  const range = parseRange(x.req.headers.range, size);
  if (range === 'unsatisfiable') throw registryErrors.rangeNotSatisfiable(size);
  if (range) {
    // Verify before the status line, so a corrupt blob is a clean 404 rather than a broken 206.
    if ((await blobs.verify(digest)) !== 'ok') throw registryErrors.blobUnknown(digest);
  }
  let blob;
  try {
    blob = blobs.openForCopy(digest, range);
  } catch (error) {
    if (error instanceof BlobUnknownError) throw registryErrors.blobUnknown(digest);
    throw error;
  }
  const status = range ? 206 : 200;
  x.res.writeHead(status, {
    'docker-distribution-api-version': 'registry/2.0',
    ...headers,
    'content-length': String(range ? range.end - range.start + 1 : size),
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
  });
  try {
    await blob.copyTo(x.res);
  } catch (error) {
    // Headers are gone: the only honest signal left is a transfer short of its length.
    x.res.destroy();
    if (error instanceof BlobCorruptError)
      x.deps.logger.error('corrupt blob detected while serving', { digest, repository: name });
  }
}

/**
 * A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range. Anything else (several ranges, bad
 * syntax) is ignored and the whole blob served, as RFC 9110 allows.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header || size === 0) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}
