/**
 * A machine-wide exclusive lock on a file, taken with util-linux's `flock` (Node has no flock):
 * the lock lives in a child process (a shell, then `cat`) that keeps it while its stdin is open. The kernel releases it
 * when the holder ends for any reason, so a killed build never leaves a stale lock behind: our
 * process dying closes the pipe and the child exits. scripts/base-images locks the same way.
 */
import { spawn } from 'node:child_process';

/** Releases a lock taken by {@link acquireFileLock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * The holder: opens the file as fd 9, tries the lock without waiting and says `waiting` when
 * another process has it, takes it, says `locked`, then keeps fd 9 open in `cat` until its
 * stdin closes. The path is an argument, never part of the script.
 */
const HOLDER =
  'exec 9>>"$1" || exit 1; if ! flock --nonblock 9; then echo waiting; flock 9 || exit 1; fi; echo locked; exec cat >/dev/null';

/**
 * Waits for the exclusive lock on `path` (created if missing). `onWait` is called when another
 * process holds it. Rejects when `signal` aborts or `flock` cannot run.
 */
export function acquireFileLock(
  path: string,
  options: { onWait?: () => void; signal?: AbortSignal } = {},
): Promise<ReleaseLock> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', HOLDER, 'sh', path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let settled = false;
    let stderr = '';
    let stdout = '';
    let saidWaiting = false;
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(error);
    };
    const onAbort = () =>
      fail(
        options.signal?.reason instanceof Error
          ? options.signal.reason
          : new Error('aborted while waiting for the lock'),
      );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', fail);
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.on('close', (code) =>
      fail(new Error(`flock ${path} ended (exit ${code}) before taking the lock: ${stderr.trim()}`)),
    );
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (settled) return;
      if (stdout.startsWith('waiting\n') && !stdout.includes('locked') && !saidWaiting) {
        saidWaiting = true;
        options.onWait?.();
      }
      if (!stdout.includes('locked\n')) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve(async () => {
        child.stdin.end();
        await exited;
      });
    });
    if (options.signal?.aborted) onAbort();
  });
}
