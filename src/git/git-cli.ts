/**
 * Runs the git CLI on a bare repository: no shell, arguments as an array, a scrubbed
 * environment (an inherited GIT_DIR or GIT_INDEX_FILE, as in a hook, must not redirect us), and
 * a cap on what is read back so a huge blob cannot exhaust memory.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Output beyond a call's cap. */
export class GitOutputTooLargeError extends Error {
  override readonly name = 'GitOutputTooLargeError';
}

export interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export interface GitOptions {
  /** The repository; passed as --git-dir. */
  gitDir?: string;
  /** The most stdout bytes to accept; more fails the call. Default 32 MiB. */
  maxBytes?: number;
  /** Written to stdin. */
  input?: string | Buffer;
  /** The directory to run in. */
  cwd?: string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
/** stderr is for messages only; a little is enough to explain a failure. */
const MAX_STDERR_BYTES = 64 * 1024;

/**
 * core.sharedRepository as an octal mode: git writes every file with exactly these permissions
 * (directories 0700) whatever the umask, as everything in a data directory (store/private-files.ts).
 */
export const PRIVATE_SHARED_REPOSITORY = '0600';

/**
 * The process environment without git's own variables, plus no prompting and private files: set
 * here rather than in each repository's config, it also covers repositories older versions made.
 */
export function gitEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_')) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.sharedRepository',
    GIT_CONFIG_VALUE_0: PRIVATE_SHARED_REPOSITORY,
    ...extra,
  };
}

/** Runs `git [--git-dir DIR] ARGS`; resolves with its exit status (does not throw on non-zero). */
export function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const fullArgs = options.gitDir === undefined ? args : ['--git-dir', options.gitDir, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, { env: gitEnvironment(), cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let overflow = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > maxBytes) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (overflow) reject(new GitOutputTooLargeError(`git ${args[0] ?? ''} produced more than ${maxBytes} bytes`));
      else resolve({ status: status ?? -1, stdout: Buffer.concat(chunks), stderr });
    });
    // A child that exits before reading its input closes the pipe; that is not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Like git(), but throws with git's message on a non-zero exit. */
export async function gitOk(args: string[], options: GitOptions = {}): Promise<Buffer> {
  const result = await git(args, options);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed (${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}

let execPath: Promise<string> | undefined;

/**
 * Where git keeps its programs (`git --exec-path`), asked once. Programs such as
 * git-http-backend are run from there directly: through the `git` wrapper they would be a
 * grandchild, which a kill of the wrapper leaves running.
 */
export function gitProgram(name: string): Promise<string> {
  execPath ??= new Promise<string>((resolve, reject) => {
    execFile('git', ['--exec-path'], { env: gitEnvironment() }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    );
  }).catch((error: unknown) => {
    execPath = undefined;
    throw error;
  });
  return execPath.then((dir) => join(dir, name));
}
