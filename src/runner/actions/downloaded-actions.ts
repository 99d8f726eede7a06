/**
 * The downloaded half of the action cache (src/runner/action-cache.ts has its layout): commits
 * fetched from the actions server, kept by commit, and the record of which ref resolved to which
 * commit, so a workflow runs offline from what it ran before.
 *
 *   <cache>/<owner>/<name>/<sha>/               the commit's files (where `actions add OWNER/NAME@SHA` puts a copy too)
 *   <cache>/<owner>/<name>/.commits/<sha>.json  downloaded from where, how large; its mtime is the last use
 *   <cache>/<owner>/<name>/.refs/<ref>.json     tag or branch → commit, from where, when
 *   <cache>/.downloads/<random>/                a download in progress (its git repository and checkout)
 *
 * A commit's directory is renamed into place whole, so a job never sees half of one; two jobs
 * downloading the same commit both finish, the second rename loses and its copy is dropped.
 * Records are written to a temporary file and renamed. The downloads together are bounded:
 * past maxTotalBytes the least recently used commits not used for IN_USE_MS are removed, and
 * if that is not enough the download is refused.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../../images/offline-image.js';
import { makePrivateDir, PRIVATE_FILE_MODE, tightenTree } from '../../store/private-files.js';
import { listDirs } from '../action-cache.js';

/** How a ref was found on the server. */
export type RefKind = 'tag' | 'branch';

/** `ref` of `owner/name` named `sha` on `server` at `resolvedAt`. */
export interface RefRecord {
  ref: string;
  kind: RefKind;
  sha: string;
  server: string;
  resolvedAt: string;
}

/** A downloaded commit. */
export interface CommitRecord {
  repository: string;
  sha: string;
  server: string;
  bytes: number;
  entries: number;
  downloadedAt: string;
  /** The last use (the record file's mtime). */
  usedAt: string;
}

/** The downloads would not fit in the cache's bound. */
export class ActionCacheFullError extends Error {
  override readonly name = 'ActionCacheFullError';
}

/** A commit used within this long may belong to a running job (GitHub's longest job: 6 hours): never evicted. */
const IN_USE_MS = 6 * 60 * 60 * 1000;
/** A download directory older than this was left by a killed process. */
const STALE_DOWNLOAD_MS = 60 * 60 * 1000;
export const DEFAULT_MAX_CACHE_BYTES = 5_000_000_000;

