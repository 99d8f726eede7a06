/**
 * dockyard's built-in actions, the offline fallback: `builtin-actions/<owner>/<name>/<version>/`
 * holds an action.yml and, for the actions that mirror upstream ones, a releases.json naming the
 * upstream releases the folder stands for (tag → commit SHA, read from the upstream repository).
 * `uses: owner/name@ref` finds the folder named `ref`, else the major of `ref` (v4 for v4, v4.2
 * or v4.2.1), else the folder whose releases.json lists `ref` among its other tags or (a full
 * commit SHA) lists that commit, so a workflow pinned to the commit of a mirrored release runs
 * offline too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDirs } from '../action-cache.js';

/** builtin-actions/<owner>/<name>/<version>/releases.json. */
export interface ReleasesFile {
  /** The upstream repository, `owner/name`. */
  repository: string;
  /** Release tag → the commit it names (annotated tags peeled). */
  releases: Record<string, string>;
  /** Other tags whose commits follow this major's releases (configure-aws-credentials' `master`, …) → their commits. */
  otherTags?: Record<string, string>;
}

/** A built-in action found for a ref. */
export interface BuiltinMatch {
  dir: string;
  /** The folder's version (v4). */
  version: string;
  /** The mirrored release a commit SHA named, when the ref was one. */
  release?: string;
}

/** The file name of an action's metadata in `dir`, or undefined. */
export function actionFile(dir: string): string | undefined {
  for (const name of ['action.yml', 'action.yaml']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `v4`, `v4.2`, `v4.2.1`, `4` → `v4`; anything else (a branch, a sha) has no major. */
export function majorOf(ref: string): string | undefined {
  const match = /^v?(\d+)(\.\d+){0,2}$/.exec(ref);
  return match === null ? undefined : `v${match[1]}`;
}

export class BuiltinActions {
  private releases: Map<string, ReleasesFile> | undefined;

  constructor(readonly dir: string) {}

  /** Every built-in action as `owner/name@version`. */
  list(): string[] {
    const specs: string[] = [];
    for (const owner of listDirs(this.dir)) {
      for (const name of listDirs(join(this.dir, owner))) {
        for (const version of listDirs(join(this.dir, owner, name))) {
          if (actionFile(join(this.dir, owner, name, version)) !== undefined) specs.push(`${owner}/${name}@${version}`);
        }
      }
    }
    return specs;
  }

  /** The built-in action for `owner/name[/path]@ref`, if there is one. */
  find(repository: string, path: string, ref: string): BuiltinMatch | undefined {
    for (const version of [ref, majorOf(ref)]) {
      if (version === undefined) continue;
      const dir = join(this.dir, repository, version, path);
      if (actionFile(dir) !== undefined) return { dir, version };
    }
    const sha = /^[0-9a-f]{40}$/i.test(ref) ? ref.toLowerCase() : undefined;
    for (const version of listDirs(join(this.dir, repository))) {
      const file = this.releasesOf(repository, version);
      // Releases first: a commit both a release and another tag name is named by its release.
      const tags = [...Object.entries(file?.releases ?? {}), ...Object.entries(file?.otherTags ?? {})];
      const release =
        sha === undefined ? tags.find(([tag]) => tag === ref)?.[0] : tags.find(([, commit]) => commit === sha)?.[0];
      const dir = join(this.dir, repository, version, path);
      if (release !== undefined && actionFile(dir) !== undefined) return { dir, version, release };
    }
    return undefined;
  }

  /** Commits of mirrored releases of `repository` that start with `prefix`. */
  shasWithPrefix(repository: string, prefix: string): string[] {
    const found = new Set<string>();
    for (const version of listDirs(join(this.dir, repository))) {
      const file = this.releasesOf(repository, version);
      for (const sha of Object.values({ ...file?.otherTags, ...file?.releases }))
        if (sha.startsWith(prefix)) found.add(sha);
    }
    return [...found];
  }

  /** A folder's releases.json, read once. */
  releasesOf(repository: string, version: string): ReleasesFile | undefined {
    this.releases ??= new Map();
    const key = `${repository}@${version}`;
    if (!this.releases.has(key)) {
      const file = join(this.dir, repository, version, 'releases.json');
      if (!existsSync(file)) return undefined;
      this.releases.set(key, JSON.parse(readFileSync(file, 'utf8')) as ReleasesFile);
    }
    return this.releases.get(key);
  }
}
