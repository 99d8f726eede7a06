/**
 * Bind-mount sources: a job names host paths as it sees them (its workspace may be
 * `/github/workspace` in its container and `<data>/jobs/7/workspace` on the host), but the
 * engine reads them on the host. A source is resolved the way the kernel would resolve it in the
 * job's view — component by component, `..` after symlinks, absolute symlink targets read as the
 * job's paths — then mapped to the host, and must land inside one of the job's roots. The engine
 * receives the resolved host path, so it mounts what was checked.
 *
 * By design: a path outside every root is refused even when it exists in the job's container
 * (its own root filesystem is not on the host). Gap: a job that swaps a directory of its
 * workspace for a symlink between the check and the engine's mount could still redirect it;
 * `recheck` narrows this to the moment of `start`.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { forbidden } from './refusal.js';

/** A directory the job may bind-mount from: where the job sees it and where it is on the host. */
export interface JobMount {
  /** The path on the host (symlinks in it are resolved once at start). */
  hostPath: string;
  /** The path the job sees it at; the host path when omitted (a job running on the host). */
  jobPath?: string;
}

/** Symlinks followed per path at most, as Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;

/** The resolved roots of a job. */
export class BindRoots {
  private readonly roots: Array<{ jobPath: string; hostPath: string }>;

  constructor(
    mounts: JobMount[],
    /** Unix sockets that must never be mounted (the engine's own). */
    private readonly forbiddenSockets: string[],
    /** The guard's own socket on the host: mounting it gives a child container the job's rights, no more. */
    private readonly ownSocket: string,
  ) {
    this.roots = mounts
      .map((m) => ({
        jobPath: posix.normalize(m.jobPath ?? m.hostPath).replace(/(.)\/$/, '$1'),
        hostPath: realpathSync(m.hostPath),
      }))
      // Longest job path first: a nested mapping wins over its parent.
      .sort((a, b) => b.jobPath.length - a.jobPath.length);
  }

  /** The host roots, for messages. */
  describe(): string {
    return this.roots.map((r) => r.jobPath).join(', ') || '(none)';
  }

  /** Maps a lexically clean job path to the host, or undefined when it is outside every root. */
  private toHost(jobPath: string): { hostPath: string; atRoot: boolean } | undefined {
    for (const root of this.roots) {
      if (jobPath === root.jobPath) return { hostPath: root.hostPath, atRoot: true };
      const prefix = root.jobPath === '/' ? '/' : `${root.jobPath}/`;
      if (jobPath.startsWith(prefix))
        return { hostPath: posix.join(root.hostPath, jobPath.slice(prefix.length)), atRoot: false };
    }
    return undefined;
  }

  /**
   * Resolves a bind source the job sent to the host path the engine should mount, or throws a
   * refusal saying why it cannot be mounted.
   */
  resolve(source: string): string {
    if (!source.startsWith('/')) throw forbidden(`bind mount ${source}: the source must be an absolute path`);
    const lexical = posix.normalize(source);
    const name = posix.basename(lexical);
    if (this.forbiddenSockets.includes(lexical))
      throw forbidden(`bind mount ${source}: the container engine's socket cannot be mounted in workflow jobs`);
    const pending = lexical.split('/').filter((c) => c !== '');
    const current: string[] = [];
    let hops = 0;
    let missing = false;
    while (pending.length > 0) {
      const component = pending.shift() as string; // length checked by the loop condition
      if (component === '.') continue;
      if (component === '..') {
        current.pop();
        // Back inside what exists: what follows is looked at again.
        missing = false;
        continue;
      }
      current.push(component);
      if (missing) continue;
      const mapped = this.toHost(`/${current.join('/')}`);
      // Outside every root (a parent of one, or a path that `..` may still bring back): nothing on the host to look at.
      if (!mapped || mapped.atRoot) continue;
      let link: string | undefined;
      try {
        const stat = lstatSync(mapped.hostPath);
        if (stat.isSymbolicLink()) link = readlinkSync(mapped.hostPath);
      } catch {
        // Docker creates a missing bind source as a directory: the rest of the path is new, with no links in it.
        missing = true;
        continue;
      }
      if (link === undefined) continue;
      if (++hops > MAX_SYMLINKS) throw forbidden(`bind mount ${source}: too many levels of symbolic links`);
      current.pop();
      // An absolute target means the job's root (the job created the link in its own view).
      if (link.startsWith('/')) current.length = 0;
      pending.unshift(...link.split('/').filter((c) => c !== ''));
    }
    const jobPath = `/${current.join('/')}`;
    const mapped = this.toHost(jobPath);
    if (!mapped) {
      const via = jobPath === lexical ? '' : ` (it resolves to ${jobPath})`;
      throw forbidden(
        `bind mount ${source}${via}: only paths inside the job's directories (${this.describe()}) can be mounted in workflow jobs`,
      );
    }
    this.refuseEngineSockets(source, mapped.hostPath, name);
    return mapped.hostPath;
  }

  /** Refuses engine sockets that a root happens to contain (the guard's own socket is fine). */
  private refuseEngineSockets(source: string, hostPath: string, name: string): void {
    let isSocket = false;
    try {
      isSocket = lstatSync(hostPath).isSocket();
    } catch {
      return;
    }
    if (!isSocket || hostPath === this.ownSocket) return;
    if (this.forbiddenSockets.includes(hostPath) || name === 'docker.sock' || name === 'podman.sock') {
      throw forbidden(`bind mount ${source}: a container engine socket cannot be mounted in workflow jobs`);
    }
  }

  /**
   * Checks again, just before a container starts, that a resolved host path still has no
   * symlink in it and is still inside a root (a job may have changed its workspace since).
   */
  recheck(hostPath: string): void {
    let real: string;
    try {
      real = realpathSync(hostPath);
    } catch {
      return; // still missing: the engine creates it as a directory
    }
    if (
      real !== hostPath ||
      !this.roots.some((r) => real === r.hostPath || real.startsWith(r.hostPath === '/' ? '/' : `${r.hostPath}/`))
    ) {
      throw forbidden(
        `bind mount source ${hostPath} became a symbolic link after the container was created; create the container again`,
      );
    }
  }
}
