/**
 * The default runner image's recipe: what it holds, and the hash that names it. The hash covers
 * everything that changes the image's content (the package list, the build steps' version, the
 * image settings, the host's Node.js, npm and docker client it copies), so a change to any of
 * them names a new image and the next ensure builds it. Pure, apart from {@link probeRunnerHost}.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_SUITE } from './debootstrap.js';
import { findOnPath, probeHostNode, type HostNode } from './host-programs.js';

/**
 * The build steps' version: raise it whenever runner-image.ts assembles the root differently
 * in a way the recipe's data below does not show (a new file, another trim).
 */
export const RUNNER_BUILD_VERSION = 2;

/** The image's repository; each recipe is a tag of it. */
export const RUNNER_IMAGE_REPOSITORY = 'localhost/dockyard/runner';
/** The stable name: the most recently ensured recipe's image. */
export const RUNNER_IMAGE_ALIAS = `${RUNNER_IMAGE_REPOSITORY}:latest`;
/** The label holding the recipe's hash. */
export const RUNNER_RECIPE_LABEL = 'dockyard.runner-image.recipe';

/**
 * Debian packages, beyond debootstrap's minimal base: what the seed's and typical deploy
 * workflows call in `run:` steps (bash, git, curl, jq, zip, tar, xz, python3 with boto3, the AWS
 * CLI v2 as Debian packages it, sudo, ps). python3-cffi-backend is named because debootstrap does
 * not resolve the virtual package python3-cryptography (needed by awscli) depends on.
 */
export const RUNNER_PACKAGES = [
  'awscli',
  'bash',
  'bzip2',
  'ca-certificates',
  'curl',
  'git',
  'gzip',
  'jq',
  'procps',
  'python3',
  'python3-boto3',
  'python3-cffi-backend',
  'sudo',
  'tar',
  'unzip',
  'wget',
  'xz-utils',
  'zip',
] as const;

/** The user GitHub's hosted images have (uid 1001, passwordless sudo); jobs run as root all the same. */
export const RUNNER_USER = { name: 'runner', uid: 1001, home: '/home/runner' } as const;

/** The image's settings, as `docker import --change` lines. */
export const RUNNER_IMAGE_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV LANG=C.UTF-8',
  'CMD ["bash"]',
] as const;

/** dockyard's buildx CLI plugin, one file built by `tsc -p tsconfig.buildx.json`. */
export const BUILDX_PLUGIN_BUNDLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../buildx/docker-buildx.cjs');
/** Where the image's docker client finds it: a shell script (see runner-image.ts) … */
export const BUILDX_PLUGIN_PATH = '/usr/libexec/docker/cli-plugins/docker-buildx';
/** … that runs the bundle, kept outside the plugin directory (the CLI takes every file there for a plugin). */
export const BUILDX_BUNDLE_PATH = '/usr/local/lib/dockyard/docker-buildx.cjs';

/** The host programs the image copies. */
export interface RunnerHost {
  node: HostNode;
  docker: { path: string; version: string };
  /** The buildx plugin bundle and the SHA-256 of its content. */
  buildx: { path: string; sha256: string };
}

/** Everything the image's content depends on. */
export interface RunnerRecipe {
  build: number;
  suite: string;
  packages: string[];
  user: string;
  changes: string[];
  arch: string;
  node: string;
  npm: string | null;
  docker: string;
  buildx: string;
}

/** Finds the host's Node.js (this process's), docker client and the buildx plugin bundle, with their versions. */
export function probeRunnerHost(): RunnerHost {
  const found = findOnPath('docker');
  if (!found)
    throw new Error(
      "the docker client is not on PATH: the runner image carries the host's own (scripts/setup installs it)",
    );
  let version: string;
  try {
    version = execFileSync(found, ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    throw new Error(`${found} --version failed: ${String(error)}`);
  }
  if (!existsSync(BUILDX_PLUGIN_BUNDLE))
    throw new Error(`${BUILDX_PLUGIN_BUNDLE} is missing: run npx tsc -p tsconfig.buildx.json (scripts/setup does)`);
  const buildx = {
    path: BUILDX_PLUGIN_BUNDLE,
    sha256: createHash('sha256').update(readFileSync(BUILDX_PLUGIN_BUNDLE)).digest('hex'),
  };
  return { node: probeHostNode(), docker: { path: realpathSync(found), version }, buildx };
}

/** The recipe for this host. */
export function runnerRecipe(host: RunnerHost): RunnerRecipe {
  return {
    build: RUNNER_BUILD_VERSION,
    suite: DEBIAN_SUITE,
    packages: [...RUNNER_PACKAGES].sort(),
    user: `${RUNNER_USER.name}:${RUNNER_USER.uid}:${RUNNER_USER.home}`,
    changes: [...RUNNER_IMAGE_CHANGES],
    arch: process.arch,
    node: host.node.version,
    npm: host.node.npm?.version ?? null,
    docker: host.docker.version,
    buildx: host.buildx.sha256,
  };
}

/** The recipe's hash: 12 hex digits of the SHA-256 of its canonical JSON (keys sorted, packages sorted). */
export function recipeHash(recipe: RunnerRecipe): string {
  const canonical = JSON.stringify({ ...recipe, packages: [...recipe.packages].sort() }, Object.keys(recipe).sort());
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** The image's name for a recipe. */
export function runnerImageRef(hash: string): string {
  return `${RUNNER_IMAGE_REPOSITORY}:${hash}`;
}