/** Refs with `/` (release/v1) are one file name. */
function refFileName(ref: string): string {
  return `${ref.replaceAll('%', '%25').replaceAll('/', '%2F')}.json`;
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode: PRIVATE_FILE_MODE });
  renameSync(temporary, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export class DownloadedActions {
  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
    private readonly maxTotalBytes = DEFAULT_MAX_CACHE_BYTES,
  ) {}

  /** The directory of a commit of `owner/name`, whether it is there or not. */
  commitDir(repository: string, sha: string): string {
    return join(this.dir, repository, sha);
  }

  /** The commit's directory when it is cached (downloaded or added by hand), marking it used. */
  cachedCommit(repository: string, sha: string): string | undefined {
    const dir = this.commitDir(repository, sha);
    if (!existsSync(dir)) return undefined;
    const record = this.commitRecordFile(repository, sha);
    const now = this.now();
    try {
      utimesSync(record, now, now);
    } catch {
      // added by hand: it has no record
    }
    return dir;
  }

  /** A fresh, empty directory for one download, on the cache's file system (so the result can be renamed into place). */
  newDownloadDir(): string {
    const parent = join(this.dir, '.downloads');
    makePrivateDir(parent);
    this.sweepStaleDownloads(parent);
    const dir = join(parent, randomBytes(8).toString('hex'));
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  }

  /** Frees room for `bytes` more, or throws ActionCacheFullError. */
  makeRoom(bytes: number): void {
    const commits = this.commits();
    let total = commits.reduce((sum, commit) => sum + commit.bytes, 0);
    if (total + bytes <= this.maxTotalBytes) return;
    const cutoff = this.now().getTime() - IN_USE_MS;
    for (const commit of commits.sort((a, b) => a.usedAt.localeCompare(b.usedAt))) {
      if (total + bytes <= this.maxTotalBytes) break;
      if (Date.parse(commit.usedAt) > cutoff) continue;
      this.removeCommit(commit.repository, commit.sha);
      total -= commit.bytes;
    }
    if (total + bytes > this.maxTotalBytes) {
      throw new ActionCacheFullError(
        `the action cache holds ${formatBytes(total)} of downloaded actions used in the last 6 hours; ${formatBytes(bytes)} more would pass its bound of ${formatBytes(this.maxTotalBytes)}`,
      );
    }
  }

  /** Moves a downloaded tree into place as `repository`@`sha` and records it; returns the commit's directory. */
  install(
    repository: string,
    sha: string,
    tree: string,
    details: { server: string; bytes: number; entries: number },
  ): string {
    const target = this.commitDir(repository, sha);
    makePrivateDir(join(this.dir, repository, '.commits'));
    tightenTree(tree);
    try {
      renameSync(tree, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another job installed the same commit first: same content, theirs stays.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      return target;
    }
    const record = {
      server: details.server,
      bytes: details.bytes,
      entries: details.entries,
      downloadedAt: this.now().toISOString(),
    };
    const file = this.commitRecordFile(repository, sha);
    writeAtomically(file, `${JSON.stringify(record)}\n`);
    utimesSync(file, this.now(), this.now());
    return target;
  }

  /** Records that `ref` named `sha`. */
  recordRef(repository: string, record: RefRecord): void {
    const dir = join(this.dir, repository, '.refs');
    makePrivateDir(dir);
    writeAtomically(join(dir, refFileName(record.ref)), `${JSON.stringify(record)}\n`);
  }

  /** What `ref` named when last resolved, if it was. */
  refRecord(repository: string, ref: string): RefRecord | undefined {
    return readJson<RefRecord>(join(this.dir, repository, '.refs', refFileName(ref)));
  }

  /** Every ref record of a repository. */
  refRecords(repository: string): RefRecord[] {
    const dir = join(this.dir, repository, '.refs');
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
    return names
      .map((name) => readJson<RefRecord>(join(dir, name)))
      .filter((record): record is RefRecord => record !== undefined);
  }

  /** Every downloaded commit, with its last use. */
  commits(): CommitRecord[] {
    const found: CommitRecord[] = [];
    for (const owner of listDirs(this.dir)) {
      for (const name of listDirs(join(this.dir, owner))) {
        const repository = `${owner}/${name}`;
        const records = join(this.dir, repository, '.commits');
        let files: string[];
        try {
          files = readdirSync(records).filter((file) => /^[0-9a-f]{40}\.json$/.test(file));
        } catch {
          continue;
        }
        for (const file of files) {
          const sha = file.slice(0, 40);
          const record = readJson<{ server: string; bytes: number; entries: number; downloadedAt: string }>(
            join(records, file),
          );
          if (record === undefined || !existsSync(this.commitDir(repository, sha))) continue;
          found.push({ repository, sha, ...record, usedAt: statSync(join(records, file)).mtime.toISOString() });
        }
      }
    }
    return found;
  }

  /** Full SHAs cached for `repository` that start with `prefix` (for GitHub's short-SHA message). */
  cachedShasWithPrefix(repository: string, prefix: string): string[] {
    return listDirs(join(this.dir, repository)).filter(
      (name) => /^[0-9a-f]{40}$/.test(name) && name.startsWith(prefix),
    );
  }

  /** Removes a downloaded commit and its record. */
  removeCommit(repository: string, sha: string): void {
    rmSync(this.commitRecordFile(repository, sha), { force: true });
    rmSync(this.commitDir(repository, sha), { recursive: true, force: true });
  }

  private commitRecordFile(repository: string, sha: string): string {
    return join(this.dir, repository, '.commits', `${sha}.json`);
  }

  private sweepStaleDownloads(parent: string): void {
    const cutoff = this.now().getTime() - STALE_DOWNLOAD_MS;
    for (const name of readdirSync(parent)) {
      try {
        if (statSync(join(parent, name)).mtimeMs < cutoff) rmSync(join(parent, name), { recursive: true, force: true });
      } catch {
        // gone already
      }
    }
  }
}
