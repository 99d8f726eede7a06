/**
 * An action repository on the actions server, over git's smart HTTP: its branches and tags
 * (`git ls-remote`), and one commit's files (a shallow fetch of that commit, then a checkout).
 *
 * Why git rather than GitHub's REST API: GitHub's runner asks the Actions service for a tarball
 * of the ref; smart HTTP is what github.com, GitHub Enterprise Server, Gitea/Forgejo and
 * dockyard's own git hosting all serve, with no API, token scopes or rate limits of its own.
 *
 * Bounded, since the server may be hostile: each git call has a time limit and is killed with
 * everything it started; the fetched pack is one file no larger than maxPackBytes (RLIMIT_FSIZE
 * through prlimit: git is killed as it writes past it); the commit's tree is measured before any
 * file is written (entries, bytes); a symbolic link that leads out of the tree is refused, as the
 * runner reads action.yml as the cloud. git runs without the machine's or user's configuration,
 * never prompts, and gets the token through its environment, scoped to the server's URL.
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { git, GitOutputTooLargeError, GitTimeoutError, type GitOptions } from '../../git/git-cli.js';
import { formatBytes } from '../../images/offline-image.js';
import type { ActionServer } from './action-server.js';

/** How much a download may take. */
export interface DownloadLimits {
  /** The fetched pack (compressed objects of one commit). */
  maxPackBytes: number;
  /** The commit's files, checked out. */
  maxTreeBytes: number;
  /** Files, links and directories in the commit's tree. */
  maxEntries: number;
  lsRemoteTimeoutMs: number;
  fetchTimeoutMs: number;
}

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxPackBytes: 250_000_000,
  maxTreeBytes: 500_000_000,
  maxEntries: 50_000,
  lsRemoteTimeoutMs: 20_000,
  fetchTimeoutMs: 180_000,
};

/** Why the server could not give what was asked. */
export type RemoteFailureKind =
  'unreachable' | 'repository-not-found' | 'credentials' | 'commit-not-found' | 'too-large' | 'unsafe';

export class RemoteActionError extends Error {
  override readonly name = 'RemoteActionError';
  constructor(
    readonly kind: RemoteFailureKind,
    message: string,
    /** The server did not answer within the time limit (rather than refusing at once). */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Branches and tags → the commit each names (annotated tags peeled). */
export interface RemoteRefs {
  tags: Map<string, string>;
  heads: Map<string, string>;
}

const MAX_LS_REMOTE_BYTES = 16 * 1024 * 1024;
const MAX_LS_TREE_BYTES = 32 * 1024 * 1024;

/** The repository's URL on the server: GitHub's shape, which GHES, Gitea/Forgejo and dockyard also serve. */
export function repositoryUrl(server: ActionServer, repository: string): string {
  return server.repositoryUrl ?? `${server.url}/${repository}`;
}

/** Environment and configuration for talking to the server. */
function remoteOptions(server: ActionServer, timeoutMs: number): GitOptions {
  const config: Record<string, string> = { 'protocol.version': '2' };
  if (server.token !== undefined) {
    const credentials = server.token.includes(':') ? server.token : `x-access-token:${server.token}`;
    // Scoped to the server's URL, and no redirects: the token goes nowhere else.
    config[`http.${server.url}/.extraHeader`] = `Authorization: Basic ${Buffer.from(credentials).toString('base64')}`;
    config['http.followRedirects'] = 'false';
  }
  return {
    config,
    timeoutMs,
    env: {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // An askpass program of the host's would be asked for credentials; none is wanted.
      SSH_ASKPASS: '',
      // A server that stops sending is given up on, rather than waited for until the time limit.
      GIT_HTTP_LOW_SPEED_LIMIT: '1024',
      GIT_HTTP_LOW_SPEED_TIME: '30',
    },
  };
}

/** git's stderr, shortened to its last meaningful line, for a message. */
function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) =>
      line
        .replace(/^(fatal|error): /, '')
        .replace(/^unable to access '[^']*': /, '')
        .trim(),
    )
    .filter((line) => line !== '');
  return (lines.at(-1) ?? 'git failed without a message').slice(0, 300);
}

