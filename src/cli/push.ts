/**
 * `dockyard push [git push arguments]`: `git push` that fails when the workflows it starts
 * fail. A plain `git push` already streams the runs' progress (the hosted repository's
 * post-receive hook prints it as `remote: …` lines) but git's exit status cannot carry a
 * workflow's result; this wrapper reads the hook's final line and exits 1 unless every run
 * succeeded.
 */
import { spawn } from 'node:child_process';
import { PUSH_RESULT_PREFIX } from '../control/push-follow.js';
import { CliError, type Command } from './command.js';

const USAGE = `Usage: dockyard push [git push arguments]

Runs \`git push\` with the given arguments, shows the workflow runs the push starts step by step,
and exits 1 unless they all succeed (git push alone exits 0 once the refs are updated).
Example: dockyard push dockyard main`;

export const pushCommand: Command = {
  name: ['push'],
  usage: USAGE,
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { status, verdict } = await gitPush(argv);
    if (status !== 0) return status;
    if (verdict === undefined) {
      process.stderr.write(
        'dockyard push: the remote printed no workflow results (is it a repository hosted by dockyard?)\n',
      );
      return 0;
    }
    return verdict ? 0 : 1;
  },
};

/** Runs git push, echoing its output; `verdict` is true/false from the hook's final line. `signal` ends git early. */
export function gitPush(
  args: string[],
  cwd = process.cwd(),
  options: { signal?: AbortSignal } = {},
): Promise<{ status: number; verdict: boolean | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['push', '--progress', ...args], {
      cwd,
      stdio: ['inherit', 'inherit', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let verdict: boolean | undefined;
    let buffer = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      buffer += chunk;
      let newline;
      while ((newline = buffer.search(/[\r\n]/)) >= 0) {
        const line = buffer
          .slice(0, newline)
          .replace(/^remote:\s*/, '')
          .trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith(PUSH_RESULT_PREFIX)) continue;
        if (/ all \d+ run\(s\) succeeded/.test(line)) verdict = verdict ?? true;
        else if (/did not succeed/.test(line)) verdict = false;
      }
    });
    child.on('error', (error) => {
      // An abort kills git; 'close' reports it.
      if (error.name !== 'AbortError') reject(new CliError(`could not run git: ${error.message}`));
    });
    child.on('close', (code) => resolve({ status: code ?? 1, verdict }));
  });
}
