/**
 * Talking to the console as a browser would, without one: raw HTTP requests (any Host, Origin
 * and cookie), logging in through the form, the session's CSRF token from the app's page, and
 * a page's event stream read event by event.
 */
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { CONSOLE_PREFIX } from '../../src/console/contract.js';
import { waitFor } from '../support/wait-for.js';

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request to the cloud at `url` (its origin), path under the console unless absolute. */
export function call(url: string, path: string, options: Call = {}): Promise<Answer> {
  const target = new URL(path.startsWith('/_') ? path : `${CONSOLE_PREFIX}${path}`, url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Session {
  cookie: string;
  csrf: string;
  /** The Set-Cookie line as the server sent it. */
  setCookie: string;
}

/** Logs in with the admin key through the login form; the session's cookie and CSRF token. */
export async function logIn(url: string, admin: { accessKeyId: string; secretAccessKey: string }): Promise<Session> {
  const answer = await call(url, '/login', {
    method: 'POST',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey }).toString(),
  });
  assert.equal(answer.status, 303, answer.body);
  const setCookie = [answer.headers['set-cookie'] ?? []].flat()[0] ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  return { cookie, setCookie, csrf: await csrfOf(url, cookie) };
}

/** The CSRF token the app's page carries for this session. */
export async function csrfOf(url: string, cookie: string): Promise<string> {
  const page = await call(url, '/', { headers: { cookie } });
  assert.equal(page.status, 200, page.body);
  const csrf = /<meta name="dockyard-csrf" content="([^"]+)">/.exec(page.body)?.[1];
  assert.ok(csrf, 'the app page carries the CSRF token');
  return csrf;
}

export interface StreamEvent {
  event: string;
  data: unknown;
}

/** A page's event stream, read as it arrives. */
export interface EventStream {
  status: number;
  headers: IncomingMessage['headers'];
  events: StreamEvent[];
  /** Waits for an event that satisfies `match` (among those already read, or later ones). */
  next(event: string, match?: (data: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

export function openStream(url: string, query: string, cookie?: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`${CONSOLE_PREFIX}/events?${query}`, url), {
      headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: StreamEvent[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data !== undefined) events.push({ event: name, data: JSON.parse(data) as unknown });
        }
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        next: (event, match = () => true, timeoutMs = 10_000) =>
          waitFor(`a ${event} event`, () => events.find((e) => e.event === event && match(e.data))?.data, {
            timeoutMs,
          }),
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}