/** Sorts a failed call's stderr into what the resolver needs to tell apart. */
export function classifyGitFailure(stderr: string): RemoteActionError {
  const reason = lastLine(stderr);
  if (/repository '.*' not found|returned error: 404/i.test(stderr))
    return new RemoteActionError('repository-not-found', reason);
  if (/could not read (Username|Password)|Authentication failed|returned error: 40[13]/i.test(stderr))
    return new RemoteActionError('credentials', reason);
  if (
    /not our ref|unadvertised object|couldn't find remote ref|no such remote ref|bad object|did not send all necessary objects/i.test(
      stderr,
    )
  ) {
    return new RemoteActionError('commit-not-found', reason);
  }
  return new RemoteActionError('unreachable', reason);
}

async function remoteGit(args: string[], options: GitOptions) {
  try {
    return await git(args, options);
  } catch (error) {
    if (error instanceof GitTimeoutError) throw new RemoteActionError('unreachable', error.message, true);
    if (error instanceof GitOutputTooLargeError) throw new RemoteActionError('too-large', error.message);
    // git (or prlimit) could not be started.
    throw new RemoteActionError('unreachable', error instanceof Error ? error.message : String(error));
  }
}

/** The repository's branches and tags; throws RemoteActionError. */
export async function listRemoteRefs(
  server: ActionServer,
  repository: string,
  limits: DownloadLimits,
  cwd: string,
): Promise<RemoteRefs> {
  const result = await remoteGit(['ls-remote', '--heads', '--tags', repositoryUrl(server, repository)], {
    ...remoteOptions(server, limits.lsRemoteTimeoutMs),
    maxBytes: MAX_LS_REMOTE_BYTES,
    cwd,
  });
  if (result.status !== 0) throw classifyGitFailure(result.stderr);
  const refs: RemoteRefs = { tags: new Map(), heads: new Map() };
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const match = /^([0-9a-f]{40})\t(refs\/(?:heads|tags)\/.+)$/.exec(line);
    if (match === null) continue;
    const [, sha, ref] = match as unknown as [string, string, string];
    if (ref.startsWith('refs/heads/')) {
      refs.heads.set(ref.slice('refs/heads/'.length), sha);
    } else if (ref.endsWith('^{}')) {
      // The commit an annotated tag points at: listed after the tag object, it wins.
      refs.tags.set(ref.slice('refs/tags/'.length, -3), sha);
    } else {
      const name = ref.slice('refs/tags/'.length);
      if (!refs.tags.has(name)) refs.tags.set(name, sha);
    }
  }
  return refs;
}

/** What a download left in `workDir/tree`. */
export interface DownloadedTree {
  dir: string;
  bytes: number;
  entries: number;
}

/**
 * Fetches commit `sha` of the repository into `workDir` (empty, created by the caller) and checks
 * its files out into `workDir/tree`; throws RemoteActionError.
 */
