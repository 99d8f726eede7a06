/**
 * Test support for the network proxies: real `node:http` and TCP servers on 127.0.0.1 stand in
 * for containers' published ports, plus clients, a free-port finder, a condition waiter and a
 * harness for service endpoints. Everything binds loopback only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request,
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EndpointPortPool,
  NetworkStore,
  ServiceEndpoint,
  type EndpointTarget,
  type ServiceEndpointOptions,
} from '../../src/network/index.js';
import { openDatabase, type Db } from '../../src/store/database.js';

/**
 * A stand-in container: answers `name` on GET /, sleeps on /slow?ms=N, echoes POST /echo,
 * answers its request headers as JSON on /headers, two Set-Cookie on /cookies, an empty
 * /status?code=N, and on /partial a response head and 4 of its 100 body bytes, then nothing.
 * An Upgrade request is switched (101), greeted with `name:` and echoed.
 */
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
  const upgraded = new Set<Socket>();
  const upstream: Upstream = {
    name,
    port: 0,
    hits: 0,
    server: createServer((req, res) => {
      upstream.hits++;
      const url = new URL(req.url ?? '/', 'http://x');
      if (answerSpecial(url, req, res)) return;
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
      } else reply();
    }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of upgraded) socket.destroy();
        upstream.server.closeAllConnections();
        upstream.server.close(() => resolve());
      }),
  };
  upstream.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n${name}:`);
    socket.pipe(socket);
  });
  upstream.server.listen(port, '127.0.0.1');
  await new Promise((resolve) => upstream.server.once('listening', resolve));
  upstream.port = (upstream.server.address() as AddressInfo).port;
  return upstream;
}

/** The routes of startUpstream other than GET / and /slow; false when `url` is neither. */
function answerSpecial(url: URL, req: IncomingMessage, res: ServerResponse): boolean {
  switch (url.pathname) {
    case '/echo':
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return true;
    case '/headers':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
      return true;
    case '/cookies':
      res.writeHead(
        200,
        [
          ['Set-Cookie', 'a=1; Path=/'],
          ['Set-Cookie', 'b=2; HttpOnly'],
        ].flat(),
      );
      res.end('cookies');
      return true;
    case '/status':
      res.writeHead(Number(url.searchParams.get('code')));
      res.end();
      return true;
    case '/partial':
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
      return true;
    default:
      return false;
  }
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The client side's port: requests that share it shared a connection. */
  localPort: number | undefined;
}

/** One HTTP request; a new connection per request unless an agent is given. */
export function httpRequest(
  url: string,
  options: { method?: string; body?: Buffer; agent?: Agent; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 5_000,
        headers: options.headers ?? {},
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        const localPort = res.socket.localPort;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), localPort }),
        );
        res.on('error', reject);
      },
    );
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

/**
 * A stand-in for a non-HTTP container: a TCP server that answers every chunk with
 * `name:<chunk>`; with `greeting`, it speaks first (`220 name ready`), as SMTP does.
 */
export interface TcpUpstream {
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  close(): Promise<void>;
}

export async function startTcpUpstream(name: string, options: { greeting?: boolean } = {}): Promise<TcpUpstream> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    upstream.accepted++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (options.greeting) socket.write(`220 ${name} ready\r\n`);
    socket.on('data', (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const upstream: TcpUpstream = {
    port: (server.address() as AddressInfo).port,
    accepted: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return upstream;
}

/** Collects what `socket` receives; `until` waits for a condition on it, failing when the socket fails or ends first. */
export function received(socket: Socket): {
  text(): string;
  until(condition: (text: string) => boolean, what: string): Promise<string>;
} {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const failure = new Promise<never>((_, reject) => {
    socket.once('error', reject);
    socket.once('close', () =>
      reject(Object.assign(new Error(`closed; received ${JSON.stringify(text)}`), { code: 'CLOSED' })),
    );
  });
  failure.catch(() => undefined);
  return {
    text: () => text,
    until: async (condition, what) => {
      const deadline = Date.now() + 3_000;
      while (!condition(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(text)}`);
        await Promise.race([failure, new Promise((resolve) => setTimeout(resolve, 5))]);
      }
      return text;
    },
  };
}

/** Stand-in tasks and service endpoints on ports from `range`, closed after each test (`setup`/`teardown` as hooks). */
export function endpointHarness(range: { first: number; last: number }) {
  let db: TempDb | undefined;
  let closers: (() => Promise<void>)[] = [];
  const harness = {
    setup(): void {
      db = tempDb();
      closers = [];
    },
    async teardown(): Promise<void> {
      await Promise.all(closers.map((close) => close()));
      db?.dispose();
    },
    /** An http stand-in task and its target. */
    async task(name: string): Promise<{ upstream: Upstream; target: EndpointTarget }> {
      const upstream = await startUpstream(name);
      closers.push(() => upstream.close());
      return { upstream, target: harness.target(name, upstream.port) };
    },
    /** A TCP stand-in task and its target. */
    async tcpTask(
      name: string,
      options: { greeting?: boolean } = {},
    ): Promise<{ upstream: TcpUpstream; target: EndpointTarget }> {
      const upstream = await startTcpUpstream(name, options);
      closers.push(() => upstream.close());
      return { upstream, target: harness.target(name, upstream.port) };
    },
    target: (name: string, port: number): EndpointTarget => ({
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${name}`,
      address: '127.0.0.1',
      port,
    }),
    /** A started endpoint for service `web`. */
    async endpoint(
      options: Partial<ServiceEndpointOptions> = {},
    ): Promise<{ endpoint: ServiceEndpoint; url: string; port: number }> {
      assert.ok(db, 'setup() runs before each test');
      const ports = new EndpointPortPool(new NetworkStore(db.open()), { range });
      const endpoint = new ServiceEndpoint({
        serviceKey: 'arn:aws:ecs:us-east-1:000000000000:service/c/web',
        ports,
        ...options,
      });
      closers.push(() => endpoint.close());
      const port = await endpoint.start();
      assert.ok(endpoint.url);
      return { endpoint, url: endpoint.url, port };
    },
    /** A client socket, destroyed after the test. */
    track(socket: Socket): Socket {
      socket.on('error', () => undefined);
      closers.push(async () => void socket.destroy());
      return socket;
    },
    db(): TempDb {
      assert.ok(db, 'setup() runs before each test');
      return db;
    },
  };
  return harness;
}
