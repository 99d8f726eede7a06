/**
 * The guard's answers of its own, in the Docker Engine API's error shape (`{"message": …}`, which
 * the docker CLI prints as `Error response from daemon: …`). A `GuardRefusal` is thrown by any
 * step that decides a request must not reach the engine; the transport turns it into a response.
 */
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { EngineError } from '../engine/errors.js';

/** Every message the guard writes starts with this, so a user sees who refused. */
export const MESSAGE_PREFIX = 'dockyard: ';

/** A request the guard answers itself with an error status instead of forwarding it. */
export class GuardRefusal extends Error {
  override readonly name = 'GuardRefusal';

  constructor(
    /** 403 for policy refusals, 400 for malformed input, 413 for oversized bodies, 404 for unknown objects. */
    readonly status: number,
    message: string,
    /** False for the engine's own message passed on (e.g. `no such container`). */
    prefixed = true,
  ) {
    super(!prefixed || message.startsWith(MESSAGE_PREFIX) ? message : MESSAGE_PREFIX + message);
  }
}

/** A policy refusal: `what` was asked, `why` it is not allowed in a workflow job. */
export function forbidden(message: string): GuardRefusal {
  return new GuardRefusal(403, message);
}

/** Input the guard cannot read (bad JSON, a malformed path or parameter). */
export function badRequest(message: string): GuardRefusal {
  return new GuardRefusal(400, message);
}

/** The reason phrases of the statuses the guard answers with itself. */
const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** Writes a JSON answer on an HTTP response (unless one has started already). */
export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    'Api-Version': '1.41',
  });
  res.end(body);
}

/** Writes a JSON answer on a raw socket (a hijack request refused before any upgrade), then closes it. */
export function writeRawJson(socket: Socket, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  const head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** The status and body a failure becomes: refusals as they are, anything else a 500 without internals. */
export function errorAnswer(error: unknown): { status: number; body: { message: string } } {
  if (error instanceof GuardRefusal) return { status: error.status, body: { message: error.message } };
  if (error instanceof EngineError && error.code === 'Unavailable')
    return {
      status: 502,
      body: { message: `${MESSAGE_PREFIX}the container engine did not answer: ${error.engineMessage}` },
    };
  return { status: 500, body: { message: `${MESSAGE_PREFIX}internal error in the Docker API guard (logged)` } };
}
