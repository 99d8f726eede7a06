/**
 * The Node adapter: turns node:http requests into ApiRequests (body read into memory up to a
 * limit) and ApiResponses back into bytes. Everything above it is Request → Response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRequest, ApiResponse } from '../protocols/http-types.js';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds the limit of ${limit} bytes`);
  }
}

/** Reads a request fully, refusing bodies over `limit` bytes without buffering them. */
export async function readRequest(req: IncomingMessage, limit: number): Promise<ApiRequest> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(buffer);
  }
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q >= 0 ? target.slice(0, q) : target,
    query: q >= 0 ? target.slice(q + 1) : '',
    // Distinct values: node joins repeated headers with ", " where SigV4 joins them with ",".
    headers: req.headersDistinct,
    body: Buffer.concat(chunks, size),
    sourceIp: normaliseIp(req.socket.remoteAddress ?? '127.0.0.1'),
  };
}

export function writeResponse(res: ServerResponse, response: ApiResponse, method: string): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(method === 'HEAD' ? undefined : body);
}

/** ::ffff:127.0.0.1 → 127.0.0.1, so IpAddress conditions on IPv4 ranges work on dual-stack sockets. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
