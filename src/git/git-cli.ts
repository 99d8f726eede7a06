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
  /** More git configuration for this call, given through the environment (never on the command line, where other users could read it). */
  config?: Record<string, string>;
  /** More environment variables (after the scrubbed environment). */
  env?: NodeJS.ProcessEnv;
  /** Kills git and every process it started after this long; the call then rejects with GitTimeoutError. */
  timeoutMs?: number;
  /** The most bytes any one file git writes may have (RLIMIT_FSIZE, set with util-linux's prlimit); a larger write kills the writer. */
  maxFileBytes?: number;
}

/** A call that ran past its timeoutMs. */
export class GitTimeoutError extends Error {
  override readonly name = 'GitTimeoutError';
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

/** The environment of one call: the scrubbed one, `extra`, and `config` appended to the GIT_CONFIG_* entries. */
function callEnvironment(options: GitOptions): NodeJS.ProcessEnv {
  const env = gitEnvironment(options.env);
  let count = Number(env.GIT_CONFIG_COUNT ?? '0');
  for (const [key, value] of Object.entries(options.config ?? {})) {
    env[`GIT_CONFIG_KEY_${count}`] = key;
    env[`GIT_CONFIG_VALUE_${count}`] = value;
    count++;
  }
  env.GIT_CONFIG_COUNT = String(count);
  return env;
}

/** Runs `git [--git-dir DIR] ARGS`; resolves with its exit status (does not throw on non-zero). */
export function git(args: string[], options: GitOptions = {}): Promise<GitResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const fullArgs = options.gitDir === undefined ? args : ['--git-dir', options.gitDir, ...args];
  const limited = options.maxFileBytes !== undefined;
  const [program, programArgs] = limited
    ? ['prlimit', [`--fsize=${options.maxFileBytes}`, 'git', ...fullArgs]]
    : ['git', fullArgs];
  // With a timeout, git leads its own process group: a network fetch runs helpers
  // (git-remote-https, index-pack) that a kill of git alone would leave running.
  const grouped = options.timeoutMs !== undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(program, programArgs, {
      env: callEnvironment(options),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: grouped,
    });
    const kill = () => {
      try {
        if (grouped && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let overflow = false;
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > maxBytes) {
        overflow = true;
        kill();
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (overflow) reject(new GitOutputTooLargeError(`git ${args[0] ?? ''} produced more than ${maxBytes} bytes`));
      else if (timedOut)
        reject(
          new GitTimeoutError(
            `git ${args[0] ?? ''} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`,
          ),
        );
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
