/**
 * The default runner image: the fresh container a workflow job runs in when its `runs-on` asks
 * for ubuntu-latest (and the other labels mapped to it). Built offline on this machine, as
 * scripts/base-images builds python:3.11-slim: Debian bookworm from Debian's archive with the
 * packages of ./runner-recipe.ts, the host's own Node.js 20 and npm (JavaScript actions), the
 * host's docker client (a client only: no daemon is in the image, jobs reach the engine through
 * the socket they are given) with dockyard's buildx CLI plugin (so `docker buildx` and `docker
 * build` work as on GitHub's images, through the engine), and the `runner` user of GitHub's
 * images with passwordless sudo.
 *
 * By design: the image is Debian, not Ubuntu; tools GitHub's images install beyond the recipe's
 * list are absent (a job can `apt-get update && apt-get install`); the docker client is the
 * host's, whatever its version.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureDebootstrap, runDebootstrap, trimRootfs } from './debootstrap.js';
import { addHostNode, addHostProgram } from './host-programs.js';
import {
  ensureOfflineImage,
  findImage,
  type EnsureOptions,
  type EnsuredImage,
  type ImageEngine,
  type OfflineImageSpec,
  type Report,
} from './offline-image.js';
import { mkdirInRoot, writeFileInRoot } from './root-paths.js';
import {
  BUILDX_BUNDLE_PATH,
  BUILDX_PLUGIN_PATH,
  probeRunnerHost,
  recipeHash,
  RUNNER_IMAGE_ALIAS,
  RUNNER_IMAGE_CHANGES,
  RUNNER_IMAGE_REPOSITORY,
  RUNNER_PACKAGES,
  RUNNER_RECIPE_LABEL,
  RUNNER_USER,
  runnerImageRef,
  runnerRecipe,
  type RunnerHost,
  type RunnerRecipe,
} from './runner-recipe.js';
import type { ImageDetails } from '../engine/contract.js';

/** What the new image must run before it is named: each tool a workflow step is likely to call. */
const VERIFY_SCRIPT = [
  'set -e',
  'bash --version | head -1',
  'git --version',
  'curl --version | head -1',
  'jq --version',
  'unzip -v | head -1',
  'zip -v | sed -n 2p',
  'xz --version | head -1',
  'python3 -c "import boto3; print(\'boto3\', boto3.__version__)"',
  'aws --version',
  'node --version',
  'docker --version',
  'docker buildx version',
  'sudo -n true',
  'ps --version',
].join('\n');

/** Where chroot'ed commands look for programs. */
const CHROOT_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

function runnerSpec(host: RunnerHost, recipe: RunnerRecipe): OfflineImageSpec {
  const hash = recipeHash(recipe);
  return {
    name: 'runner',
    ref: runnerImageRef(hash),
    aliases: [RUNNER_IMAGE_ALIAS],
    recipeLabel: RUNNER_RECIPE_LABEL,
    recipeHash: hash,
    changes: RUNNER_IMAGE_CHANGES,
    verify: ['bash', '-c', VERIFY_SCRIPT],
    verifying: 'bash, git, curl, jq, zip, xz, python3 with boto3, aws, node, docker, docker buildx, sudo, ps',
    assemble: (root, report, signal) => assembleRunnerRoot(root, host, report, signal),
  };
}

