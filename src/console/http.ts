/**
 * The console's HTTP basics: who may talk to it (loopback peers, at a loopback host name, so a
 * page of another site that rebinds its name to 127.0.0.1 finds nothing), whether a request
 * comes from the console's own pages (Origin), cookies, bounded form bodies, and responses
 * with the console's security headers (CSP `default-src 'self'`: no inline script, nothing
 * from elsewhere).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Nothing of the console's URLs leaves for another site. Not no-referrer: with it, browsers
  // send "Origin: null" on the console's own POSTs, which the CSRF check must refuse.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Form and JSON bodies the console accepts (a login form, an action): small. */
export const MAX_FORM_BODY = 16 * 1024;

export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/** The Host header names a loopback host: localhost, 127.x.x.x or [::1], with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host.length > 300) return false;
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+)(?::\d{1,5})?$/.exec(host);
  const name = match?.[1]?.toLowerCase();
  if (name === undefined) return false;
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * Whether the request's Origin is the console's own (the scheme and host it was asked at). A
 * browser sends Origin with every POST; a request without one is not the console's page.
 */
export function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin === undefined || host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/** One cookie's value from the Cookie header. */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request's body, refused past MAX_FORM_BODY. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_FORM_BODY) throw new ConsoleHttpError(413, `The request body is over ${MAX_FORM_BODY} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BODY) throw new ConsoleHttpError(413, `The request body is over ${MAX_FORM_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'text/html; charset=utf-8', html, headers);
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.end();
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    ...headers,
    'content-type': contentType,
    'content-length': String(bytes.length),
  });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/** A 303 to a path of the console, with cookies to set. */
export function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(303, {
    ...SECURITY_HEADERS,
    ...(res.hasHeader('referrer-policy') ? { 'referrer-policy': String(res.getHeader('referrer-policy')) } : {}),
    'cache-control': 'no-store',
    location,
    'content-length': '0',
    ...(cookies.length > 0 ? { 'set-cookie': cookies } : {}),
  });
  res.end();
}
