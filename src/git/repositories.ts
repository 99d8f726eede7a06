/**
 * The hosted repositories: bare repositories at `<root>/OWNER/NAME.git`, created with `main` as
 * the initial branch, smart-HTTP pushes enabled, fetches by sha allowed and dockyard's
 * post-receive hook installed.
 *
 * The directory is the state: no index to keep in step, so a repository created by another
 * process (or pushed to by path) is seen at once. A repository is created in `<root>/.tmp` and
 * renamed into place, so a half-initialised one is never served and racing creates both succeed
 * (one of them reports `created: false`). `.tmp` can never clash with an owner, whose names
 * start with a letter or digit.
 *
 * Names are case-insensitive, as GitHub's: `acme/shop` finds `Acme/Shop`, which keeps the
 * spelling it was created with (the one OIDC claims, run records and clone URLs use); a new
 * repository of a known owner takes that owner's spelling.
 *
 * Gaps: no renames, forks or visibility.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepositorySource } from './contract.js';
import { PRIVATE_DIR_MODE } from '../store/private-files.js';
import { gitOk, PRIVATE_SHARED_REPOSITORY } from './git-cli.js';
import { installHooks } from './hook-script.js';
import { GitHostedRepository } from './hosted-repository.js';
import { isRepositoryName, parseRepositoryName, validateName, validateOwner } from './names.js';

export interface GitRepositoriesOptions {
  /** Where the bare repositories live (`<dataDir>/git`). */
  root: string;
  /** What GITHUB_SERVER_URL is, e.g. `http://localhost:4566/git`. */
  serverUrl: string;
  /**
   * Where clone URLs point (default `serverUrl`), e.g. `http://localhost:4566/git` while
   * GITHUB_SERVER_URL is `http://localhost:4566` (actions/checkout fetches `<origin>/OWNER/NAME`).
   */
  cloneBase?: string;
  /**
   * The push-hook endpoint's base URL (e.g. `http://127.0.0.1:4566/_dockyard/git/post-receive`),
   * reachable from this host; the HTTP handler passes it to hooks unless given its own.
   */
  hookUrl?: string;
}

export interface CreatedRepository {
  /** False when the repository already existed (its settings and hooks are refreshed all the same). */
  created: boolean;
  repository: GitHostedRepository;
}

export class GitRepositories implements RepositorySource {
  readonly root: string;
  readonly serverUrl: string;
  readonly hookUrl: string | undefined;
  private readonly cloneBase: string;
  /** One create or refresh at a time per repository: `git config` fails on a held config.lock. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(options: GitRepositoriesOptions) {
    this.root = options.root;
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.cloneBase = (options.cloneBase ?? options.serverUrl).replace(/\/+$/, '');
    this.hookUrl = options.hookUrl?.replace(/\/+$/, '');
  }

  /** Creates `OWNER/NAME` if it does not exist; idempotent. Throws RepositoryNameError on a bad name. */
  async create(fullName: string): Promise<CreatedRepository> {
    const { owner, name } = parseRepositoryName(fullName);
    const canonical = this.resolve(fullName) ?? `${matchEntry(this.root, owner) ?? owner}/${name}`;
    return this.serialised(canonical.toLowerCase(), () => this.createNow(canonical));
  }

  private async createNow(canonical: string): Promise<CreatedRepository> {
    const { owner } = parseRepositoryName(canonical);
    const gitDir = this.gitDirOf(canonical);
    if (!isBareRepository(gitDir)) {
      const staging = join(this.root, '.tmp');
      await mkdir(staging, { recursive: true, mode: PRIVATE_DIR_MODE });
      await mkdir(join(this.root, owner), { recursive: true, mode: PRIVATE_DIR_MODE });
      const temp = await mkdtemp(join(staging, 'new-'));
      try {
        // An empty template: no sample hooks, no description file; only what we install.
        await gitOk([
          'init',
          '--quiet',
          '--bare',
          '--initial-branch=main',
          '--template=',
          `--shared=${PRIVATE_SHARED_REPOSITORY}`,
          temp,
        ]);
        await configure(temp, canonical);
        await rename(temp, gitDir);
        return { created: true, repository: this.handle(canonical) };
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        // Lost a race with another create: the repository exists now, which is all we wanted.
        if (!isBareRepository(gitDir)) throw error;
      }
    }
    await configure(gitDir, canonical);
    return { created: false, repository: this.handle(canonical) };
  }

  /** Brings every repository's settings and hooks up to date (after an upgrade of dockyard). */
  async refresh(): Promise<void> {
    for (const repository of this.list()) {
      await this.serialised(repository.fullName, () => configure(repository.gitDir, repository.fullName));
    }
  }

  /** Rewrites a repository's hooks where they differ from this version's (cheap when none does). */
  refreshHooks(repository: GitHostedRepository): Promise<void> {
    return this.serialised(repository.fullName.toLowerCase(), () =>
      installHooks(repository.gitDir, repository.fullName),
    );
  }