async function assembleRunnerRoot(
  root: string,
  host: RunnerHost,
  report: Report,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'building the runner image needs root (debootstrap and chroot): run `sudo dockyard runner-image build` once; the image is cached afterwards',
    );
  }
  const program = await ensureDebootstrap(() => report('preparing', "installing debootstrap from Debian's archive"));
  report(
    'debootstrap',
    `debootstrap: Debian bookworm with ${RUNNER_PACKAGES.length} packages and their dependencies (a minute or two)`,
  );
  await runDebootstrap({
    program,
    target: root,
    include: RUNNER_PACKAGES,
    signal,
    onProgress: ({ phase, done, total }) =>
      report('debootstrap', `debootstrap: ${phase}${done > 0 ? ` (${done}${total ? `/${total}` : ''})` : ''}`),
  });
  report(
    'assembling',
    `adding the host's Node.js ${host.node.version}${host.node.npm ? `, npm ${host.node.npm.version}` : ''} and docker client (${host.docker.version}) with the buildx plugin, the ${RUNNER_USER.name} user`,
  );
  addHostNode(root, host.node);
  addHostProgram(root, host.docker.path, '/usr/bin/docker');
  writeFileInRoot(root, BUILDX_BUNDLE_PATH, readFileSync(host.buildx.path, 'utf8'), 0o644);
  writeFileInRoot(root, BUILDX_PLUGIN_PATH, buildxPluginScript(host.buildx.path), 0o755);
  const chroot = (...args: string[]) =>
    execFileSync('chroot', [root, ...args], { env: CHROOT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  chroot(
    'useradd',
    '--create-home',
    '--home-dir',
    RUNNER_USER.home,
    '--uid',
    String(RUNNER_USER.uid),
    '--user-group',
    '--shell',
    '/bin/bash',
    RUNNER_USER.name,
  );
  writeFileInRoot(root, `/etc/sudoers.d/${RUNNER_USER.name}`, `${RUNNER_USER.name} ALL=(ALL) NOPASSWD:ALL\n`, 0o440);
  mkdirInRoot(root, `${RUNNER_USER.home}/work`);
  chroot('chown', `${RUNNER_USER.name}:${RUNNER_USER.name}`, `${RUNNER_USER.home}/work`);
  trimRootfs(root);
}

/** Options of {@link ensureRunnerImage}. */
export interface RunnerImageOptions extends EnsureOptions {
  /** The host programs to copy; probed when absent. */
  host?: RunnerHost;
}

/**
 * Makes sure the engine has the runner image of the current recipe, building it if not (a
 * minute or two, once; progress through `onProgress`), and points the stable alias at it.
 * Resolves to the image's name, `localhost/dockyard/runner:<recipe hash>`.
 */
export async function ensureRunnerImage(engine: ImageEngine, options: RunnerImageOptions = {}): Promise<string> {
  return (await ensureRunnerImageDetails(engine, options)).ref;
}

/** {@link ensureRunnerImage}, saying also whether it built and the image's size. */
export async function ensureRunnerImageDetails(
  engine: ImageEngine,
  options: RunnerImageOptions = {},
): Promise<EnsuredImage> {
  const host = options.host ?? probeRunnerHost();
  return ensureOfflineImage(engine, runnerSpec(host, runnerRecipe(host)), options);
}

/** What `dockyard runner-image status` shows. */
export interface RunnerImageStatus {
  ref: string;
  alias: string;
  hash: string;
  recipe: RunnerRecipe;
  /** The current recipe's image, when built. */
  image?: ImageDetails;
  /** Whether the alias names the current recipe's image. */
  aliasCurrent: boolean;
  /** Images of earlier recipes still in the engine. */
  stale: ImageDetails[];
}

/** The current recipe and what the engine holds of it and of earlier ones. */
export async function runnerImageStatus(
  engine: ImageEngine,
  host: RunnerHost = probeRunnerHost(),
  signal?: AbortSignal,
): Promise<RunnerImageStatus> {
  const recipe = runnerRecipe(host);
  const hash = recipeHash(recipe);
  const ref = runnerImageRef(hash);
  const image = await findImage(engine, ref, signal);
  const alias = await findImage(engine, RUNNER_IMAGE_ALIAS, signal);
  const all = await engine.listImages({ labels: { [RUNNER_RECIPE_LABEL]: true } }, signal);
  const stale = all.filter(
    (i) => i.labels[RUNNER_RECIPE_LABEL] !== hash && i.tags.some((t) => t.startsWith(`${RUNNER_IMAGE_REPOSITORY}:`)),
  );
  const status: RunnerImageStatus = {
    ref,
    alias: RUNNER_IMAGE_ALIAS,
    hash,
    recipe,
    aliasCurrent: image !== undefined && alias?.id === image.id,
    stale,
  };
  if (image) status.image = image;
  return status;
}

/**
 * The plugin as the docker CLI runs it: its metadata answered by the shell (the CLI asks for it
 * twice before each `docker build`, and a Node start is ~50 ms, several times that on a loaded
 * box), anything else handed to the bundle. The metadata is the bundle's own answer, asked here.
 */
function buildxPluginScript(bundle: string): string {
  const metadata = JSON.stringify(
    JSON.parse(execFileSync(process.execPath, [bundle, 'docker-cli-plugin-metadata'], { encoding: 'utf8' })),
  );
  return [
    '#!/bin/sh',
    "# dockyard's buildx CLI plugin (generated by src/images/runner-image.ts).",
    'if [ "$1" = docker-cli-plugin-metadata ]; then',
    `  printf '%s\\n' '${metadata.replaceAll("'", "'\\''")}'`,
    '  exit 0',
    'fi',
    `exec node ${BUILDX_BUNDLE_PATH} "$@"`,
    '',
  ].join('\n');
}
