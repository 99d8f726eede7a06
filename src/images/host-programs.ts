/**
 * The host's own programs copied into a root filesystem with the shared libraries `ldd` lists
 * (docs/reference/host-toolchain.md §5): how the offline images get Node.js and the docker client without a
 * registry, and how the engine tests' tiny image gets `sh` and `perl`. A library the root
 * already has (a Debian root's own libc) is kept: its packages own it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { copyIntoRoot, existsInRoot, mkdirInRoot, symlinkInRoot } from './root-paths.js';

/** The first `name` on PATH (the host's, by default), or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? '/usr/bin:/bin'): string | undefined {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The absolute library paths `ldd` reports for a binary, the loader included (none for a static one). */
export function sharedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * Copies the host program `source` (symlinks followed) to `dest` inside `root`, with each
 * shared library it needs that the root lacks: the file at its real path, and a link at the
 * path the program asks for when that differs (`/lib64/ld-linux-x86-64.so.2`). Refuses to
 * replace anything already at `dest`.
 */
export function addHostProgram(root: string, source: string, dest: string): void {
  if (existsInRoot(root, dest)) throw new Error(`${dest} is already in the image's root filesystem`);
  copyIntoRoot(root, source, dest);
  for (const library of sharedLibraries(source)) {
    if (existsInRoot(root, library)) continue;
    const real = realpathSync(library);
    if (!existsInRoot(root, real)) copyIntoRoot(root, real, real);
    if (!existsInRoot(root, library)) symlinkInRoot(root, real, library);
  }
}

/** The Node.js running dockyard, and the npm beside it (as Node's installers lay them out). */
export interface HostNode {
  /** The node binary (symlinks resolved). */
  path: string;
  /** e.g. `v20.20.2`. */
  version: string;
  npm?: { dir: string; version: string };
}

/** This process's own Node.js: the one dockyard is known to run on. */
export function probeHostNode(): HostNode {
  const path = realpathSync(process.execPath);
  const node: HostNode = { path, version: process.version };
  // <prefix>/bin/node → <prefix>/lib/node_modules/npm (Debian/NodeSource packages, nvm, the tarballs).
  const dir = join(dirname(dirname(path)), 'lib', 'node_modules', 'npm');
  try {
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    if (typeof version === 'string') node.npm = { dir, version };
  } catch {
    // No npm beside this node: the images get node alone.
  }
  return node;
}

/**
 * Adds the host's Node.js at /usr/local/bin/node (where the official node images and GitHub's
 * runner images have it) and its npm at /usr/local/lib/node_modules/npm with the `npm` and
 * `npx` commands, without npm's documentation.
 */
export function addHostNode(root: string, node: HostNode): void {
  addHostProgram(root, node.path, '/usr/local/bin/node');
  if (!node.npm) return;
  const target = join(mkdirInRoot(root, '/usr/local/lib/node_modules'), 'npm');
  execFileSync('cp', ['-a', node.npm.dir, target]);
  for (const extra of ['docs', 'man']) rmSync(join(target, extra), { recursive: true, force: true });
  symlinkInRoot(root, '../lib/node_modules/npm/bin/npm-cli.js', '/usr/local/bin/npm');
  symlinkInRoot(root, '../lib/node_modules/npm/bin/npx-cli.js', '/usr/local/bin/npx');
}
