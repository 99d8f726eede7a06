/**
 * Child processes for steps: each in its own process group (so a kill reaches everything a
 * step started), stdout and stderr delivered line by line, killed with SIGTERM and, after a
 * grace period, SIGKILL.
 *
 * Decision: the grace period is 5 s (GitHub's runner sends SIGINT, then SIGTERM after 7.5 s);
 * SIGTERM first because shells forward it to their foreground job. A step is finished when its
 * process exits; output still arriving from background children is read for 500 ms more, then
 * the pipes are closed so a forgotten `sleep 1000 &` cannot hold the job. Leftover process
 * groups are killed when the job ends (GitHub's runner also kills orphans at job end).
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export const KILL_GRACE_MS = 5000;
/** How long output from a step's background children is still read after the step's process ended. */
export const OUTPUT_DRAIN_MS = 500;

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started. */
  spawnError?: Error;
}

export interface StartedProcess {
  readonly pid: number | undefined;
  readonly done: Promise<ProcessResult>;
  /** Why it was killed, if it was. */
  readonly killReason: 'cancel' | 'timeout' | undefined;
  /** SIGTERM to the group, SIGKILL after the grace period if it is still alive. */
  kill(reason: 'cancel' | 'timeout'): void;
}

/** Signals a whole process group, ignoring a group that is already gone. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has exited
  }
}

/** True while any process of the group lives. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a process in a new group; `onLine` gets each complete output line without its newline. */
export function startProcess(
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; onLine: (line: string, stream: 'stdout' | 'stderr') => void },
): StartedProcess {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let killTimer: NodeJS.Timeout | undefined;
  let killReason: 'cancel' | 'timeout' | undefined;
  const readers = [
    lineReader(child.stdout, (line) => options.onLine(line, 'stdout')),
    lineReader(child.stderr, (line) => options.onLine(line, 'stderr')),
  ];
  const done = new Promise<ProcessResult>((resolve) => {
    child.once('error', (error) => {
      readers.forEach((reader) => reader.flush());
      resolve({ exitCode: null, signal: null, spawnError: error });
    });
    child.once('exit', (exitCode, signal) => {
      void Promise.all(readers.map((reader) => reader.ended(OUTPUT_DRAIN_MS))).then(() => {
        if (killTimer !== undefined) clearTimeout(killTimer);
        resolve({ exitCode, signal });
      });
    });
  });
  return {
    pid: child.pid,
    done,
    get killReason() {
      return killReason;
    },
    kill(reason) {
      if (child.pid === undefined || killTimer !== undefined) return;
      killReason = reason;
      const pid = child.pid;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    },
  };
}

/** Lines of one output stream. */
export interface LineReader {
  flush(): void;
  /** Resolves when the stream ended, or after `graceMs` (then the stream is destroyed). */
  ended(graceMs: number): Promise<void>;
}

/** Splits `stream` into lines (UTF-8 kept whole across chunks; a final unterminated line is delivered too). */
export function lineReader(stream: Readable, onLine: (line: string) => void): LineReader {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let finished = false;
  const emit = (text: string) => {
    pending += text;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
    }
  };
  const flush = () => {
    if (finished) return;
    finished = true;
    emit(decoder.end());
    if (pending !== '') onLine(pending.replace(/\r$/, ''));
    pending = '';
  };
  const end = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  return {
    flush,
    async ended(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([end, timeout]);
      if (timer !== undefined) clearTimeout(timer);
      stream.destroy();
      flush();
    },
  };
}
