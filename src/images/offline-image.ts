/**
 * An image built on this machine from a recipe, never pulled: built once, cached in the engine,
 * rebuilt when its recipe changes. The recipe's hash is a label on the image, so "is it current?"
 * is one image inspection. Builds are serialised machine-wide by a file lock: two clouds or tests
 * asking at once build once, the second finds the first's image.
 *
 * A build: a root filesystem assembled in a fresh directory (./build-dir.ts), streamed as a tar
 * into the engine's import (Docker Engine API, so Docker works as well as Podman) under a
 * temporary name, proved by running a command in it, and only then given its real names. A
 * failed or killed build leaves no image under the real name.
 *
 * Client quirk handled: Podman's import also tags the repository's `:latest`, whatever tag was
 * asked for; the temporary repository takes that tag, never the image's real one.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageDetails } from '../engine/contract.js';
import type { DockerApiEngine } from '../engine/docker-api.js';
import { isNotFound } from '../engine/errors.js';
import { freshBuildDir, removeBuildDir } from './build-dir.js';
import { acquireFileLock } from './file-lock.js';
import { runOnce } from './run-once.js';

/** What a build needs from the engine: the contract plus image import, inspection and names. */
export type ImageEngine = Pick<
  DockerApiEngine,
  | 'importImage'
  | 'inspectImage'
  | 'tagImage'
  | 'removeImage'
  | 'listImages'
  | 'createContainer'
  | 'startContainer'
  | 'waitContainer'
  | 'logs'
  | 'removeContainer'
>;

/** The steps of a build, in order. */
export type BuildPhase =
  'waiting' | 'preparing' | 'debootstrap' | 'assembling' | 'importing' | 'verifying' | 'naming' | 'built';

/** One progress report of a build. */
export interface BuildProgress {
  /** The image's short name (`runner`, `node-slim`). */
  image: string;
  phase: BuildPhase;
  message: string;
  /** Since the ensure call began. */
  elapsedMs: number;
}

/** How a step reports what it is doing. */
export type Report = (phase: BuildPhase, message: string) => void;

/** What an offline image is and how it is made. */
export interface OfflineImageSpec {
  /** Short name for the lock, the build directory and the temporary name: `runner`, `node-slim`. */
  name: string;
  /** The image's name, e.g. `localhost/dockyard/runner:1a2b3c4d5e6f`. */
  ref: string;
  /** More names for the same image, moved to it whenever it is ensured (`…/runner:latest`). */
  aliases?: readonly string[];
  /** The label carrying the recipe's hash. */
  recipeLabel: string;
  recipeHash: string;
  /** Image settings as `docker import --change` lines (the recipe label is added). */
  changes: readonly string[];
  /**
   * An image already at `ref` without the recipe label was put there by someone else (e.g. a
   * real node:20-slim loaded with `docker load`): keep it rather than replace it.
   */
  keepForeign?: boolean;
  /** Fills `root` (an empty directory). */
  assemble(root: string, report: Report, signal?: AbortSignal): Promise<void>;
  /** A command (exec form) that must exit 0 in the new image before it gets its name. */
  verify: readonly string[];
  /** What the command checks, for the progress line (default: the command). */
  verifying?: string;
}

/** Options of {@link ensureOfflineImage}. */
export interface EnsureOptions {
  onProgress?: (progress: BuildProgress) => void;
  /** Build even when the image is current. */
  force?: boolean;
  signal?: AbortSignal;
}

/** The outcome of an ensure. */
export interface EnsuredImage {
  ref: string;
  id: string;
  /** False when the cached image was current. */
  built: boolean;
  sizeBytes: number;
}

/** The machine-wide lock of one image's builds. */
export function buildLockPath(name: string): string {
  return `/tmp/dockyard-image-${name}.lock`;
}

