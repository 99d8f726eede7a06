/**
 * Builder instances, kept where buildx keeps them (`<config>/buildx/instances/<name>`, the
 * current one in `<config>/buildx/current`). Every builder builds through the same engine with
 * its classic builder; a builder's driver decides what buildx decides with it: the `docker`
 * driver (the `default` builder, named after the docker context) loads results into the engine
 * by default and refuses what buildx's docker driver refuses, other drivers keep results out of
 * the engine unless `--load`. Platforms found by `--bootstrap` are remembered per builder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The drivers buildx knows. */
export const DRIVERS = ['docker', 'docker-container', 'kubernetes', 'remote', 'cloud'] as const;

/** A stored builder. */
export interface BuilderInstance {
  name: string;
  driver: string;
  endpoint: string;
  driverOpts: Record<string, string>;
  flags: string[];
  /** Platforms given with --platform at create time (preferred, listed first). */
  platforms: string[];
  /** Platforms the engine was found to run at the last bootstrap. */
  detected?: string[];
  lastActivity?: string;
}

/** The name of the builder of the current docker context. */
export const DEFAULT_BUILDER = 'default';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function instancesDir(configDir: string): string {
  return join(configDir, 'buildx', 'instances');
}

/** The default builder: the docker context's engine, docker driver. */
export function defaultBuilder(configDir: string): BuilderInstance {
  const stored = readInstance(configDir, DEFAULT_BUILDER);
  return {
    name: DEFAULT_BUILDER,
    driver: 'docker',
    endpoint: DEFAULT_BUILDER,
    driverOpts: {},
    flags: [],
    platforms: [],
    ...(stored?.detected ? { detected: stored.detected } : {}),
    lastActivity: stored?.lastActivity ?? '',
  };
}

function readInstance(configDir: string, name: string): BuilderInstance | undefined {
  const file = join(instancesDir(configDir), name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuilderInstance;
  } catch {
    return undefined;
  }
}

/** Validates a builder name as buildx does. */
export function checkName(name: string): void {
  if (!NAME.test(name) || name.length > 128)
    throw new Error(
      `invalid name ${JSON.stringify(name)}, name needs to start with a letter and may not contain symbols, except ._-`,
    );
}

/** The builder named `name` (`default` is always there); undefined when there is none. */
export function findBuilder(configDir: string, name: string): BuilderInstance | undefined {
  if (name === DEFAULT_BUILDER) return defaultBuilder(configDir);
  return readInstance(configDir, name);
}

/** Every builder, the default first. */
export function listBuilders(configDir: string): BuilderInstance[] {
  const dir = instancesDir(configDir);
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n !== DEFAULT_BUILDER)
        .sort()
    : [];
  return [
    defaultBuilder(configDir),
    ...names.map((n) => readInstance(configDir, n)).filter((b): b is BuilderInstance => b !== undefined),
  ];
}

/** Saves a builder. */
export function saveBuilder(configDir: string, builder: BuilderInstance): void {
  const dir = instancesDir(configDir);
  mkdirSync(dir, { recursive: true });
  const { name, driver, endpoint, driverOpts, flags, platforms, detected, lastActivity } = builder;
  writeFileSync(
    join(dir, builder.name),
    JSON.stringify({ name, driver, endpoint, driverOpts, flags, platforms, detected, lastActivity }, null, 2),
  );
}

/** Removes a builder (and makes the default current if it was). */
export function removeBuilder(configDir: string, name: string): void {
  rmSync(join(instancesDir(configDir), name), { force: true });
  if (currentBuilderName(configDir) === name) rmSync(join(configDir, 'buildx', 'current'), { force: true });
}

/** The builder `use` selected, if any. */
export function currentBuilderName(configDir: string): string | undefined {
  const file = join(configDir, 'buildx', 'current');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Name?: string };
    return parsed.Name || undefined;
  } catch {
    return undefined;
  }
}

/** Makes `name` the current builder. */
export function useBuilder(configDir: string, name: string, global: boolean): void {
  mkdirSync(join(configDir, 'buildx'), { recursive: true });
  writeFileSync(
    join(configDir, 'buildx', 'current'),
    JSON.stringify({ Key: 'default', Name: name === DEFAULT_BUILDER ? '' : name, Global: global }),
  );
}

/** The builder a command uses: `--builder`, BUILDX_BUILDER, the current one, else the default. */
export function selectBuilder(
  configDir: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BuilderInstance {
  const name = flag || env.BUILDX_BUILDER || currentBuilderName(configDir) || DEFAULT_BUILDER;
  const found = findBuilder(configDir, name);
  if (!found) throw new Error(`no builder ${JSON.stringify(name)} found`);
  return found;
}
