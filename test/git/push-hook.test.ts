/**
 * The push-hook endpoint over a real socket, and the post-receive script run by sh against it:
 * secret checks, line parsing, streamed progress, errors as a last line, an unreachable cloud.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PUSH_HOOK_PATH,
  ZERO_SHA,
  createPushHookHandler,
  newPushId,
  parsePushLines,
  postReceiveScript,
  progressLines,
  type PushEvent,
} from '../../src/git/index.js';
import { tempDir } from './fixtures.js';

const SECRET = 'hook-secret-abc';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('push hook endpoint', () => {
  let server: Server;
  let origin: string;
  const received: PushEvent[][] = [];
  let onPush: (events: PushEvent[], progress: (line: string) => void) => Promise<void> = async () => {};

  before(async () => {
    const handler = createPushHookHandler({
      hookSecret: SECRET,
      onPush: (events, progress) => {
        received.push(events);
        return onPush(events, progress);
      },
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string, headers: Record<string, string> = { authorization: `Bearer ${SECRET}` }) =>
    fetch(`${origin}${path}`, { method: 'POST', body, headers });

  it('parses the lines, calls onPush once per push and streams its progress', async () => {
    onPush = async (_events, progress) => {
      progress('first');
      progress('second\nthird\u001b[31m');
    };
    const response = await post(
      `${PUSH_HOOK_PATH}/octo-org/app`,
      `${ZERO_SHA} ${A} refs/heads/main\nnot a line\n${A} ${B} refs/tags/v1\n\n`,
      {
        authorization: `Bearer ${SECRET}`,
        'x-dockyard-pusher': 'mona%20lisa',
      },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), 'first\nsecond\nthird[31m\n');
    assert.deepEqual(received.at(-1), [
      { repository: 'octo-org/app', ref: 'refs/heads/main', before: ZERO_SHA, after: A, pusher: 'mona lisa' },
      { repository: 'octo-org/app', ref: 'refs/tags/v1', before: A, after: B, pusher: 'mona lisa' },
    ]);
  });

  it('turns a failing onPush into a last error line', async () => {
    onPush = async (_events, progress) => {
      progress('working');
      throw new Error('boom');
    };
    const response = await post(`${PUSH_HOOK_PATH}/octo-org/app`, `${A} ${B} refs/heads/main\n`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'working\nerror: boom\n');
  });

  it('does not call onPush for a body without valid lines', async () => {
    const before = received.length;
    const response = await post(`${PUSH_HOOK_PATH}/octo-org/app`, 'garbage\n');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
    assert.equal(received.length, before);
  });

  it('refuses a missing or wrong secret, bad paths and methods', async () => {
    assert.equal((await post(`${PUSH_HOOK_PATH}/octo-org/app`, `${A} ${B} refs/heads/main\n`, {})).status, 401);
    assert.equal(
      (
        await post(`${PUSH_HOOK_PATH}/octo-org/app`, `${A} ${B} refs/heads/main\n`, {
          authorization: `Bearer ${SECRET}x`,
        })
      ).status,
      401,
    );
    assert.equal((await post(`${PUSH_HOOK_PATH}/octo-org/../x`, '')).status, 404);
    assert.equal((await post(`${PUSH_HOOK_PATH}/octo-org`, '')).status, 404);
    assert.equal((await fetch(`${origin}${PUSH_HOOK_PATH}/octo-org/app`)).status, 405);
  });

  it('runs the generated post-receive script against it, secret and pusher passed through', async () => {
    const dir = await tempDir('hook');
    try {
      const script = join(dir.path, 'post-receive');
      await writeFile(script, postReceiveScript('octo-org/app'));
      await chmod(script, 0o755);
      onPush = async (events, progress) =>
        progress(`got ${events.length} from ${events[0]?.pusher ?? ''} as ${events[0]?.pushId ?? 'no push'}`);
      const pushId = newPushId();
      const env = {
        PATH: process.env.PATH ?? '',
        DOCKYARD_HOOK_URL: `${origin}${PUSH_HOOK_PATH}`,
        DOCKYARD_HOOK_SECRET: SECRET,
        DOCKYARD_PUSHER: encodeURIComponent('x-access-token'),
        DOCKYARD_PUSH_ID: pushId,
      };
      assert.deepEqual(await sh(script, env, `${A} ${B} refs/heads/main\n`), {
        status: 0,
        stdout: `got 1 from x-access-token as ${pushId}\n`,
      });
      assert.deepEqual(await sh(script, { ...env, DOCKYARD_PUSH_ID: 'not-an-id' }, `${A} ${B} refs/heads/main\n`), {
        status: 0,
        stdout: 'got 1 from x-access-token as no push\n',
      });

      const wrongSecret = await sh(script, { ...env, DOCKYARD_HOOK_SECRET: 'nope' }, `${A} ${B} refs/heads/main\n`);
      assert.equal(wrongSecret.status, 0);
      assert.match(wrongSecret.stdout, /secret is missing or wrong[\s\S]*could not be told/);

      const unreachable = await sh(
        script,
        { ...env, DOCKYARD_HOOK_URL: 'http://127.0.0.1:1/x' },
        `${A} ${B} refs/heads/main\n`,
      );
      assert.deepEqual(unreachable, {
        status: 0,
        stdout:
          'dockyard: the push was stored, but the cloud could not be told about it; its runs start when the cloud starts again\n',
      });

      const unset = await sh(script, { PATH: env.PATH }, `${A} ${B} refs/heads/main\n`);
      assert.deepEqual(unset, { status: 0, stdout: '' });
    } finally {
      await dir.remove();
    }
  });
});

describe('push line and progress helpers', () => {
  it('accepts sha-1 and sha-256 ids and refs only', () => {
    const C = 'c'.repeat(64);
    assert.equal(
      parsePushLines(
        `${A} ${B} refs/heads/x\r\n${ZERO_SHA} ${C.slice(0, 40)} refs/tags/t\n${A} ${B} HEAD\n${A} ${B}\n`,
        'o/n',
        'p',
      ).length,
      2,
    );
    assert.equal(parsePushLines(`${C} ${C} refs/heads/x`, 'o/n', 'p').length, 1);
  });

  it('keeps progress lines short and printable', () => {
    assert.deepEqual(progressLines('a\tb\r\nc'), ['a  b', 'c']);
    const [long] = progressLines('x'.repeat(500));
    assert.equal(long?.length, 200);
    assert.ok(long?.endsWith('...'));
  });
});

/** Runs a hook script the way receive-pack does: ref lines on stdin, output collected. */
function sh(script: string, env: NodeJS.ProcessEnv, input: string): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    // stderr (curl's own complaints) is what git would show too; here it would only clutter the report.
    const child = spawn(script, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout }));
    child.stdin.end(input);
  });
}
