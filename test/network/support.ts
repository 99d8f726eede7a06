/**
 * Test support for the network proxies: real `node:http` servers on 127.0.0.1 stand in for
 * containers' published ports, plus a client, a free-port finder and a condition waiter.
 * Everything binds loopback only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Agent, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.js';

/** A stand-in container: answers `name` on GET /, sleeps on /slow?ms=N, echoes POST /echo. */
export interface Upstream {
  name: string;
  port: number;
  /** Requests answered so far. */
  hits: number;
  server: Server;
  close(): Promise<void>;
}

export async function startUpstream(name: string, port = 0): Promise<Upstream> {
  const timers = new Set<NodeJS.Timeout>();
  const upstream: Upstream = {
    name,
    port: 0,
    hits: 0,
    server: createServer((req, res) => {
      upstream.hits++;
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/echo') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        req.pipe(res);
        return;
      }
      const ms = Number(url.searchParams.get('ms') ?? 0);
      const reply = (): void => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(name);
      };
      if (url.pathname === '/slow') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, ms);
        timers.add(timer);
      }
      else reply();
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        upstream.server.closeAllConnections();
        upstream.server.close(() => resolve());
      }),
  };
  upstream.server.listen(port, '127.0.0.1');
  await new Promise((resolve) => upstream.server.once('listening', resolve));
  upstream.port = (upstream.server.address() as AddressInfo).port;
  return upstream;
}

export interface Reply {
  status: number;
  body: Buffer;
}

/** One HTTP request; a new connection per request unless an agent is given. */
export function httpRequest(url: string, options: { method?: string; body?: Buffer; agent?: Agent; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false, timeout: options.timeoutMs ?? 5_000 }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The error code a failed request ends with ('' when it did not fail). */
export async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return '';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/** A port free on `address` right now. */
export async function freePort(address: string): Promise<number> {
  const server = createTcpServer();
  server.listen(0, address);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until `condition` holds, polling; fails after `deadlineMs`. */
export async function waitFor(condition: () => boolean, what: string, deadlineMs = 3_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A database file in a fresh temp directory, reopenable to simulate a restart. */
export interface TempDb {
  file: string;
  open(): Db;
  dispose(): void;
}

export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-network-'));
  const opened: Db[] = [];
  return {
    file: join(dir, 'state.db'),
    open() {
      const db = openDatabase(join(dir, 'state.db'));
      opened.push(db);
      return db;
    },
    dispose() {
      for (const db of opened) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
