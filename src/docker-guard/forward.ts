/**
 * Passing a checked request on to the engine and its answer back, as a stream both ways: build
 * contexts and image tarballs in, pull and push progress, `logs -f` and `events` out, with the
 * headers flushed at once so long polls (`wait`) and event streams reach the client as they
 * come. Hijacked requests (attach, exec start) are hijack.ts's.
 */
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { EngineEndpoint } from '../engine/endpoint.js';
import { errorAnswer, writeJson, MESSAGE_PREFIX } from './refusal.js';

/** Looks at a request body as it streams, before the engine has all of it; throws a refusal to stop it. */
export interface RequestCheck {
  push(chunk: Buffer): void;
  /** Called once the client's body has ended, before its last chunk reaches the engine. */
  finish(): Promise<void>;
}

/** How the engine's answer is passed back. */
export type ResponseMode =
  /** As it comes (the default). */
  | { kind: 'stream' }
  /**
   * As it comes, each line also handed to `line` (build and load progress); with `keep`, only
   * the lines it keeps are passed on (a build's "Successfully tagged" lines of other names).
   */
  | { kind: 'lines'; line: (line: string) => void; keep?: (line: string) => boolean }
  /**
   * Read whole (up to a limit), its JSON value transformed when the status is below 300. With
   * `headersFirst`, the status and headers are passed on at once (a long poll such as `wait`,
   * whose client waits for the headers before it goes on).
   */
  | { kind: 'json'; transform: (value: unknown) => unknown | Promise<unknown>; headersFirst?: boolean };

/** A request to send to the engine, decided by an operation's handler. */
export interface ForwardPlan {
  kind: 'forward';
  /** Path and query string as the engine receives them. */
  path: string;
  /** Replaces the client's body (a rewritten JSON body). */
  body?: Buffer;
  /** Headers set (or, with undefined, removed) on top of the client's. */
  headers?: Record<string, string | undefined>;
  check?: RequestCheck;
  response?: ResponseMode;
  /** Headers added to the engine's answer when it lacks them. */
  responseHeaders?: Record<string, string>;
  /** Runs after the engine's answer has been passed back, with its status. */
  after?: (status: number) => Promise<void> | void;
  /** Runs when the exchange is over, however it ended (a client gone, an engine error). */
  cleanup?: () => void;
}

/** The longest line of a `lines` answer held back to be looked at whole. */
const MAX_HELD_LINE = 1024 * 1024;

/** An answer the guard gives itself. */
export interface AnswerPlan {
  kind: 'answer';
  status: number;
  body: unknown;
}

export type Plan = ForwardPlan | AnswerPlan;

/** Hop-by-hop headers, never forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
]);

/** The largest engine answer read whole for a JSON transform (a long container or network list). */
const MAX_JSON_RESPONSE = 64 * 1024 * 1024;

/** Every engine connection open now, so `close()` can end them. */
export type OpenConnections = Set<{ destroy(): void }>;

export function connectTarget(endpoint: EngineEndpoint): { socketPath: string } | { host: string; port: number } {
  return endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
}

function requestHeaders(incoming: IncomingHttpHeaders, plan: ForwardPlan): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(incoming)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) headers[key] = value;
  }
  headers.host = 'docker';
  if (plan.body) {
    headers['content-length'] = String(plan.body.length);
    headers['content-type'] = 'application/json';
  }
  for (const [key, value] of Object.entries(plan.headers ?? {})) {
    if (value === undefined) delete headers[key.toLowerCase()];
    else headers[key.toLowerCase()] = value;
  }
  return headers;
}

function responseHeaders(incoming: IncomingHttpHeaders, plan: ForwardPlan): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(incoming)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) headers[key] = value;
  }
  for (const [key, value] of Object.entries(plan.responseHeaders ?? {})) headers[key.toLowerCase()] ??= value;
  return headers;
}

