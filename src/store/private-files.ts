/**
 * Everything in a data directory is root over the cloud: state.db holds the admin secret,
 * sessions, the OIDC signing key and repository secrets; blobs and git hold images and source.
 * So the directory is 0700, and each file the cloud creates in it is 0600 and each directory
 * 0700 (the engine, git and jobs run as the same user and need nothing more). Files a job's own
 * steps write keep the job's umask, as on a runner: `docker build` copies their modes into images.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
const GROUP_AND_OTHERS = 0o077;

/** mkdir -p with every directory it creates 0700. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` empty and 0600 unless it exists; an existing one is made 0600. */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes `path` 0600 when it exists (a file an earlier version created wider). */
export function tightenFile(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Takes group and other permissions off everything under `root` (root included), keeping the
 * owner's: for data directories older versions wrote with the umask's 0644/0755. Symbolic links
 * are neither followed nor changed; entries that vanish during the walk are skipped.
 */
export function tightenTree(root: string): void {
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    try {
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) continue;
      if ((stats.mode & GROUP_AND_OTHERS) !== 0) chmodSync(path, stats.mode & 0o7700);
      if (stats.isDirectory()) for (const name of readdirSync(path)) pending.push(join(path, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