export async function downloadCommit(
  server: ActionServer,
  repository: string,
  sha: string,
  workDir: string,
  limits: DownloadLimits,
): Promise<DownloadedTree> {
  const gitDir = join(workDir, 'repository.git');
  const tree = join(workDir, 'tree');
  mkdirSync(tree);
  const local: GitOptions = {
    gitDir,
    timeoutMs: limits.fetchTimeoutMs,
    env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  };
  await mustSucceed(['init', '--quiet', '--bare', gitDir], { ...local, gitDir: undefined });

  // fetch.unpackLimit=1 keeps what arrives as one pack file, so the file-size limit bounds it all.
  const remote = remoteOptions(server, limits.fetchTimeoutMs);
  const fetched = await remoteGit(
    ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--depth=1', repositoryUrl(server, repository), sha],
    {
      ...remote,
      gitDir,
      config: { ...remote.config, 'fetch.unpackLimit': '1', 'transfer.unpackLimit': '1' },
      maxFileBytes: limits.maxPackBytes,
    },
  );
  if (fetched.status !== 0) {
    if (packReachedLimit(gitDir, limits.maxPackBytes))
      throw new RemoteActionError(
        'too-large',
        `the download of ${repository}@${sha} is larger than ${formatBytes(limits.maxPackBytes)}`,
      );
    throw classifyGitFailure(fetched.stderr);
  }
  const commit = (await mustSucceed(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`], local))
    .toString('utf8')
    .trim();
  if (commit !== sha) throw new RemoteActionError('commit-not-found', `${sha} is not a commit of ${repository}`);

  const size = await measureTree(sha, local);
  if (size.entries > limits.maxEntries)
    throw new RemoteActionError(
      'too-large',
      `${repository}@${sha} has more than ${limits.maxEntries} files and directories`,
    );
  if (size.bytes > limits.maxTreeBytes)
    throw new RemoteActionError(
      'too-large',
      `${repository}@${sha} holds more than ${formatBytes(limits.maxTreeBytes)} of files`,
    );

  // The repository's own attributes cannot run filters: none is configured without the host's configuration.
  await mustSucceed(['--work-tree', tree, 'checkout', '--quiet', '--force', sha, '--', '.'], {
    ...local,
    config: { 'core.symlinks': 'true', 'core.autocrlf': 'false', 'core.hooksPath': '/dev/null' },
    maxFileBytes: limits.maxTreeBytes,
  });
  refuseLinksOut(tree, repository, sha);
  return { dir: tree, bytes: size.bytes, entries: size.entries };
}

async function mustSucceed(args: string[], options: GitOptions): Promise<Buffer> {
  const result = await remoteGit(args, options);
  if (result.status !== 0)
    throw new RemoteActionError(
      'unreachable',
      `git ${args.find((a) => !a.startsWith('-')) ?? ''}: ${lastLine(result.stderr)}`,
    );
  return result.stdout;
}

/** Entries and blob bytes of a commit's whole tree (submodules are not fetched, as GitHub's tarballs leave them out). */
async function measureTree(sha: string, options: GitOptions): Promise<{ entries: number; bytes: number }> {
  const listing = await remoteGit(['ls-tree', '-r', '-t', '-l', '-z', '--full-tree', sha], {
    ...options,
    maxBytes: MAX_LS_TREE_BYTES,
  }).catch((error: unknown) => {
    if (error instanceof RemoteActionError && error.kind === 'too-large')
      throw new RemoteActionError(
        'too-large',
        `${sha}'s tree lists more than ${formatBytes(MAX_LS_TREE_BYTES)} of entries`,
      );
    throw error;
  });
  if (listing.status !== 0) throw new RemoteActionError('commit-not-found', lastLine(listing.stderr));
  let entries = 0;
  let bytes = 0;
  for (const record of listing.stdout.toString('utf8').split('\0')) {
    if (record === '') continue;
    entries++;
    // "<mode> <type> <object> <size>\t<path>", size '-' for trees and submodules.
    const size = Number(/^\S+ \S+ \S+ +(\d+)\t/.exec(record)?.[1] ?? 0);
    bytes += size;
  }
  return { entries, bytes };
}

/** True when git was stopped writing a pack file at the size limit. */
function packReachedLimit(gitDir: string, limit: number): boolean {
  const packDir = join(gitDir, 'objects', 'pack');
  try {
    return readdirSync(packDir).some((name) => statSync(join(packDir, name)).size >= limit);
  } catch {
    return false;
  }
}

/** Refuses a symbolic link whose target is absolute or resolves outside `root`. */
function refuseLinksOut(root: string, repository: string, sha: string): void {
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stats = lstatSync(path);
      if (stats.isDirectory()) pending.push(path);
      else if (stats.isSymbolicLink()) {
        const target = readlinkSync(path);
        const inside = relative(root, resolve(dirname(path), target));
        if (target.startsWith('/') || inside === '..' || inside.startsWith('../')) {
          throw new RemoteActionError(
            'unsafe',
            `${repository}@${sha} holds a symbolic link that leads out of the repository (${relative(root, path)} → ${target})`,
          );
        }
      }
    }
  }
}
