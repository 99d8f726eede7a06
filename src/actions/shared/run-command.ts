/**
 * Running a command-line client (docker, git) the way the official actions do through
 * @actions/exec: captured output, a non-zero exit code reported to the caller rather than thrown,
 * and optional stdin (for `docker login --password-stdin`).
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args…`, feeding `stdin` if given; a missing binary is exit code 127 with the spawn error as stderr. */
export function runCommand(
  command: string,
  args: string[],
  options: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ exitCode: 127, stdout, stderr: stderr + error.message }));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
    // A child that exits before reading stdin would otherwise raise EPIPE on our side.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
