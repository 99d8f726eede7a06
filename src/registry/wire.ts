/**
 * Writing registry responses on node:http: every response carries
 * `Docker-Distribution-API-Version: registry/2.0`, a HEAD gets the headers of its GET and
 * no body, errors are OCI JSON. A request whose body we answer without reading (a 401 on a
 * PATCH, a 416) closes the connection afterwards rather than draining gigabytes.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RegistryError } from './errors.js';

export const API_VERSION = 'registry/2.0';

/** Whether the request announced a body. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sends a complete response. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body?: Buffer | string,
): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const all: OutgoingHttpHeaders = { 'docker-distribution-api-version': API_VERSION, ...headers };
  if (bytes !== undefined && all['content-length'] === undefined) all['content-length'] = String(bytes.length);
  if (all['content-length'] === undefined) all['content-length'] = '0';
  if (hasBody(req) && !req.readableEnded) all.connection = 'close';
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** Sends an OCI JSON error. */
export function sendError(req: IncomingMessage, res: ServerResponse, error: RegistryError): void {
  send(req, res, error.status, { 'content-type': 'application/json; charset=utf-8', ...error.headers }, error.body());
}

/** Reads a small body (a manifest) fully; undefined when it exceeds `limit` bytes (the rest is left unread). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}
