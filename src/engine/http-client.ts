/**
 * A minimal HTTP/1.1 client for the Docker Engine API over a unix socket or loopback TCP:
 * JSON in and out, streamed responses for logs, pulls and exec, and one mapping of failures to
 * `EngineError` (the engine's `{message}` body is kept verbatim). No keep-alive: unix socket
 * connections are cheap, and a reused socket the engine just closed fails with ECONNRESET.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { formatEndpoint, type EngineEndpoint } from './endpoint.js';
import { EngineError, type EngineErrorCode } from './errors.js';

/** One request to the engine. `path` is complete (version prefix included). */
export interface EngineRequest {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Values are stringified; an array repeats the parameter (Docker's `changes`). */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** A JSON body (serialised here) or a raw stream/buffer with `contentType`. */
  json?: unknown;
  body?: Buffer | Readable;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Error code for every failure of this request (e.g. `PullFailed`), instead of one per status. */
  errorCode?: EngineErrorCode;
}

/** Sends requests to one engine endpoint. */
export class EngineHttpClient {
  readonly endpoint: EngineEndpoint;
  private readonly agent = new Agent({ keepAlive: false });

  constructor(endpoint: EngineEndpoint) {
    this.endpoint = endpoint;
  }

  /** Sends the request; resolves with the response once its status is below 400 (body unread). */
  async stream(req: EngineRequest): Promise<IncomingMessage> {
    const res = await this.send(req);
    if ((res.statusCode ?? 0) < 400) return res;
    const text = await readText(res);
    throw new EngineError({
      operation: req.operation,
      status: res.statusCode ?? 0,
      code: req.errorCode,
      engineMessage: engineMessage(text),
    });
  }

  /** Sends the request and parses the JSON answer (undefined for an empty body, e.g. 204). */
  async json<T>(req: EngineRequest): Promise<T | undefined> {
    const res = await this.stream(req);
    const text = await readText(res);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new EngineError({
        operation: req.operation,
        status: res.statusCode ?? 0,
        code: 'EngineFailure',
        engineMessage: text.slice(0, 500),
        message: `${req.operation}: the engine answered invalid JSON`,
        cause,
      });
    }
  }

  /** Sends the request and returns the answer as text. */
  async text(req: EngineRequest): Promise<string> {
    return readText(await this.stream(req));
  }

  /** Destroys every open connection (following log streams, waits). */
  close(): void {
    this.agent.destroy();
  }

  private send(req: EngineRequest): Promise<IncomingMessage> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (Array.isArray(value)) for (const item of value) search.append(key, item);
      else if (value !== undefined) search.set(key, String(value));
    }
    const qs = search.toString();
    const headers: Record<string, string> = { ...req.headers };
    let payload: Buffer | Readable | undefined = req.body;
    if (req.json !== undefined) {
      payload = Buffer.from(JSON.stringify(req.json));
      headers['Content-Type'] = 'application/json';
    } else if (req.contentType) {
      headers['Content-Type'] = req.contentType;
    }
    if (Buffer.isBuffer(payload)) headers['Content-Length'] = String(payload.length);
    const target =
      this.endpoint.kind === 'unix'
        ? { socketPath: this.endpoint.socketPath }
        : { host: this.endpoint.host, port: this.endpoint.port };
    // The Host header is required by HTTP/1.1; over a unix socket any name does.
    if (this.endpoint.kind === 'unix') headers.Host = 'docker';
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          ...target,
          agent: this.agent,
          method: req.method,
          path: qs ? `${req.path}?${qs}` : req.path,
          headers,
          signal: req.signal,
        },
        resolve,
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.name === 'AbortError') reject(error);
        else
          reject(
            new EngineError({
              operation: req.operation,
              status: 0,
              code: 'Unavailable',
              engineMessage: error.message,
              message: `${req.operation}: cannot reach the container engine at ${formatEndpoint(this.endpoint)}: ${error.message}`,
              cause: error,
            }),
          );
      });
      if (payload === undefined) request.end();
      else if (Buffer.isBuffer(payload)) request.end(payload);
      else {
        payload.on('error', (error) => request.destroy(error));
        payload.pipe(request);
      }
    });
  }
}

/** Reads a whole response body as UTF-8. */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Extracts the message of an engine error body (`{"message": …}` on Docker and Podman). */
export function engineMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the body is the message
  }
  return text.trim();
}
