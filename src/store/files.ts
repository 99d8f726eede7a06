/**
 * Small files written atomically: a temporary file in the same directory, fsync, rename.
 * A reader sees the old content or the new, never half of either, even after kill -9.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * `durable: false` skips the fsync (which can take tens of milliseconds on a busy disk) for files
 * that only describe the running process, such as its pid: after an OS crash they are stale
 * whatever they hold, and the rename alone keeps readers from seeing half a file.
 */
export function writeFileAtomic(
  path: string,
  content: string,
  mode = 0o600,
  options: { durable?: boolean } = {},
): void {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, content);
    if (options.durable !== false) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
