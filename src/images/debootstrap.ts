/**
 * A Debian root filesystem from Debian's archive with debootstrap (docs/reference/host-toolchain.md §5): the
 * only source of packages this machine reaches (no Docker Hub). debootstrap takes a minute or
 * more, so its `I:` lines are turned into phases (resolving, downloading, extracting,
 * unpacking, configuring) with a package count, reported at each change and every few seconds.
 *
 * Quirk handled: debootstrap resolves its `--include` list's dependencies but not virtual
 * packages (python3-cryptography's `python3-cffi-backend-api-min` is provided by
 * python3-cffi-backend): such providers must be listed by name.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath } from './host-programs.js';
import { pathInRoot } from './root-paths.js';

/** Debian's release the images are built from (the host's, Debian 12). */
export const DEBIAN_SUITE = 'bookworm';
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** How often a long phase repeats its progress line. */
const PROGRESS_EVERY_MS = 10_000;

/** debootstrap's phases, as a user reads them. */
export type DebootstrapPhase =
  | 'resolving packages'
  | 'downloading packages'
  | 'extracting the base system'
  | 'unpacking packages'
  | 'configuring packages';

/**
 * What {@link runDebootstrap} reports: the phase, and the packages handled in it so far out of
 * those downloaded (debootstrap unpacks and configures every package it downloaded, in two
 * rounds: the required ones, then the rest).
 */
export interface DebootstrapProgress {
  phase: DebootstrapPhase;
  done: number;
  /** Known once the downloads are done. */
  total?: number;
}

/** The phase an `I:` line belongs to, and whether it names one package; undefined for other lines. */
export function debootstrapLinePhase(line: string): { phase: DebootstrapPhase; package: boolean } | undefined {
  const match = /^I: (\S+)(?: (\S+))?/.exec(line);
  if (!match) return undefined;
  const [, verb, object] = match;
  // Round headers: `I: Unpacking required packages...`, `I: Configuring the base system...`
  const header = object === 'required' || object === 'the';
  switch (verb) {
    case 'Retrieving':
      // `Retrieving InRelease`, `Retrieving Packages` (indexes) vs `Retrieving bash 5.2.15-2+b13`
      return object === 'InRelease' || object === 'Release' || object === 'Packages'
        ? { phase: 'resolving packages', package: false }
        : { phase: 'downloading packages', package: true };
    case 'Resolving':
    case 'Checking':
      return { phase: 'resolving packages', package: false };
    case 'Extracting':
      return { phase: 'extracting the base system', package: true };
    case 'Installing':
    case 'Unpacking':
      return { phase: 'unpacking packages', package: verb === 'Unpacking' && !header };
    case 'Configuring':
      return { phase: 'configuring packages', package: !header };
    default:
      return undefined;
  }
}

/** Follows debootstrap's output: a progress report at each phase change and every {@link PROGRESS_EVERY_MS}. */
export class DebootstrapProgressTracker {
  private phase: DebootstrapPhase | undefined;
  private readonly counts = new Map<DebootstrapPhase, number>();
  private reportedAt = 0;

  constructor(
    private readonly report: (progress: DebootstrapProgress) => void,
    private readonly now: () => number = Date.now,
  ) {}

  line(text: string): void {
    const seen = debootstrapLinePhase(text);
    if (!seen) return;
    const changed = seen.phase !== this.phase;
    this.phase = seen.phase;
    if (seen.package) this.counts.set(seen.phase, (this.counts.get(seen.phase) ?? 0) + 1);
    if (!changed && this.now() - this.reportedAt < PROGRESS_EVERY_MS) return;
    this.reportedAt = this.now();
    const progress: DebootstrapProgress = { phase: seen.phase, done: this.counts.get(seen.phase) ?? 0 };
    const downloaded = this.counts.get('downloading packages');
    if (downloaded !== undefined && seen.phase !== 'downloading packages') progress.total = downloaded;
    this.report(progress);
  }
}

/** The debootstrap program, installed from Debian's archive when missing (as scripts/base-images does). */
export async function ensureDebootstrap(onInstall: () => void): Promise<string> {
  const searchPath = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  const found = findOnPath('debootstrap', searchPath);
  if (found) return found;
  onInstall();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = promisify(execFile);
  try {
    await run('apt-get', ['install', '-y', '-qq', 'debootstrap'], { env }).catch(async () => {
      await run('apt-get', ['update', '-qq'], { env });
      await run('apt-get', ['install', '-y', '-qq', 'debootstrap'], { env });
    });
  } catch (error) {
    throw new Error(
      `debootstrap is needed to build images from Debian's archive and could not be installed (apt-get install debootstrap): ${(error as { stderr?: string }).stderr?.trim() || String(error)}`,
    );
  }
  const installed = findOnPath('debootstrap', searchPath);
  if (!installed) throw new Error('apt-get installed debootstrap, yet it is not on PATH or in /usr/sbin');
  return installed;
}

/**
 * Runs `debootstrap --variant=minbase --include=PACKAGES` into `target`. Rejects with the tail of
 * debootstrap's own output and of the target's debootstrap.log (dpkg's errors) when it fails.
 */
export async function runDebootstrap(options: {
  program: string;
  target: string;
  include: readonly string[];
  onProgress: (progress: DebootstrapProgress) => void;
  signal?: AbortSignal;
}): Promise<void> {
  const args = [
    '--variant=minbase',
    `--include=${options.include.join(',')}`,
    DEBIAN_SUITE,
    options.target,
    DEBIAN_MIRROR,
  ];
  const child = spawn(options.program, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const tail: string[] = [];
  const tracker = new DebootstrapProgressTracker(options.onProgress);
  let pending = '';
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    tracker.line(line);
  };
  const onData = (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => options.signal?.removeEventListener('abort', onAbort));
  if (pending) onLine(pending);
  if (options.signal?.aborted)
    throw options.signal.reason instanceof Error ? options.signal.reason : new Error('debootstrap was cancelled');
  if (code !== 0) {
    const log = join(options.target, 'debootstrap', 'debootstrap.log');
    const dpkg = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new Error(
      `debootstrap ${DEBIAN_SUITE} from ${DEBIAN_MIRROR} failed (exit ${code}):\n${tail.join('\n')}${dpkg ? `\n--- ${log} ends:\n${dpkg}` : ''}`,
    );
  }
}

/** What an image does not need: documentation, translations, apt's downloads and indexes, logs. */
const TRIMMED_DIRECTORIES = [
  '/usr/share/doc',
  '/usr/share/man',
  '/usr/share/info',
  '/usr/share/locale',
  '/var/cache/apt/archives',
  '/var/lib/apt/lists',
  '/var/log',
];

/**
 * Empties the directories an image does not need (keeping the directories and apt's `partial`
 * and `lock` entries, which apt expects) and apt's package caches. `apt-get update` in a job
 * fetches the indexes again.
 */
export function trimRootfs(root: string): void {
  for (const dir of TRIMMED_DIRECTORIES) {
    const real = pathInRoot(root, dir);
    if (!existsSync(real)) continue;
    for (const entry of readdirSync(real)) {
      if (entry === 'partial' || entry === 'lock') continue;
      rmSync(join(real, entry), { recursive: true, force: true });
    }
  }
  for (const cache of ['/var/cache/apt/pkgcache.bin', '/var/cache/apt/srcpkgcache.bin'])
    rmSync(pathInRoot(root, cache, false), { force: true });
}
