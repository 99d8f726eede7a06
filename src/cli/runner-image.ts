/**
 * `dockyard runner-image build|status|map|unmap`: the image workflow jobs run in, and which
 * `runs-on` label runs in which image. `build` makes the default runner image from Debian's
 * archive and the host's Node.js and docker client (a minute or two, once; cached until its
 * recipe changes), printing each phase with the time spent so far; `map`/`unmap` keep a
 * label → image mapping in the data directory (a running cloud sees it at its next job).
 */
import { existsSync } from 'node:fs';
import { dataFiles, resolveDataDir } from '../cloud/config.js';
import { DockerApiEngine } from '../engine/docker-api.js';
import { formatBytes, formatElapsed, type BuildProgress } from '../images/offline-image.js';
import { ensureRunnerImageDetails, runnerImageStatus } from '../images/runner-image.js';
import { probeRunnerHost } from '../images/runner-recipe.js';
import { RunnerImageMappingError, RunnerImages, parseRunnerImageMapping } from '../runner/runner-images.js';
import { openDatabase, type Db } from '../store/database.js';
import { makePrivateDir } from '../store/private-files.js';
import {
  CliError,
  DATA_OPTION,
  UsageError,
  parseArgsAndFlags,
  stringFlag,
  type Command,
  type Flags,
} from './command.js';
import { errorMessage } from '../core/errors.js';

const BUILD_USAGE = `Usage: dockyard runner-image build [--force] [--json]

Makes sure the container engine has the default runner image (the one ubuntu-latest,
ubuntu-24.04 and ubuntu-22.04 jobs run in), building it when it is missing or its recipe
changed: Debian bookworm from Debian's archive (debootstrap; needs root) with bash, git, curl,
jq, zip/unzip, tar, xz, python3 with boto3, the AWS CLI v2, sudo, the host's Node.js and npm
and the host's docker client. A minute or two the first time; a second or less once cached.
  --force   build even when the image is current
  --json    print the result as JSON (progress goes to stderr)`;

const STATUS_USAGE = `Usage: dockyard runner-image status [--json] [--data DIR]

Shows the runner image's recipe (its hash names the image), whether the engine has it, its
size, images of earlier recipes, and which image serves each runs-on label.`;

const MAP_USAGE = `Usage: dockyard runner-image map LABEL=IMAGE [--data DIR]

Runs jobs whose runs-on is LABEL in IMAGE from now on (kept in the data directory; a running
cloud uses it from its next job). \`dockyard up --runner-image LABEL=IMAGE\` does the same for
one start. self-hosted cannot be mapped: it always means this host.`;

const UNMAP_USAGE = `Usage: dockyard runner-image unmap LABEL [--data DIR]

Removes a mapping \`dockyard runner-image map\` kept (a default label goes back to the runner image).`;

/** The engine, or a message saying how to start it. */
async function engine(): Promise<DockerApiEngine> {
  const engine = new DockerApiEngine();
  await engine.ping(AbortSignal.timeout(5000)).catch(async (error: unknown) => {
    await engine.close();
    throw new CliError(
      `the container engine does not answer (${errorMessage(error)}); scripts/setup starts Podman's Docker API`,
    );
  });
  return engine;
}

/** A progress line: `[runner-image] 0:42 debootstrap: configuring packages (120)`. */
export function progressLine(progress: BuildProgress): string {
  return `[${progress.image === 'runner' ? 'runner-image' : progress.image}] ${formatElapsed(progress.elapsedMs)} ${progress.message}\n`;
}

export const runnerImageBuildCommand: Command = {
  name: ['runner-image', 'build'],
  usage: BUILD_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { force: { type: 'boolean' }, json: { type: 'boolean' } }, BUILD_USAGE, {
      min: 0,
      max: 0,
    });
    if (!parsed) return 0;
    const started = Date.now();
    const docker = await engine();
    try {
      const result = await ensureRunnerImageDetails(docker, {
        force: parsed.flags.force === true,
        onProgress: (p) => process.stderr.write(progressLine(p)),
      });
      const seconds = (Date.now() - started) / 1000;
      if (parsed.flags.json) {
        process.stdout.write(`${JSON.stringify({ ...result, seconds })}\n`);
      } else {
        process.stdout.write(
          `${result.ref} ${result.built ? `built in ${formatElapsed(seconds * 1000)}` : 'is current (cached)'} (${formatBytes(result.sizeBytes)})\n`,
        );
      }
      return 0;
    } finally {
      await docker.close();
    }
  },
};