/** Sends `plan` to the engine and the answer to `res`; resolves when both are done. */
export function forwardHttp(
  req: IncomingMessage,
  res: ServerResponse,
  plan: ForwardPlan,
  endpoint: EngineEndpoint,
  open: OpenConnections,
  onAfterError: (error: unknown) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    const upstream = httpRequest({
      ...connectTarget(endpoint),
      agent: false,
      method: req.method,
      path: plan.path,
      headers: requestHeaders(req.headers, plan),
    });
    open.add(upstream);
    const finish = () => {
      if (settled) return;
      settled = true;
      open.delete(upstream);
      plan.cleanup?.();
      resolve();
    };
    /** Ends the exchange with the guard's own answer (the engine never gets the rest). */
    const refuse = (error: unknown) => {
      upstream.destroy();
      req.resume(); // drain what the client still sends, so its connection stays usable
      const answer = errorAnswer(error);
      writeJson(res, answer.status, answer.body);
      finish();
    };
    upstream.on('error', (error) => {
      if (settled) return;
      if (res.headersSent) res.destroy();
      else writeJson(res, 502, { message: `${MESSAGE_PREFIX}the container engine did not answer: ${error.message}` });
      finish();
    });
    // The client went away: stop the engine's side too (a `logs -f`, an `events` stream).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    let answered = false;
    upstream.on('close', () => {
      if (!answered) finish();
    });
    upstream.on('response', (answer) => {
      answered = true;
      void passBack(answer, res, plan).then(
        async (status) => {
          try {
            await plan.after?.(status);
          } catch (error) {
            onAfterError(error);
          } finally {
            finish();
          }
        },
        () => {
          res.destroy();
          finish();
        },
      );
    });
    sendBody(req, upstream, plan, refuse);
  });
}

function sendBody(
  req: IncomingMessage,
  upstream: ReturnType<typeof httpRequest>,
  plan: ForwardPlan,
  refuse: (error: unknown) => void,
): void {
  if (plan.body) {
    req.resume();
    upstream.end(plan.body);
    return;
  }
  const check = plan.check;
  if (!check) {
    req.pipe(upstream);
    return;
  }
  // The last chunk is held back until the check has seen the whole body: the engine only acts
  // on a complete body, so a refusal at the end still comes before anything happens.
  let held: Buffer | undefined;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    if (failed) return;
    try {
      check.push(chunk);
    } catch (error) {
      failed = true;
      refuse(error);
      return;
    }
    if (held && !upstream.write(held)) {
      req.pause();
      upstream.once('drain', () => req.resume());
    }
    held = chunk;
  });
  req.on('end', () => {
    if (failed) return;
    check.finish().then(
      () => upstream.end(held),
      (error: unknown) => {
        failed = true;
        refuse(error);
      },
    );
  });
}

/** Passes the engine's answer back; resolves with its status once it has all been written. */
async function passBack(answer: IncomingMessage, res: ServerResponse, plan: ForwardPlan): Promise<number> {
  const status = answer.statusCode ?? 502;
  const mode = plan.response ?? { kind: 'stream' };
  if (mode.kind === 'json' && status < 300) {
    const headers = responseHeaders(answer.headers, plan);
    delete headers['content-length'];
    if (mode.headersFirst) {
      res.writeHead(status, headers);
      res.flushHeaders();
    }
    const raw = await readAll(answer, MAX_JSON_RESPONSE);
    let body = raw;
    let value: unknown;
    let isJson = true;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      isJson = false; // passed on as it came
    }
    if (isJson) {
      try {
        body = Buffer.from(JSON.stringify(await mode.transform(value)));
      } catch (error) {
        // Never the untransformed answer: it may hold what the transform narrows away.
        const failed = errorAnswer(error);
        if (res.headersSent) res.destroy();
        else writeJson(res, failed.status, failed.body);
        return failed.status;
      }
    }
    if (!res.headersSent) {
      headers['content-length'] = String(body.length);
      res.writeHead(status, headers);
    }
    res.end(body);
    return status;
  }
  const headers = responseHeaders(answer.headers, plan);
  const keep = mode.kind === 'lines' ? mode.keep : undefined;
  if (keep) delete headers['content-length'];
  res.writeHead(status, headers);
  res.flushHeaders();
  if (mode.kind === 'lines') {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const pass = (line: string, end: string) => {
      mode.line(line);
      if (keep?.(line)) res.write(line + end);
    };
    answer.on('data', (chunk: Buffer) => {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) pass(line, '\n');
      if (partial.length > MAX_HELD_LINE) {
        // A line this long is no progress message: passed on unlooked-at rather than held.
        if (keep) res.write(partial);
        partial = '';
      }
    });
    answer.on('end', () => {
      partial += decoder.end();
      if (partial) pass(partial, '');
      if (keep) res.end();
    });
  }
  if (!keep) answer.pipe(res);
  await new Promise<void>((resolve, reject) => {
    res.on('finish', resolve);
    res.on('close', () => (res.writableFinished ? resolve() : reject(new Error('client went away'))));
    answer.on('error', reject);
  });
  return status;
}

async function readAll(stream: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`engine answer larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
