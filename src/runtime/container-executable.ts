/**
 * Whether a prepared container's program exists, looked up in its root filesystem from the
 * host (/proc/PID/root, with the container's symbolic links resolved inside it): with an init
 * as PID 1, a missing entrypoint would otherwise start (the init runs) and exit at once, where
 * ECS stops the task with CannotStartContainerError and never reports it RUNNING.
 */
import { constants, accessSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { ContainerDetails } from '../engine/contract.js';

/** Podman's init, which runs the container's program after `--`. */
const PODMAN_INIT = '/run/podman-init';
/** Bounds the symbolic links followed for one path (a loop is a missing file). */
const MAX_LINKS = 40;

/**
 * Undefined when the program is there (or cannot be judged: no pid, no process); otherwise the
 * runtime's message as AWS shows it after `CannotStartContainerError: `.
 */
export function missingExecutable(details: ContainerDetails): string | undefined {
  const { pid, process } = details;
  if (pid === undefined || !process) return undefined;
  let argv = process.argv;
  if (argv[0] === PODMAN_INIT) argv = argv.slice(argv.indexOf('--') + 1);
  const program = argv[0];
  if (!program) return undefined;
  const root = `/proc/${pid}/root`;
  const prefix =
    'Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';
  if (program.includes('/')) {
    const inside = posix.resolve(process.workingDir, program);
    return executableAt(root, inside)
      ? undefined
      : `${prefix}exec: "${program}": stat ${program}: no such file or directory: unknown`;
  }
  for (const dir of process.path.split(':').filter(Boolean))
    if (executableAt(root, posix.join(dir, program))) return undefined;
  return `${prefix}exec: "${program}": executable file not found in $PATH: unknown`;
}

/** Whether `path` (inside the container) is an executable file, links resolved within `root`. */
function executableAt(root: string, path: string): boolean {
  const resolved = resolveInside(root, path);
  if (resolved === undefined) return false;
  try {
    if (!statSync(root + resolved).isFile()) return false;
    accessSync(root + resolved, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `path` with every symbolic link followed as the container sees it; undefined when missing. */
function resolveInside(root: string, path: string): string | undefined {
  let pending = path.split('/').filter(Boolean);
  let done = '';
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '.') continue;
    if (part === '..') {
      done = posix.dirname(done === '' ? '/' : done).replace(/^\/$/, '');
      continue;
    }
    const next = `${done}/${part}`;
    let stats;
    try {
      stats = lstatSync(root + next);
    } catch {
      return undefined;
    }
    if (!stats.isSymbolicLink()) {
      done = next;
      continue;
    }
    if (++links > MAX_LINKS) return undefined;
    const target = readlinkSync(root + next);
    pending = [...target.split('/').filter(Boolean), ...pending];
    if (target.startsWith('/')) done = '';
  }
  return done === '' ? '/' : done;
}
