/**
 * The offline action cache: `<dataDir>/actions/<owner>/<name>/<ref>/`, filled by
 * `dockyard actions add OWNER/NAME@REF DIR` (a copy of a checkout of the action at that ref).
 * `uses: owner/name[/path]@ref` is looked up here before dockyard's built-in actions.
 *
 * A copy replaces an existing entry atomically: it is made in a temporary sibling directory and
 * renamed into place, so a job never sees half an action. `.git` is not copied.
 */
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { makePrivateDir, tightenTree } from '../store/private-files.js';

/** A spec that is not `OWNER/NAME@REF`. */
export class ActionSpecError extends Error {
  override readonly name = 'ActionSpecError';
}

export interface ActionSpec {
  owner: string;
  name: string;
  /** Sub-directory inside the repository (`owner/name/path@ref`); '' for the root. */
  path: string;
  ref: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Parses `owner/name[/path]@ref`; throws ActionSpecError. */
export function parseActionSpec(spec: string): ActionSpec {
  const at = spec.lastIndexOf('@');
  if (at <= 0 || at === spec.length - 1)
    throw new ActionSpecError(`Expected OWNER/NAME@REF (e.g. actions/checkout@v4), got '${spec}'`);
  const [owner, name, ...path] = spec.slice(0, at).split('/');
  const ref = spec.slice(at + 1);
  const valid = (segment: string | undefined) =>
    segment !== undefined && SEGMENT.test(segment) && segment !== '.' && segment !== '..';
  if (!valid(owner) || !valid(name) || !path.every(valid) || !valid(ref.replaceAll('/', '_'))) {
    throw new ActionSpecError(`Expected OWNER/NAME@REF (e.g. actions/checkout@v4), got '${spec}'`);
  }
  return { owner: owner as string, name: name as string, path: path.join('/'), ref };
}

/** Where a cached ref lives; refs with `/` (branches like `release/v1`) are kept as one directory. */
function refDirName(ref: string): string {
  return ref.replaceAll('/', '%2F');
}

export interface CachedAction {
  spec: string;
  path: string;
}

export class ActionCache {
  constructor(readonly dir: string) {}

  /** Copies `sourceDir` into the cache as OWNER/NAME@REF, replacing what was there. */
  add(spec: string, sourceDir: string): { path: string } {
    const parsed = parseActionSpec(spec);
    if (parsed.path !== '')
      throw new ActionSpecError(`Add the whole repository (OWNER/NAME@REF), not a path inside it: '${spec}'`);
    const source = resolve(sourceDir);
    if (!existsSync(source) || !statSync(source).isDirectory())
      throw new ActionSpecError(`${sourceDir} is not a directory`);
    const parent = join(this.dir, parsed.owner, parsed.name);
    makePrivateDir(parent);
    const target = join(parent, refDirName(parsed.ref));
    const staging = join(parent, `.add-${randomBytes(6).toString('hex')}`);
    cpSync(source, staging, { recursive: true, filter: (path) => basename(path) !== '.git' || path === source });
    tightenTree(staging);
    const old = existsSync(target) ? join(parent, `.old-${randomBytes(6).toString('hex')}`) : undefined;
    if (old !== undefined) renameSync(target, old);
    renameSync(staging, target);
    if (old !== undefined) rmSync(old, { recursive: true, force: true });
    return { path: target };
  }

  /** The cached directory for a spec (its path inside included), or undefined. */
  lookup(spec: ActionSpec): string | undefined {
    const root = join(this.dir, spec.owner, spec.name, refDirName(spec.ref));
    if (!existsSync(root)) return undefined;
    return spec.path === '' ? root : join(root, spec.path);
  }

  list(): CachedAction[] {
    const entries: CachedAction[] = [];
    for (const owner of listDirs(this.dir)) {
      for (const name of listDirs(join(this.dir, owner))) {
        for (const ref of listDirs(join(this.dir, owner, name))) {
          entries.push({
            spec: `${owner}/${name}@${ref.replaceAll('%2F', '/')}`,
            path: join(this.dir, owner, name, ref),
          });
        }
      }
    }
    return entries.sort((a, b) => a.spec.localeCompare(b.spec));
  }

  /** Removes a cached action; false when it was not there. */
  remove(spec: string): boolean {
    const parsed = parseActionSpec(spec);
    const target = join(this.dir, parsed.owner, parsed.name, refDirName(parsed.ref));
    if (!existsSync(target)) return false;
    rmSync(target, { recursive: true, force: true });
    return true;
  }
}

/** Sub-directories, skipping staging ones (names starting with a dot). */
export function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