  private serialised<T>(fullName: string, task: () => Promise<T>): Promise<T> {
    const previous = this.pending.get(fullName) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => {});
    this.pending.set(fullName, settled);
    void settled.then(() => {
      if (this.pending.get(fullName) === settled) this.pending.delete(fullName);
    });
    return next;
  }

  /** The repository, or undefined when it does not exist or the name is invalid. */
  get(fullName: string): GitHostedRepository | undefined {
    const canonical = this.resolve(fullName);
    return canonical === undefined ? undefined : this.handle(canonical);
  }

  /** The existing repository's own spelling of `fullName`, found case-insensitively; undefined when there is none. */
  resolve(fullName: string): string | undefined {
    if (!isRepositoryName(fullName)) return undefined;
    const { owner, name } = parseRepositoryName(fullName);
    const ownerEntry = matchEntry(this.root, owner);
    const entry = ownerEntry === undefined ? undefined : matchEntry(join(this.root, ownerEntry), `${name}.git`);
    if (ownerEntry === undefined || entry === undefined || !isBareRepository(join(this.root, ownerEntry, entry)))
      return undefined;
    return `${ownerEntry}/${entry.slice(0, -'.git'.length)}`;
  }

  /** Every repository, sorted by full name. */
  list(): GitHostedRepository[] {
    const repositories: GitHostedRepository[] = [];
    for (const owner of readDirectory(this.root)) {
      if (!isValid(validateOwner, owner)) continue;
      for (const entry of readDirectory(join(this.root, owner))) {
        if (!entry.endsWith('.git')) continue;
        const name = entry.slice(0, -'.git'.length);
        if (isValid(validateName, name) && isBareRepository(join(this.root, owner, entry))) {
          repositories.push(this.handle(`${owner}/${name}`));
        }
      }
    }
    return repositories.sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  }

  /** Deletes the repository and everything in it; false when there was none. */
  async delete(fullName: string): Promise<boolean> {
    const canonical = this.resolve(fullName);
    if (canonical === undefined) return false;
    const gitDir = this.gitDirOf(canonical);
    // Rename first so a concurrent fetch sees "not found" rather than a half-deleted repository.
    const staging = join(this.root, '.tmp');
    await mkdir(staging, { recursive: true, mode: PRIVATE_DIR_MODE });
    const doomed = await mkdtemp(join(staging, 'deleted-'));
    await rename(gitDir, join(doomed, 'repository.git'));
    await rm(doomed, { recursive: true, force: true });
    return true;
  }

  /** `http://…/git/OWNER/NAME.git`, without credentials. */
  cloneUrl(fullName: string): string {
    return `${this.cloneBase}/${this.resolve(fullName) ?? parseRepositoryName(fullName).fullName}.git`;
  }

  /** `<root>/OWNER/NAME.git`; the name must already be valid. */
  gitDirOf(fullName: string): string {
    const { owner, name } = parseRepositoryName(fullName);
    return join(this.root, owner, `${name}.git`);
  }

  private handle(fullName: string): GitHostedRepository {
    return new GitHostedRepository(fullName, this.gitDirOf(fullName));
  }
}

/**
 * The settings and hooks a hosted repository needs; idempotent. Fetching any reachable commit
 * by sha and partial clones are what GitHub allows and what actions/checkout relies on
 * (`fetch origin +<sha>:…`, `--filter`), also over protocol v0.
 */
const SETTINGS: [string, string][] = [
  ['http.receivepack', 'true'],
  ['uploadpack.allowReachableSHA1InWant', 'true'],
  ['uploadpack.allowFilter', 'true'],
  // Keep every object a push brings (a forced push orphans some) until someone runs gc.
  ['gc.auto', '0'],
];

async function configure(gitDir: string, fullName: string): Promise<void> {
  for (const [key, value] of SETTINGS) await gitOk(['config', key, value], { gitDir });
  await mkdir(join(gitDir, 'hooks'), { recursive: true, mode: PRIVATE_DIR_MODE });
  await installHooks(gitDir, fullName);
}

/** A directory git would serve: it has HEAD, objects and refs. */
function isBareRepository(dir: string): boolean {
  try {
    return (
      statSync(dir).isDirectory() &&
      existsSync(join(dir, 'HEAD')) &&
      existsSync(join(dir, 'objects')) &&
      existsSync(join(dir, 'refs'))
    );
  } catch {
    return false;
  }
}

/** `wanted` in `dir` as spelled there: the exact entry if present, else one equal but for case. */
function matchEntry(dir: string, wanted: string): string | undefined {
  if (existsSync(join(dir, wanted))) return wanted;
  const lower = wanted.toLowerCase();
  return readDirectory(dir)
    .sort()
    .find((entry) => entry.toLowerCase() === lower);
}

function readDirectory(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isValid(check: (value: string) => string, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}