/** The data directory's mappings store, or the defaults alone when it has no state yet (and `create` is false). */
function runnerImages(flags: Flags, create: boolean): { images: RunnerImages; db: Db } {
  const dataDir = resolveDataDir(stringFlag(flags, 'data'));
  const file = dataFiles(dataDir).db;
  if (!create && !existsSync(file)) {
    const db = openDatabase(':memory:');
    return { images: new RunnerImages(db), db };
  }
  makePrivateDir(dataDir);
  const db = openDatabase(file);
  return { images: new RunnerImages(db), db };
}

export const runnerImageStatusCommand: Command = {
  name: ['runner-image', 'status'],
  usage: STATUS_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, STATUS_USAGE, {
      min: 0,
      max: 0,
    });
    if (!parsed) return 0;
    const { images, db } = runnerImages(parsed.flags, false);
    const mappings = images.list();
    db.close();
    const host = probeRunnerHost();
    const docker = await engine();
    try {
      const status = await runnerImageStatus(docker, host);
      if (parsed.flags.json) {
        process.stdout.write(`${JSON.stringify({ ...status, mappings })}\n`);
        return 0;
      }
      const { recipe } = status;
      const lines = [
        `runner image: ${status.ref}${status.image ? ` (${formatBytes(status.image.sizeBytes)}, built ${status.image.createdAt?.toISOString() ?? '?'})` : ' — not built yet: `dockyard runner-image build` (or the first job builds it)'}`,
        `  alias ${status.alias}: ${status.aliasCurrent ? 'this image' : 'not this image (moved at the next build or job)'}`,
        `  recipe ${status.hash}: Debian ${recipe.suite} and ${recipe.packages.length} packages, build steps v${recipe.build}`,
        `    packages: ${recipe.packages.join(' ')}`,
        `    from this host: Node.js ${recipe.node}${recipe.npm ? `, npm ${recipe.npm}` : ''}, ${recipe.docker}`,
        `    user: ${recipe.user.split(':').slice(0, 2).join(' uid ')}, passwordless sudo`,
      ];
      for (const stale of status.stale)
        lines.push(
          `  earlier recipe: ${stale.tags.join(', ')} (${formatBytes(stale.sizeBytes)}); remove with \`docker rmi ${stale.tags[0] ?? stale.id}\``,
        );
      lines.push('runs-on labels:');
      const width = Math.max(...mappings.map((m) => m.label.length));
      for (const m of mappings)
        lines.push(
          `  ${m.label.padEnd(width)}  ${m.image}${m.source === 'default' ? '' : ` (${m.source === 'setting' ? 'dockyard runner-image map' : '--runner-image'})`}`,
        );
      lines.push(`  ${'self-hosted'.padEnd(width)}  this host (the job has the host's rights)`);
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await docker.close();
    }
  },
};

function mappingError(error: unknown): never {
  if (error instanceof RunnerImageMappingError) throw new UsageError(error.message);
  throw error;
}

export const runnerImageMapCommand: Command = {
  name: ['runner-image', 'map'],
  usage: MAP_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, MAP_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    let mapping: { label: string; image: string };
    try {
      mapping = parseRunnerImageMapping(parsed.args[0] as string);
    } catch (error) {
      mappingError(error);
    }
    const { images, db } = runnerImages(parsed.flags, true);
    try {
      images.map(mapping.label, mapping.image);
    } finally {
      db.close();
    }
    process.stdout.write(`✓ runs-on: ${mapping.label} → ${mapping.image}\n`);
    return 0;
  },
};

export const runnerImageUnmapCommand: Command = {
  name: ['runner-image', 'unmap'],
  usage: UNMAP_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, UNMAP_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    const label = parsed.args[0] as string;
    const { images, db } = runnerImages(parsed.flags, false);
    try {
      if (!images.unmap(label))
        throw new CliError(
          `no mapping of ${label} is kept${existsSync(dataFiles(resolveDataDir(stringFlag(parsed.flags, 'data'))).db) ? '' : ' (this data directory has no state yet)'}`,
        );
    } finally {
      db.close();
    }
    process.stdout.write(`✓ runs-on: ${label} unmapped\n`);
    return 0;
  },
};