/** The image at `ref`, or undefined when the engine has none. */
export async function findImage(
  engine: Pick<ImageEngine, 'inspectImage'>,
  ref: string,
  signal?: AbortSignal,
): Promise<ImageDetails | undefined> {
  try {
    return await engine.inspectImage(ref, signal);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Whether `image` is the one the spec's recipe makes (or a foreign one the spec keeps). */
function current(spec: OfflineImageSpec, image: ImageDetails | undefined): image is ImageDetails {
  if (!image) return false;
  const label = image.labels[spec.recipeLabel];
  return label === spec.recipeHash || (label === undefined && spec.keepForeign === true);
}

/** Builds the image unless the engine already has it current; returns where it is. */
export async function ensureOfflineImage(
  engine: ImageEngine,
  spec: OfflineImageSpec,
  options: EnsureOptions = {},
): Promise<EnsuredImage> {
  const started = Date.now();
  const report: Report = (phase, message) =>
    options.onProgress?.({ image: spec.name, phase, message, elapsedMs: Date.now() - started });
  const { signal } = options;
  if (!options.force) {
    const cached = await findImage(engine, spec.ref, signal);
    if (current(spec, cached)) {
      await nameImage(engine, cached.id, spec.aliases ?? [], signal);
      return { ref: spec.ref, id: cached.id, built: false, sizeBytes: cached.sizeBytes };
    }
  }
  const release = await acquireFileLock(buildLockPath(spec.name), {
    signal,
    onWait: () => report('waiting', 'another process is building this image; waiting for it'),
  });
  try {
    if (!options.force) {
      // The build this one waited for may have made it.
      const cached = await findImage(engine, spec.ref, signal);
      if (current(spec, cached)) {
        await nameImage(engine, cached.id, spec.aliases ?? [], signal);
        return { ref: spec.ref, id: cached.id, built: false, sizeBytes: cached.sizeBytes };
      }
    }
    const id = await build(engine, spec, report, signal);
    const image = await engine.inspectImage(id, signal);
    report('built', `built ${spec.ref} (${formatBytes(image.sizeBytes)})`);
    await removeSuperseded(engine, spec, signal);
    return { ref: spec.ref, id, built: true, sizeBytes: image.sizeBytes };
  } finally {
    await release();
  }
}

async function build(
  engine: ImageEngine,
  spec: OfflineImageSpec,
  report: Report,
  signal: AbortSignal | undefined,
): Promise<string> {
  // A repository of its own: Podman's import also tags `:latest` of whatever repository it is given.
  const repository = `localhost/dockyard-build/${spec.name}`;
  const temporary = `${repository}:${spec.recipeHash}`;
  // What a build killed between import and naming left (this one holds the lock: none is in use).
  for (const image of await engine.listImages({ labels: { [spec.recipeLabel]: true } }, signal)) {
    for (const tag of image.tags.filter((t) => t.startsWith(`${repository}:`)))
      await engine.removeImage(tag, { signal }).catch(() => undefined);
  }
  const dir = freshBuildDir(spec.name);
  const root = join(dir, 'rootfs');
  try {
    mkdirSync(root, { mode: 0o755 });
    await spec.assemble(root, report, signal);
    report('importing', 'importing the root filesystem into the container engine');
    const id = await importTree(
      engine,
      root,
      temporary,
      [...spec.changes, `LABEL ${spec.recipeLabel}=${spec.recipeHash}`],
      signal,
    );
    try {
      report('verifying', `checking the image: ${spec.verifying ?? spec.verify.join(' ')}`);
      const check = await runOnce(engine, id, [...spec.verify], { signal });
      if (check.exitCode !== 0)
        throw new Error(
          `the new ${spec.name} image failed its check (${spec.verify.join(' ')} exited ${check.exitCode}):\n${check.output.split('\n').slice(-20).join('\n')}`,
        );
      report('naming', `naming it ${[spec.ref, ...(spec.aliases ?? [])].join(', ')}`);
      await nameImage(engine, id, [spec.ref, ...(spec.aliases ?? [])], signal);
    } finally {
      // Only the temporary names: the image keeps its real ones (or goes, when it failed).
      for (const name of [temporary, `${repository}:latest`]) {
        await engine.removeImage(name, {}).catch(() => undefined);
      }
    }
    return id;
  } finally {
    removeBuildDir(dir);
  }
}

/**
 * Removes the names, in the image's own repository, of builds from earlier recipes (an upgrade
 * would otherwise leave ~0.6 GB of runner image behind each time). By name and never forced: an
 * image a container still uses stays, and is offered again for removal after the next build.
 */
async function removeSuperseded(engine: ImageEngine, spec: OfflineImageSpec, signal: AbortSignal | undefined) {
  const repository = spec.ref.slice(0, spec.ref.lastIndexOf(':'));
  for (const image of await engine.listImages({ labels: { [spec.recipeLabel]: true } }, signal)) {
    if (image.labels[spec.recipeLabel] === spec.recipeHash) continue;
    for (const tag of image.tags.filter((t) => t.startsWith(`${repository}:`)))
      await engine.removeImage(tag, { signal }).catch(() => undefined);
  }
}

/** Points each name at the image `id` (a name already on it is left alone). */
async function nameImage(
  engine: Pick<ImageEngine, 'inspectImage' | 'tagImage'>,
  id: string,
  names: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const name of names) {
    const existing = await findImage(engine, name, signal);
    if (existing?.id !== id) await engine.tagImage(id, name, signal);
  }
}

/** Streams `root` as a tar into the engine's import; fails if tar fails, whatever the engine made of it. */
async function importTree(
  engine: ImageEngine,
  root: string,
  ref: string,
  changes: string[],
  signal: AbortSignal | undefined,
): Promise<string> {
  const tar = spawn('tar', ['--numeric-owner', '-C', root, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', resolve);
  });
  let id: string;
  try {
    id = await engine.importImage(tar.stdout, ref, { changes, signal });
  } catch (error) {
    tar.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  }
  const code = await exited;
  if (code !== 0) {
    await engine.removeImage(id, { force: true }).catch(() => undefined);
    throw new Error(`tar of ${root} failed (exit ${code}): ${stderr.trim()}`);
  }
  return id;
}

/** `123.4 MB`, as the engine's CLIs print sizes (decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

/** `m:ss` of a duration, for progress lines. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
