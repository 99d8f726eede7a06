/**
 * One hosted bare repository, read through git itself. Unknown commits, absent paths and
 * malformed revisions all read as "nothing there" (undefined or an empty list), because the
 * runner asks about shas that come from pushes and events and should not have to guard each call.
 */
import { ZERO_SHA, type CommitInfo, type HostedRepository } from './contract.js';
import { DEFAULT_MAX_OUTPUT_BYTES, git } from './git-cli.js';

/** Listings and metadata are small; a cap well above real use still stops runaway output. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

/** A revision we pass to git: no option look-alikes, no `rev:path` or range syntax, no whitespace. */
export function isSafeRevision(revision: string): boolean {
  return revision.length > 0 && revision.length <= 256 && !revision.startsWith('-') && !/[\s:\0]|\.\./.test(revision);
}

/** Trims slashes so `'.github/workflows/'` and `'/.github/workflows'` name the same directory. */
function normaliseDir(dir: string): string {
  return dir.replace(/^\/+|\/+$/g, '').replace(/^\.$/, '');
}

export class GitHostedRepository implements HostedRepository {
  constructor(
    readonly fullName: string,
    readonly gitDir: string,
    /** The largest file readFile returns; larger fails (GitOutputTooLargeError). */
    private readonly maxFileBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
  ) {}

  async readFile(sha: string, path: string): Promise<Buffer | undefined> {
    const file = path.replace(/^\/+/, '');
    if (!isSafeRevision(sha) || file.length === 0 || file.includes('\0')) return undefined;
    // `cat-file blob` fails on a missing commit, a missing path and a directory alike.
    const result = await git(['cat-file', 'blob', `${sha}:${file}`], {
      gitDir: this.gitDir,
      maxBytes: this.maxFileBytes,
    });
    return result.status === 0 ? result.stdout : undefined;
  }

  async listFiles(sha: string, dir: string): Promise<string[]> {
    const directory = normaliseDir(dir);
    if (!isSafeRevision(sha) || directory.includes('\0')) return [];
    // `<rev>:<dir>` names the tree itself, so pathspec magic in `dir` cannot widen the match.
    const tree = directory === '' ? `${sha}^{tree}` : `${sha}:${directory}`;
    const result = await git(['ls-tree', '-z', tree], { gitDir: this.gitDir, maxBytes: MAX_METADATA_BYTES });
    if (result.status !== 0) return [];
    const files: string[] = [];
    for (const entry of result.stdout.toString('utf8').split('\0')) {
      // `<mode> SP <type> SP <oid> TAB <name>`; regular files only (no symlinks, submodules, trees).
      const match = /^(100644|100755) blob [0-9a-f]+\t(.+)$/s.exec(entry);
      if (match?.[2] !== undefined) files.push(directory === '' ? match[2] : `${directory}/${match[2]}`);
    }
    return files.sort();
  }

  async changedFiles(before: string, after: string): Promise<string[] | undefined> {
    if (before === ZERO_SHA || after === ZERO_SHA) return undefined;
    const [from, to] = await Promise.all([this.resolveCommit(before), this.resolveCommit(after)]);
    if (from === undefined || to === undefined) return undefined;
    // No rename detection: a rename then lists both paths, which is what path filters need.
    const result = await git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', '--no-commit-id', from, to], {
      gitDir: this.gitDir,
      maxBytes: MAX_METADATA_BYTES,
    });
    if (result.status !== 0) return undefined;
    return result.stdout
      .toString('utf8')
      .split('\0')
      .filter((path) => path.length > 0);
  }

  async commit(sha: string): Promise<CommitInfo | undefined> {
    const resolved = await this.resolveCommit(sha);
    if (resolved === undefined) return undefined;
    const result = await git(
      ['show', '-s', '--no-show-signature', '--format=%H%x00%an%x00%ae%x00%aI%x00%B', resolved],
      {
        gitDir: this.gitDir,
        maxBytes: MAX_METADATA_BYTES,
      },
    );
    if (result.status !== 0) return undefined;
    const [full, authorName, authorEmail, timestamp, ...message] = result.stdout.toString('utf8').split('\0');
    if (full === undefined || authorName === undefined || authorEmail === undefined || timestamp === undefined)
      return undefined;
    // %B ends with the message's newline plus the one --format adds; the event carries neither.
    return { sha: full, authorName, authorEmail, timestamp, message: message.join('\0').replace(/\n+$/, '') };
  }

  async defaultBranch(): Promise<string> {
    const result = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { gitDir: this.gitDir, maxBytes: 4096 });
    const branch = result.stdout.toString('utf8').trim();
    return result.status === 0 && branch !== '' ? branch : 'main';
  }

  /** The full sha of the commit `revision` names; undefined when there is none. */
  async resolveCommit(revision: string): Promise<string | undefined> {
    if (!isSafeRevision(revision)) return undefined;
    const result = await git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], {
      gitDir: this.gitDir,
      maxBytes: 4096,
    });
    const sha = result.stdout.toString('utf8').trim();
    return result.status === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  }
}
