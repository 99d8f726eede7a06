/**
 * The "the container probe passed" stamp that keeps a repeated scripts/setup at about a second:
 * keyed on this check's version, the installed versions of the engine's packages, the engine's
 * configuration files, the engine's version and the kernel, so that any change there (a package
 * purged or upgraded, the registry configuration rewritten) runs the probe again.
 * `dockyard doctor` without --setup never reads it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, release } from 'node:os';
import { join } from 'node:path';
import type { EngineFile } from './engine-files.js';

/** Bump when the probe checks something new: older stamps then no longer count. */
export const PROBE_VERSION = 1;

/** The engine's configuration that changes what the probe would find. */
const CONFIG_FILES = [
  '/etc/containers/containers.conf',
  '/etc/containers/policy.json',
  '/etc/cni/net.d/87-podman-bridge.conflist',
];
const CONFIG_DIRS = ['/etc/containers/registries.conf.d', '/etc/containers/containers.conf.d'];

/** Where the stamp lives: $XDG_CACHE_HOME/dockyard (else ~/.cache/dockyard). */
export function stampPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dockyard', 'doctor-passed');
}

/**
 * The versions of the packages dpkg has (one it lacks is left out: its file may come from
 * elsewhere, as a docker client in /usr/local/bin does); undefined when dpkg cannot say.
 */
function packageVersions(packages: string[]): string | undefined {
  const result = spawnSync('dpkg-query', ['-W', '-f', '${Package}=${Version} ${db:Status-Abbrev}\\n', ...packages], {
    encoding: 'utf8',
    timeout: 5000,
  });
  if (result.error || result.stdout.trim() === '') return undefined;
  return result.stdout;
}

function readOrMissing(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(missing)';
  }
}

/**
 * The key of the current engine set-up; undefined when it cannot be known (no dpkg, a package
 * not installed), and then nothing is cached.
 */
export function engineKey(files: EngineFile[], extra: string[]): string | undefined {
  const versions = packageVersions([...new Set(files.map((f) => f.package))]);
  if (versions === undefined) return undefined;
  const hash = createHash('sha256');
  hash.update(`probe ${PROBE_VERSION}\nkernel ${release()}\n${versions}\n${extra.join('\n')}\n`);
  for (const file of CONFIG_FILES) hash.update(`${file}\n${readOrMissing(file)}\n`);
  for (const dir of CONFIG_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      // no such directory: nothing to add
    }
    for (const name of names) hash.update(`${dir}/${name}\n${readOrMissing(join(dir, name))}\n`);
  }
  return hash.digest('hex');
}

export function hasPassed(key: string, path = stampPath()): boolean {
  return readOrMissing(path).trim() === key;
}

export function recordPass(key: string, path = stampPath()): void {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${key}\n`);
  } catch {
    // a cache that cannot be written only costs the next run a probe
  }
}

/** Forgets a pass (after a failure, so a later --setup probes again). */
export function clearPass(path = stampPath()): void {
  try {
    writeFileSync(path, '');
  } catch {
    // nothing recorded, nothing to forget
  }
}
