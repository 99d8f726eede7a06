/**
 * The subset of Azure Blob Storage's block-blob API the artifact and cache clients use, on the
 * signed URLs the results service hands out (blob-urls.ts):
 * - Put Block (`PUT ?comp=block&blockid=…`), Put Block List (`PUT ?comp=blocklist`, XML body of
 *   `<Latest>`/`<Uncommitted>` ids) and Put Blob (`PUT`, `x-ms-blob-type: BlockBlob`), on a
 *   create-and-write URL of a blob that is not yet finalized;
 * - Get Blob (GET/HEAD, with `Range` or `x-ms-range` for one byte range) on a read URL of a
 *   finalized one.
 * Errors are Azure's: an XML `<Error><Code>…</Code><Message>…</Message></Error>` body and the
 * code in `x-ms-error-code`. Bodies are bounded (a block, a blob, a block list of 50,000 ids).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errorMessage } from '../core/errors.js';
import { STORAGE_VERSION } from './blob-urls.js';
import { TooLarge } from './blob-files.js';
import type { BlobTarget, ResultsService } from './results-service.js';

/** Azure's limits: 50,000 blocks a blob, block ids of at most 64 bytes. */
const MAX_BLOCKS = 50_000;
const MAX_BLOCK_ID_BYTES = 64;
const MAX_BLOCK_LIST_BYTES = 8 * 1024 * 1024;

