/**
 * Builds the engine tests' image offline: a root filesystem holding the host's own `sh`,
 * `sleep`, `cat` and `perl` (the HTTP server of the port tests, using only perl's built-in
 * socket calls) with the shared libraries `ldd` lists, as an uncompressed tarball (~7 MB).
 * No registry is needed; import it with the engine (`docker import`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** The programs the image carries, under /bin. */
export const TINY_IMAGE_TOOLS = ['sh', 'sleep', 'cat', 'perl'] as const;

/** The image's settings, as `docker import --change` lines. */
export const TINY_IMAGE_CHANGES = ['ENV PATH=/bin'];

function which(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`the engine tests need ${name} on the host to build their image`);
}

/** The absolute library paths `ldd` reports for a binary (none for a static one). */
function sharedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` or `/lib64/ld-linux-x86-64.so.2 (0x…)`
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libs.push(match[1]);
  }
  return libs;
}

/** Returns the tarball of the tiny root filesystem. */
export function buildTinyImageTar(): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'dockyard-tiny-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'tmp'));
    mkdirSync(join(root, 'etc'));
    for (const tool of TINY_IMAGE_TOOLS) {
      const binary = which(tool);
      copyFileSync(binary, join(root, 'bin', tool)); // follows symlinks (sh → dash)
      for (const lib of sharedLibraries(binary)) {
        const target = join(root, lib);
        mkdirSync(dirname(target), { recursive: true });
        if (!existsSync(target)) copyFileSync(lib, target);
      }
    }
    return execFileSync('tar', ['-C', root, '-cf', '-', '.'], { maxBuffer: 256 * 1024 * 1024 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
