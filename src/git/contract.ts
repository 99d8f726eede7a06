/**
 * The contract between git hosting (src/git) and those who use it: the runner reads workflows
 * and changed files from hosted repositories and hands jobs a GITHUB_TOKEN that the hosting
 * accepts for fetches; the wiring (src/cloud) routes /git/ to the hosting and receives pushes.
 */

/** What one push did to one ref (a post-receive line). */
export interface PushEvent {
  /** `OWNER/NAME`. */
  repository: string;
  /** `refs/heads/main`, `refs/tags/v1`. */
  ref: string;
  /** 40 zeros when the ref was created. */
  before: string;
  /** 40 zeros when the ref was deleted. */
  after: string;
  /** Who pushed (the authenticated user name). */
  pusher: string;
  /**
   * The push's id, for pushes through the HTTP handler: its journal entries carry it, and the
   * runner starts at most one run per push id, ref and workflow, so a push replayed after a
   * crash (push-journal.ts) starts nothing twice.
   */
  pushId?: string;
}

/** The all-zero object id git uses for "no commit". */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface CommitInfo {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601. */
  timestamp: string;
}

/** A hosted repository, read through git itself. */
export interface HostedRepository {
  /** `OWNER/NAME`. */
  readonly fullName: string;
  /** The bare repository's directory. */
  readonly gitDir: string;
  /** A file's content at a commit; undefined when absent. */
  readFile(sha: string, path: string): Promise<Buffer | undefined>;
  /** File paths (not directories) directly under `dir` at a commit, e.g. listFiles(sha, '.github/workflows'). */
  listFiles(sha: string, dir: string): Promise<string[]>;
  /** Paths changed between two commits; undefined when `before` is ZERO_SHA or unknown. */
  changedFiles(before: string, after: string): Promise<string[] | undefined>;
  commit(sha: string): Promise<CommitInfo | undefined>;
  /** The branch HEAD names (e.g. `main`). */
  defaultBranch(): Promise<string>;
}

export interface RepositorySource {
  get(fullName: string): HostedRepository | undefined;
  /** The URL to fetch from, without credentials: `http://localhost:4566/git/OWNER/NAME.git`. */
  cloneUrl(fullName: string): string;
  /** What GITHUB_SERVER_URL is: `http://localhost:4566/git` (so `${server}/${O}/${N}` fetches too). */
  readonly serverUrl: string;
}

/** Short-lived credentials a job uses as GITHUB_TOKEN (HTTP Basic, any user name, token as password). */
export interface GitAccessTokens {
  issue(repository: string, access: 'read' | 'write', ttlMs?: number): { token: string; revoke(): void };
}