class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createBlobEndpoint(
  results: ResultsService,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const requestId = randomUUID();
    const base = { 'x-ms-request-id': requestId, 'x-ms-version': STORAGE_VERSION, date: new Date().toUTCString() };
    try {
      const url = new URL(req.url ?? '/', 'http://blob');
      const grant = results.urls.verify(url.pathname, url.searchParams, results.clock.now());
      if ('refused' in grant) throw new BlobError(403, 'AuthenticationFailed', grant.refused);
      const target = results.blobTarget(grant.blobId);
      const method = req.method ?? 'GET';
      if (method === 'GET' || method === 'HEAD') {
        if (grant.permission !== 'r')
          throw new BlobError(
            403,
            'AuthorizationPermissionMismatch',
            'This request is not authorized to perform this operation using this permission.',
          );
        if (target === undefined || !target.record.finalized)
          throw new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.');
        await getBlob(results, target, req, res, base);
        return;
      }
      if (method !== 'PUT')
        throw new BlobError(
          405,
          'UnsupportedHttpVerb',
          `The resource doesn't support specified Http Verb ${method.slice(0, 20)}.`,
        );
      if (grant.permission !== 'cw')
        throw new BlobError(
          403,
          'AuthorizationPermissionMismatch',
          'This request is not authorized to perform this operation using this permission.',
        );
      if (target === undefined || target.record.finalized) {
        throw new BlobError(
          409,
          'BlobImmutableDueToPolicy',
          'This operation is not permitted as the blob is finalized or gone.',
        );
      }
      const blobId = grant.blobId;
      const { maxBlockBytes, maxBlobBytes } = results.limits;
      const comp = url.searchParams.get('comp');
      if (comp === 'block') {
        const blockId = blockIdOf(url.searchParams.get('blockid'));
        await results.files.putBlock(blobId, blockId, req, maxBlockBytes);
        created(res, base, {});
      } else if (comp === 'blocklist') {
        const ids = parseBlockList(await readBounded(req, MAX_BLOCK_LIST_BYTES));
        for (const id of ids) {
          if (!results.files.hasBlock(blobId, id))
            throw new BlobError(400, 'InvalidBlockList', 'The specified block list is invalid.');
        }
        await results.files.commitBlocks(blobId, ids, maxBlobBytes);
        created(res, base, blobHeaders(blobId));
      } else if (comp === null) {
        if ((req.headers['x-ms-blob-type'] ?? '') !== 'BlockBlob') {
          throw new BlobError(
            400,
            'MissingRequiredHeader',
            "An HTTP header that's mandatory for this request is not specified. (x-ms-blob-type: BlockBlob)",
          );
        }
        await results.files.putBlob(blobId, req, Math.min(maxBlockBytes, maxBlobBytes));
        created(res, base, blobHeaders(blobId));
      } else {
        throw new BlobError(
          400,
          'InvalidQueryParameterValue',
          `Value for one of the query parameters specified in the request URI is invalid. (comp=${comp.slice(0, 40)})`,
        );
      }
    } catch (error) {
      const failure =
        error instanceof BlobError
          ? error
          : error instanceof TooLarge
            ? new BlobError(
                413,
                'RequestBodyTooLarge',
                `The request body is too large and exceeds the maximum permissible limit: ${error.message}.`,
              )
            : new BlobError(500, 'InternalError', `The server encountered an internal error: ${errorMessage(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Whatever of the body is unread is discarded; the connection closes after the answer.
      const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}\nRequestId:${requestId}</Message></Error>`;
      res.writeHead(failure.status, {
        ...base,
        'content-type': 'application/xml',
        'x-ms-error-code': failure.code,
        connection: 'close',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    }
  };
}

async function getBlob(
  results: ResultsService,
  target: BlobTarget,
  req: IncomingMessage,
  res: ServerResponse,
  base: Record<string, string>,
): Promise<void> {
  const path = results.files.blobPath(target.record.blobId);
  const size = results.files.size(target.record.blobId);
  if (size === undefined) throw new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.');
  const headers: Record<string, string> = {
    ...base,
    ...blobHeaders(target.record.blobId),
    'content-type': target.kind === 'artifact' ? 'application/zip' : 'application/octet-stream',
    'accept-ranges': 'bytes',
    'x-ms-blob-type': 'BlockBlob',
    'last-modified': new Date(target.record.createdAt).toUTCString(),
  };
  const rangeHeader = headerValue(req, 'x-ms-range') ?? headerValue(req, 'range');
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (rangeHeader !== undefined) {
    const match = /^bytes=(\d{1,16})-(\d{0,16})$/.exec(rangeHeader.trim());
    if (match === null)
      throw new BlobError(
        400,
        'InvalidHeaderValue',
        'The value for one of the HTTP headers is not in the correct format. (Range)',
      );
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (start >= size || end < start)
      throw new BlobError(416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.');
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['content-length'] = String(size === 0 ? 0 : end - start + 1);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(path, { start, end }), res);
}

function created(res: ServerResponse, base: Record<string, string>, extra: Record<string, string>): void {
  res.writeHead(201, { ...base, ...extra, 'x-ms-request-server-encrypted': 'true', 'content-length': '0' });
  res.end();
}

function blobHeaders(blobId: string): Record<string, string> {
  return { etag: `"0x${Buffer.from(blobId).toString('hex').slice(-16).toUpperCase()}"` };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function blockIdOf(value: string | null): Buffer {
  const id = value === null ? Buffer.alloc(0) : Buffer.from(value, 'base64');
  if (id.length === 0 || id.length > MAX_BLOCK_ID_BYTES) {
    throw new BlobError(
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid. (blockid)',
    );
  }
  return id;
}

/** The ids of a Put Block List body, in order; committed blocks of an earlier list are not kept, so `<Committed>` is refused. */
function parseBlockList(xml: string): Buffer[] {
  const list = /<BlockList>([\s\S]*)<\/BlockList>/.exec(xml);
  if (list === null) throw new BlobError(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.');
  const ids: Buffer[] = [];
  for (const match of (list[1] ?? '').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)) {
    if (match[1] === 'Committed') throw new BlobError(400, 'InvalidBlockList', 'The specified block list is invalid.');
    ids.push(blockIdOf(match[2] ?? ''));
    if (ids.length > MAX_BLOCKS)
      throw new BlobError(
        400,
        'BlockCountExceedsLimit',
        'The committed block count cannot exceed the maximum limit of 50,000 blocks.',
      );
  }
  if (ids.length === 0) throw new BlobError(400, 'InvalidBlockList', 'The specified block list is invalid.');
  return ids;
}

async function readBounded(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new TooLarge(`the block list is over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}
