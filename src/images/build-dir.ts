/**
 * Where an image's root filesystem is assembled: a directory under /var/tmp (on disk: a runner
 * root is ~700 MB before trimming). debootstrap mounts /proc and /sys inside its target while it
 * works; a build killed at that moment leaves them mounted, and removing the directory would
 * then walk into the host's /proc and /sys. So every removal unmounts what is below it first,
 * and a build (holding its image's lock) removes what killed builds of the same image left.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_ROOT = '/var/tmp/dockyard-image-build';

/** Mount points at or below `dir`, deepest first, from the kernel's mount table. */
export function mountsBelow(dir: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    // The table escapes space, tab, newline and backslash as octal.
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return points.sort((a, b) => b.length - a.length);
}

/** Unmounts everything below `dir`, then removes it. */
export function removeBuildDir(dir: string): void {
  for (const point of mountsBelow(dir)) execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A fresh build directory for image `name`, after removing those that earlier builds of the same
 * image left (the caller holds the image's build lock, so none of them is in use).
 */
export function freshBuildDir(name: string): string {
  mkdirSync(BUILD_ROOT, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(BUILD_ROOT)) {
    if (entry.startsWith(`${name}-`)) removeBuildDir(join(BUILD_ROOT, entry));
  }
  return mkdtempSync(join(BUILD_ROOT, `${name}-`));
}
