/**
 * Hijacked requests (attach, exec start with `Connection: Upgrade`, `Upgrade: tcp`): the
 * request goes to the engine as an HTTP request of its own — head and body, nothing more — and
 * only once the engine has answered `101` do the two connections become one raw byte pipe, half
 * closes included (`docker run -i` ends stdin and still reads the output). Any other answer is
 * passed back and the client's connection closed, so bytes a client sends after its request
 * can never reach the engine as a further, unchecked request.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { EngineEndpoint } from '../engine/endpoint.js';
import { connectTarget, HOP_BY_HOP, type OpenConnections } from './forward.js';
import { badRequest } from './refusal.js';

/** Reads the request's body (Content-Length bytes) from what came with the head and the socket; the rest is kept. */
function readUpgradeBody(req: IncomingMessage, socket: Socket, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  if (req.headers['transfer-encoding']) throw badRequest('a hijacked request must send its body with a Content-Length');
  const length = Number(req.headers['content-length'] ?? '0');
  if (!Number.isSafeInteger(length) || length < 0 || length > 1024 * 1024)
    throw badRequest('a hijacked request body must be at most 1 MiB');
  return new Promise((resolve, reject) => {
    let got = head;
    const check = () => {
      if (got.length < length) return false;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      resolve({ body: got.subarray(0, length), rest: got.subarray(length) });
      return true;
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      check();
    };
    const onEnd = () => reject(badRequest('the connection ended before the request body'));
    if (check()) return;
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/**
 * The raw head of an engine answer, for the client's socket. With `close`, the framing headers
 * go (the body is passed on decoded) and the connection ends after it.
 */
function rawHead(answer: IncomingMessage, close: boolean): string {
  const lines = [`HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}`];
  for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
    const name = answer.rawHeaders[i] ?? '';
    if (close && ['connection', 'keep-alive', 'transfer-encoding'].includes(name.toLowerCase())) continue;
    lines.push(`${name}: ${answer.rawHeaders[i + 1] ?? ''}`);
  }
  if (close) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Forwards a hijacking request to `path`; resolves once both sides have closed. */
export async function forwardUpgrade(
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  path: string,
  endpoint: EngineEndpoint,
  open: OpenConnections,
): Promise<void> {
  const { body, rest } = await readUpgradeBody(req, socket, head);
  const headers: Record<string, string | string[]> = {
    host: 'docker',
    connection: 'Upgrade',
    upgrade: String(req.headers.upgrade ?? 'tcp'),
    'content-length': String(body.length),
  };
  for (const [key, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(key) && key !== 'content-length' && value !== undefined) headers[key] = value;
  }
  return new Promise<void>((resolve) => {
    const upstream = httpRequest({ ...connectTarget(endpoint), agent: false, method: req.method, path, headers });
    open.add(upstream);
    const done = () => {
      open.delete(upstream);
      resolve();
    };
    upstream.on('error', () => {
      socket.destroy();
      done();
    });
    // Not upgraded (no such exec, a conflict): the answer, then the end of this connection.
    upstream.on('response', (answer) => {
      socket.write(rawHead(answer, true));
      answer.on('data', (chunk: Buffer) => socket.write(chunk));
      answer.on('end', () => {
        socket.end();
        done();
      });
      answer.on('error', () => {
        socket.destroy();
        done();
      });
    });
    upstream.on('upgrade', (answer: IncomingMessage, engineSocket: Socket, engineHead: Buffer) => {
      open.add(engineSocket);
      socket.write(rawHead(answer, false));
      if (engineHead.length > 0) socket.write(engineHead);
      if (rest.length > 0) engineSocket.write(rest);
      let closed = 0;
      const closeOne = () => {
        if (++closed < 2) return;
        open.delete(engineSocket);
        done();
      };
      const fail = () => {
        engineSocket.destroy();
        socket.destroy();
      };
      engineSocket.on('close', closeOne);
      socket.on('close', closeOne);
      engineSocket.on('error', fail);
      socket.on('error', fail);
      socket.pipe(engineSocket);
      engineSocket.pipe(socket);
      socket.resume();
    });
    upstream.end(body);
  });
}
