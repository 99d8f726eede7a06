/**
 * Shared fixtures for the git hosting tests: temp directories, a git environment that touches
 * no global configuration and never prompts, and a working tree to commit into.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import type { RunResult } from '../support/run.js';

/**
 * Runs git and collects its output. Unlike support/run.ts, stdin is closed from the start: a git
 * that exits before reading it (as push by path does) must not raise EPIPE after the test.
 */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/** Like run, but fails with the client's own output when it exits non-zero. */
export async function runOk(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  return result;
}

/** A temp directory that the returned function removes. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `dockyard-git-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** An environment for the git CLI: its own HOME, no system config, no prompts, fixed identity. */
export function gitEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_AUTHOR_NAME: 'Mona Lisa',
    GIT_AUTHOR_EMAIL: 'mona@example.com',
    GIT_COMMITTER_NAME: 'Mona Lisa',
    GIT_COMMITTER_EMAIL: 'mona@example.com',
  };
}

/** A non-bare working tree driven by the real git CLI. */
export class WorkTree {
  constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async init(dir: string, env: NodeJS.ProcessEnv): Promise<WorkTree> {
    await mkdir(dir, { recursive: true });
    await runOk('git', ['init', '--quiet', '--initial-branch=main', dir], { env });
    return new WorkTree(dir, env);
  }

  git(...args: string[]): Promise<RunResult> {
    return run('git', ['-C', this.dir, ...args], { env: this.env });
  }

  async gitOk(...args: string[]): Promise<string> {
    return (await runOk('git', ['-C', this.dir, ...args], { env: this.env })).stdout.trim();
  }

  /** Writes files (creating directories) and commits them; returns the new commit's sha. */
  async commit(message: string, files: Record<string, string | Buffer>): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
    await this.gitOk('add', '--all');
    await this.gitOk('commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): Promise<string> {
    return this.gitOk('rev-parse', 'HEAD');
  }
}
