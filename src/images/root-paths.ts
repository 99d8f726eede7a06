/**
 * Paths inside a root filesystem being built, resolved as a chroot would resolve them. A Debian
 * root filesystem holds absolute symlinks (`/lib64/ld-linux-x86-64.so.2 → /lib/x86_64-linux-gnu/…`)
 * that, followed from the host, point at the host's own files: writing through one would
 * overwrite the host. Every write into a root goes through {@link pathInRoot}.
 */
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** Linux's own limit on symlinks followed in one lookup. */
const MAX_LINKS = 40;

/**
 * The host path of `path` (absolute, as seen inside the root) with every symlink on the way
 * resolved inside `root`; the last component is not followed when `followLast` is false.
 * Components that do not exist yet are kept as they are.
 */
export function pathInRoot(root: string, path: string, followLast = true): string {
  const pending = posix.normalize(path).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop(); // `..` at the root stays at the root, as in a chroot
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const isLast = pending.length === 0;
    let target: string | undefined;
    try {
      if (lstatSync(candidate).isSymbolicLink() && (followLast || !isLast)) target = readlinkSync(candidate);
    } catch {
      // Does not exist (yet): the rest is taken as written.
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links resolving ${path} in ${root}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...resolved);
}

/** True when something (a symlink included, even a dangling one) is at `path` inside the root. */
export function existsInRoot(root: string, path: string): boolean {
  try {
    lstatSync(pathInRoot(root, path, false));
    return true;
  } catch {
    return false;
  }
}

/** Creates the directory `path` (and its parents) inside the root; `mode` is set exactly (no umask). */
export function mkdirInRoot(root: string, path: string, mode?: number): string {
  const real = pathInRoot(root, path);
  mkdirSync(real, { recursive: true });
  if (mode !== undefined) chmodSync(real, mode);
  return real;
}

/** Writes `content` at `path` inside the root, creating its directory. */
export function writeFileInRoot(root: string, path: string, content: string | Buffer, mode = 0o644): void {
  mkdirInRoot(root, posix.dirname(path));
  writeFileSync(pathInRoot(root, path, false), content, { mode });
}

/** Copies the host file `source` (following its symlinks) to `path` inside the root. */
export function copyIntoRoot(root: string, source: string, path: string): void {
  mkdirInRoot(root, posix.dirname(path));
  copyFileSync(source, pathInRoot(root, path, false));
}

/** Makes `path` inside the root a symlink to `target` (as written: relative or absolute inside the root). */
export function symlinkInRoot(root: string, target: string, path: string): void {
  const real = pathInRoot(root, path, false);
  mkdirSync(dirname(real), { recursive: true });
  symlinkSync(target, real);
}
