/**
 * Relays a CGI program's output as an HTTP response: the header block (ending at the first empty
 * line, CRLF or LF), its `Status:` line, then the body piped through unbuffered, so hook output
 * that git sends in the middle of a push reaches the client as it happens.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** More header than this is not a CGI header block but a broken program. */
const MAX_HEAD_BYTES = 64 * 1024;

export interface CgiHead {
  status: number;
  headers: Record<string, string | string[]>;
}

/** Parses a CGI header block (without the terminating empty line). */
export function parseCgiHead(block: string): CgiHead {
  let status = 200;
  const headers: Record<string, string | string[]> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const code = Number.parseInt(value, 10);
      if (code >= 100 && code <= 599) status = code;
      continue;
    }
    const key = name.toLowerCase();
    const existing = headers[key];
    headers[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { status, headers };
}

/** Finds the end of the header block: index of the body's first byte, or -1. */
function headEnd(buffer: Buffer): { head: number; body: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { head: crlf, body: crlf + 4 };
  if (lf >= 0) return { head: lf, body: lf + 2 };
  return undefined;
}

/**
 * Waits for the header block on `stdout`, writes it to `res`, then pipes the rest. Resolves once
 * the head has been written (true) or the output ended without one (false).
 */
export function relayCgiResponse(stdout: Readable, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = headEnd(pending);
      if (end === undefined) {
        if (pending.length > MAX_HEAD_BYTES) finish(false);
        return;
      }
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('close', onEnd);
      stdout.pause();
      const { status, headers } = parseCgiHead(pending.subarray(0, end.head).toString('latin1'));
      res.writeHead(status, headers);
      // Headers go out now, not with the first body byte: git waits for them before reading progress.
      res.flushHeaders();
      const body = pending.subarray(end.body);
      if (body.length > 0) res.write(body);
      stdout.pipe(res);
      resolve(true);
    };
    const onEnd = () => finish(false);
    const finish = (ok: boolean) => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('close', onEnd);
      stdout.resume();
      resolve(ok);
    };
    stdout.on('data', onData);
    stdout.on('end', onEnd);
    // A program that never started (or was killed) closes without ending.
    stdout.on('close', onEnd);
  });
}
