/**
 * A long-running client whose output is read while it runs: each line with the instant it
 * arrived, so a test can wait for a line and measure when it was shown.
 */
import { spawn } from 'node:child_process';

export interface Line {
  /** Date.now() when the line arrived. */
  at: number;
  text: string;
}

export interface Streamed {
  /** stdout and stderr lines, in arrival order (git's `remote: ` prefix kept). */
  readonly lines: Line[];
  /** The output so far, as one text. */
  text(): string;
  /** The first line matching `pattern`; waits up to `timeoutMs` for it. */
  line(pattern: RegExp, timeoutMs: number): Promise<Line>;
  /** Resolves with the exit status. */
  readonly exited: Promise<number>;
  kill(): void;
}

export function streamed(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Streamed {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  const reader = () => {
    let buffer = '';
    return (chunk: Buffer) => {
      const at = Date.now();
      buffer += chunk.toString('utf8');
      const parts = buffer.split(/\r?\n|\r/);
      buffer = parts.pop() ?? '';
      for (const text of parts) lines.push({ at, text });
      for (const wake of waiters) wake();
    };
  };
  child.stdout.on('data', reader());
  child.stderr.on('data', reader());
  const exited = new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? -1)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const wake of waiters) wake();
  });
  return {
    lines,
    exited,
    text: () => lines.map((l) => l.text).join('\n'),
    kill: () => void child.kill('SIGTERM'),
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => pattern.test(l.text));
          if (found) return finish(() => resolve(found));
          if (done)
            return finish(() =>
              reject(
                new Error(
                  `${command} exited without printing ${String(pattern)}:\n${lines.map((l) => l.text).join('\n')}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `no line matching ${String(pattern)} within ${timeoutMs} ms:\n${lines.map((l) => l.text).join('\n')}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}
