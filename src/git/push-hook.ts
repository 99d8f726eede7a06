/**
 * The endpoint each repository's post-receive hook calls: `POST <PUSH_HOOK_PATH>/OWNER/NAME` with
 * the hook's `old new ref` lines as the body, `Authorization: Bearer <hook secret>`, the
 * pusher (percent-encoded) in `X-Dockyard-Pusher` and the push's id (push-journal.ts) in
 * `X-Dockyard-Push-Id`. It hands the push to `onPush` and streams
 * the progress lines `onPush` reports back as text/plain; the hook prints them, so the pusher
 * sees them live as `remote: …`.
 *
 * The answer is 200 as soon as the push is accepted; a failure inside onPush becomes a last
 * `error: …` line, because the refs are updated already and there is nothing to refuse.
 * Malformed lines are skipped. Nothing here throws into the server.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import type { PushEvent } from './contract.js';
import { PUSHER_HEADER, PUSH_ID_HEADER } from './hook-script.js';
import { isRepositoryName } from './names.js';
import { decodePusher, isPushId, parsePushLines } from './push-lines.js';
import { errorMessage } from '../core/errors.js';

/** Where the hook posts to (the hook URL is the cloud's origin plus this). */
export const PUSH_HOOK_PATH = '/_dockyard/git/post-receive';

/** A push's ref lines are ~100 bytes each; this allows tens of thousands of refs in one push. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** git shows each line after "remote: " on the pusher's terminal; long lines wrap badly. */
export const MAX_PROGRESS_LINE = 200;

/** A fresh hook secret (hex, so it is safe in the hook's curl config). */
export function generateHookSecret(): string {
  return randomBytes(32).toString('hex');
}

export interface PushHookHandlerOptions {
  hookSecret: string;
  /** Handles one push (all its refs); `progress` lines reach the pusher while it runs. */
  onPush: (events: PushEvent[], progress: (line: string) => void) => Promise<void>;
  logger?: Logger;
  /** Default PUSH_HOOK_PATH. */
  path?: string;
}

export type PushHookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createPushHookHandler(options: PushHookHandlerOptions): PushHookHandler {
  const base = `${(options.path ?? PUSH_HOOK_PATH).replace(/\/+$/, '')}/`;
  const expected = digest(options.hookSecret);

  return async (req, res) => {
    try {
      const url = req.url ?? '/';
      const path = url.split('?', 1)[0] ?? '';
      const repository = path.startsWith(base) ? path.slice(base.length) : '';
      if (!isRepositoryName(repository)) return answer(res, 404, 'Not found.');
      if ((req.method ?? '').toUpperCase() !== 'POST') return answer(res, 405, 'Use POST.', { allow: 'POST' });
      const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1];
      // Digests make the comparison constant-time whatever the presented token's length.
      if (token === undefined || !timingSafeEqual(digest(token), expected)) {
        options.logger?.warn('push hook call refused', { repository });
        return answer(res, 401, 'dockyard: the push hook secret is missing or wrong.');
      }
      const body = await readBody(req);
      if (body === undefined) return answer(res, 413, 'dockyard: too many refs in one push.');
      const pusher = decodePusher(req.headers[PUSHER_HEADER]);
      const pushId = req.headers[PUSH_ID_HEADER];
      // Without a valid id (a hook from before the journal) the push is handled all the same.
      const events = parsePushLines(
        body,
        repository,
        pusher,
        typeof pushId === 'string' && isPushId(pushId) ? pushId : undefined,
      );

      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      if (events.length === 0) return void res.end();
      const progress = (line: string) => {
        if (res.writableEnded || res.destroyed) return;
        for (const part of progressLines(line)) res.write(`${part}\n`);
      };
      try {
        await options.onPush(events, progress);
      } catch (error) {
        options.logger?.error('push handling failed', { repository, error: errorMessage(error) });
        progress(`error: ${errorMessage(error)}`);
      }
      res.end();
    } catch (error) {
      options.logger?.error('push hook failed', { error: errorMessage(error) });
      if (!res.headersSent) answer(res, 500, 'dockyard: internal error while reporting the push.');
      else res.end();
    }
  };
}

/** One progress message as printable, short lines (git would show control characters raw). */
export function progressLines(message: string): string[] {
  return (
    message
      .split(/\r?\n|\r/)
      // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
      .map((line) => line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').replace(/\t/g, '  '))
      .map((line) => (line.length > MAX_PROGRESS_LINE ? `${line.slice(0, MAX_PROGRESS_LINE - 3)}...` : line))
  );
}

/** The body as text; undefined when it exceeds the cap. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${message}\n`);
}
