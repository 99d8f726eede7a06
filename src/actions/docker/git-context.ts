/**
 * The docker actions' default build context: the workflow's repository at the commit that
 * triggered it, as a Git URL (`<server>/<owner>/<repo>.git#<ref>`), which BuildKit fetches
 * itself, ignoring the checked-out workspace. dockyard's builder has no Git frontend, so the
 * action fetches it: a clone of that commit into a temporary directory, with the job's token.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../shared/run-command.js';

/** The Git context URL for this run (actions-toolkit's Context.gitContext()). */
export function gitContext(env: NodeJS.ProcessEnv = process.env): string {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  let ref = env.GITHUB_REF ?? '';
  const sha = env.GITHUB_SHA ?? '';
  if (ref.startsWith('refs/pull/')) ref = ref.replace(/\/merge$/, '/head');
  // A branch or tag ref names what to fetch; the commit pins it, as BuildKit's `#ref@sha` would.
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}.git#${sha || ref}`;
}

/** Clones a Git context (`URL#ref[:subdir]`) and answers the directory to build. */
export async function fetchGitContext(context: string, token: string, tempDir: string): Promise<string> {
  const hash = context.indexOf('#');
  const url = hash < 0 ? context : context.slice(0, hash);
  const fragment = hash < 0 ? '' : context.slice(hash + 1);
  const colon = fragment.indexOf(':');
  const ref = colon < 0 ? fragment : fragment.slice(0, colon);
  const subdir = colon < 0 ? '' : fragment.slice(colon + 1);
  if (subdir.split('/').includes('..')) throw new Error(`invalid Git context subdirectory ${subdir}`);
  const dir = mkdtempSync(join(tempDir, 'git-context-'));
  const auth = token
    ? ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`]
    : [];
  const steps: string[][] = [
    ['init', '-q', dir],
    ['-C', dir, ...auth, 'fetch', '-q', '--depth', '1', url, ref || 'HEAD'],
    ['-C', dir, 'checkout', '-q', 'FETCH_HEAD'],
  ];
  for (const args of steps) {
    const result = await runCommand('git', args);
    if (result.exitCode !== 0)
      throw new Error(`failed to fetch the Git context ${url}#${ref}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return subdir ? join(dir, subdir) : dir;
}
