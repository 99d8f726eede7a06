/**
 * Makes the container engine trust the cloud's registry: the CA certificate written to
 * `/etc/containers/certs.d/<host:port>/dockyard-ca.crt`, the engine's per-registry
 * configuration. containers/image (Podman's API service, podman, skopeo, buildah) reads that
 * directory on every connection to the registry and adds each `*.crt` in it to the roots it
 * verifies that registry's certificate with, so nothing needs a restart and no other registry
 * is affected. (A Docker daemon reads /etc/docker/certs.d alike; it needs nothing here, since
 * it treats 127.0.0.0/8 as an insecure registry.)
 *
 * Our own file name, not `ca.crt`: a user's own `ca.crt` for the same host:port is never
 * overwritten or removed, and removal can tell our file from anyone else's. Removal deletes
 * the file only while it still holds our CA, and the directory only if it is ours and empty.
 * After a crash the file stays until the next cloud on that port overwrites it, or any
 * cloud's start finds nothing listening there and removes it (harmless meanwhile: only that
 * CA's key, in its data directory, can sign for it).
 */
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../store/files.js';

/** Where containers/image looks for per-registry certificates (system-wide). */
export const ENGINE_CERTS_DIR = '/etc/containers/certs.d';
/** The file name dockyard writes in a registry's directory. */
export const ENGINE_CA_FILE = 'dockyard-ca.crt';

/** The engine's trust in one registry, as written: `remove` undoes it. */
export type EngineTrust = { ok: true; path: string; remove(): void } | { ok: false; path: string; problem: string };

export interface EngineTrustOptions {
  /** ENGINE_CERTS_DIR, or another directory in tests. */
  certsDir: string;
  /** The registry as clients name it, e.g. `localhost:4566`. */
  registryHost: string;
  /** Where the CA certificate lives, for the message when it cannot be written. */
  caCertPath: string;
}

/** Where the trust for `registryHost` is written. */
export function engineTrustPath(certsDir: string, registryHost: string): string {
  return join(certsDir, registryHost, ENGINE_CA_FILE);
}

/**
 * Why the trust could not be written, found without writing (the nearest existing directory
 * on its path must be writable by this process); undefined when it can be.
 */
export function engineTrustBlocked(options: EngineTrustOptions): string | undefined {
  let existing = dirname(engineTrustPath(options.certsDir, options.registryHost));
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
    return undefined;
  } catch (error) {
    return trustProblem(options, error, existing);
  }
}

/**
 * Writes `caCert` as trusted for `registryHost`. When that fails the result says why, and
 * how to fix it.
 */
export function trustRegistryInEngine(options: EngineTrustOptions & { caCert: string }): EngineTrust {
  const path = engineTrustPath(options.certsDir, options.registryHost);
  const dir = dirname(path);
  try {
    // The directory is ours to remove later if it is new, or held only a file of ours (left by
    // a cloud that crashed). certs.d itself stays: another cloud may be writing into it.
    const ourDir = !existsSync(dir) || readdirSync(dir).every((name) => name === ENGINE_CA_FILE) ? dir : undefined;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileAtomic(path, options.caCert, 0o644);
    return { ok: true, path, remove: () => removeTrust(path, options.caCert, ourDir) };
  } catch (error) {
    return { ok: false, path, problem: trustProblem(options, error, (error as NodeJS.ErrnoException).path ?? dir) };
  }
}

/** The message for a failure `error` at `where` (the directory or file that refused). */
function trustProblem(options: EngineTrustOptions, error: unknown, where: string): string {
  const path = engineTrustPath(options.certsDir, options.registryHost);
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const why =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `${where} cannot be written (${code})`
      : `writing ${path} failed (${code})`;
  return (
    `the container engine cannot verify this cloud's registry (https://${options.registryHost}): ${why}, ` +
    `so ECS tasks cannot pull from it and docker cannot push to it. Run dockyard as root, or install its CA once: ` +
    `sudo install -D -m 0644 ${options.caCertPath} ${path}` +
    ` (rootless Podman reads ~/.config/containers/certs.d/${options.registryHost}/ instead)`
  );
}

/** Removes the file if it still holds our CA, and the directory if it is ours and now empty. */
function removeTrust(path: string, caCert: string, ourDir: string | undefined): void {
  try {
    if (readFileSync(path, 'utf8') !== caCert) return; // someone else's now
    rmSync(path, { force: true });
    if (ourDir) rmdirSync(ourDir);
  } catch {
    // Gone already, or the directory holds other files: nothing of ours is left to remove.
  }
}

/**
 * Removes what clouds that died without stopping (kill -9, a crash) left in `certsDir`: our
 * file, holding a dockyard CA, for a host:port where nothing listens any more (and its
 * directory, when that leaves it empty). A live cloud's entry, any other file, and an entry
 * whose port cannot be probed are kept. Answers the paths removed.
 */
export async function removeStaleTrust(certsDir: string, except: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync(certsDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const registryHost of entries) {
    const path = engineTrustPath(certsDir, registryHost);
    const address = /^(.+):(\d+)$/.exec(registryHost);
    if (registryHost === except || !address || !isDockyardCa(path)) continue;
    if (await listening(address[1] ?? '', Number(address[2]))) continue;
    rmSync(path, { force: true });
    try {
      rmdirSync(dirname(path));
    } catch {
      // Other files live there: the directory stays.
    }
    removed.push(path);
  }
  return removed;
}

function isDockyardCa(path: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(path));
    return cert.ca && /^O=dockyard$/m.test(cert.subject);
  } catch {
    return false;
  }
}

/** Whether something accepts connections on host:port (a probe that times out counts as yes). */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED'));
  });
}
