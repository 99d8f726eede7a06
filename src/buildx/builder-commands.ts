/**
 * `docker buildx version | ls | inspect | create | use | rm | stop | prune | du`: builder
 * instances over the one engine. A builder's platforms are the engine's native ones plus those
 * its host emulates, found at `inspect --bootstrap` (or `create --bootstrap`) by running a probe
 * in a build per architecture, and remembered.
 */
import { randomBytes } from 'node:crypto';
import type { EngineHttpClient } from '../engine/http-client.js';
import {
  checkName,
  currentBuilderName,
  DEFAULT_BUILDER,
  DRIVERS,
  findBuilder,
  listBuilders,
  removeBuilder,
  saveBuilder,
  selectBuilder,
  useBuilder,
  type BuilderInstance,
} from './builders.js';
import { arrayFlag, boolFlag, parseFlags, stringFlag, UsageError } from './flags.js';
import { canRun, enginePlatform, formatPlatform, nativePlatforms, parsePlatformList } from './platforms.js';
import { probeArchitectures } from './probe-binaries.js';

/** The version this plugin answers as: buildx's command set it follows, marked as dockyard's. */
export const BUILDX_VERSION = 'v0.24.0+dockyard';

/** What the builder commands work with. */
export interface CommandContext {
  configDir: string;
  host: string;
  engine: () => EngineHttpClient;
  out: (text: string) => void;
  builderFlag?: string;
  env: NodeJS.ProcessEnv;
}

/** The builder's platforms, native first, emulated after, as a comma list. */
export async function detectPlatforms(engine: EngineHttpClient): Promise<string[]> {
  const native = await enginePlatform(engine);
  const found = nativePlatforms(native).map(formatPlatform);
  for (const arch of probeArchitectures()) {
    const platform = { os: 'linux', architecture: arch, ...(arch === 'arm' ? { variant: 'v7' } : {}) };
    if (found.includes(formatPlatform(platform))) continue;
    if (await canRun(engine, platform, native)) {
      found.push(formatPlatform(platform));
      if (arch === 'arm') found.push('linux/arm/v6');
    }
  }
  return found;
}

async function bootstrap(ctx: CommandContext, builder: BuilderInstance): Promise<BuilderInstance> {
  const detected = await detectPlatforms(ctx.engine());
  const updated = { ...builder, detected, lastActivity: new Date().toISOString() };
  saveBuilder(ctx.configDir, updated);
  return updated;
}

function platformsOf(builder: BuilderInstance): string[] {
  const list = [...builder.platforms];
  for (const p of builder.detected ?? []) if (!list.includes(p)) list.push(p);
  return list;
}

function nodeName(builder: BuilderInstance): string {
  return builder.name === DEFAULT_BUILDER ? DEFAULT_BUILDER : `${builder.name}0`;
}

function endpointOf(ctx: CommandContext, builder: BuilderInstance): string {
  return builder.driver === 'docker' ? DEFAULT_BUILDER : builder.endpoint || ctx.host;
}

/** `buildx version`. */
export function version(ctx: CommandContext): void {
  ctx.out(`github.com/docker/buildx ${BUILDX_VERSION} dockyard\n`);
}

/** `buildx ls`. */
export function ls(ctx: CommandContext): void {
  const current = ctx.builderFlag || ctx.env.BUILDX_BUILDER || currentBuilderName(ctx.configDir) || DEFAULT_BUILDER;
  const rows: string[][] = [['NAME/NODE', 'DRIVER/ENDPOINT', 'STATUS', 'BUILDKIT', 'PLATFORMS']];
  for (const b of listBuilders(ctx.configDir)) {
    rows.push([`${b.name}${b.name === current ? '*' : ''}`, b.driver, '', '', '']);
    rows.push([` \\_ ${nodeName(b)}`, ` \\_ ${endpointOf(ctx, b)}`, 'running', 'dockyard', platformsOf(b).join(', ')]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  ctx.out(
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n',
  );
}

/** `buildx inspect [NAME] [--bootstrap]`. */
export async function inspect(ctx: CommandContext, args: string[]): Promise<void> {
  const flags = parseFlags(args, [
    { name: 'bootstrap', kind: 'bool' },
    { name: 'debug', short: 'D', kind: 'bool' },
    { name: 'builder', kind: 'string' },
  ]);
  const name = flags.positional[0];
  let builder = name
    ? findBuilder(ctx.configDir, name)
    : selectBuilder(ctx.configDir, stringFlag(flags, 'builder') || ctx.builderFlag, ctx.env);
  if (!builder) throw new Error(`no builder ${JSON.stringify(name)} found`);
  if (boolFlag(flags, 'bootstrap') || builder.detected === undefined) builder = await bootstrap(ctx, builder);
  const lines = [
    `Name:          ${builder.name}`,
    `Driver:        ${builder.driver}`,
    ...(builder.lastActivity ? [`Last Activity: ${builder.lastActivity}`] : []),
    '',
    'Nodes:',
    `Name:                  ${nodeName(builder)}`,
    `Endpoint:              ${endpointOf(ctx, builder)}`,
    ...(Object.keys(builder.driverOpts).length > 0
      ? [
          `Driver Options:        ${Object.entries(builder.driverOpts)
            .map(([k, v]) => `${k}="${v}"`)
            .join(' ')}`,
        ]
      : []),
    'Status:                running',
    ...(builder.flags.length > 0 ? [`BuildKit daemon flags: ${builder.flags.join(' ')}`] : []),
    "BuildKit version:      dockyard (the engine's classic builder)",
    `Platforms:             ${platformsOf(builder).join(', ')}`,
  ];
  ctx.out(lines.join('\n') + '\n');
}

/** `buildx create`. */
export async function create(ctx: CommandContext, args: string[]): Promise<void> {
  const flags = parseFlags(args, [
    { name: 'name', kind: 'string' },
    { name: 'driver', kind: 'string' },
    { name: 'driver-opt', kind: 'slice' },
    { name: 'buildkitd-flags', kind: 'string' },
    { name: 'buildkitd-config', kind: 'string' },
    { name: 'config', kind: 'string' },
    { name: 'platform', kind: 'array' },
    { name: 'use', kind: 'bool' },
    { name: 'append', kind: 'bool' },
    { name: 'leave', kind: 'bool' },
    { name: 'node', kind: 'string' },
    { name: 'bootstrap', kind: 'bool' },
    { name: 'timeout', kind: 'string' },
  ]);
  const driver = stringFlag(flags, 'driver', 'docker-container');
  if (!(DRIVERS as readonly string[]).includes(driver)) throw new UsageError(`failed to find driver "${driver}"`);
  if (driver === 'docker')
    throw new UsageError('docker driver cannot be used to create a builder: the default builder uses it');
  const name = stringFlag(flags, 'name') || `builder_${randomBytes(4).toString('hex')}`;
  checkName(name);
  if (name === DEFAULT_BUILDER)
    throw new UsageError('default is a reserved name and cannot be used to identify builder instance');
  const existing = findBuilder(ctx.configDir, name);
  if (existing && !boolFlag(flags, 'append') && !boolFlag(flags, 'leave'))
    throw new Error(
      `existing instance for "${name}" but no append mode, specify the node name to make changes for existing instances`,
    );
  if (boolFlag(flags, 'leave')) {
    removeBuilder(ctx.configDir, name);
    return;
  }
  const driverOpts: Record<string, string> = {};
  for (const opt of arrayFlag(flags, 'driver-opt')) {
    const eq = opt.indexOf('=');
    if (eq < 0) throw new UsageError(`invalid value ${opt}, expecting k=v`);
    driverOpts[opt.slice(0, eq)] = opt.slice(eq + 1);
  }
  let builder: BuilderInstance = {
    name,
    driver,
    endpoint: flags.positional[0] ?? ctx.host,
    driverOpts,
    flags: stringFlag(flags, 'buildkitd-flags').split(/\s+/).filter(Boolean),
    platforms: parsePlatformList(arrayFlag(flags, 'platform')).map(formatPlatform),
    lastActivity: new Date().toISOString(),
  };
  saveBuilder(ctx.configDir, builder);
  if (boolFlag(flags, 'use')) useBuilder(ctx.configDir, name, false);
  if (boolFlag(flags, 'bootstrap')) builder = await bootstrap(ctx, builder);
  ctx.out(`${builder.name}\n`);
}

/** `buildx use [--default] [--global] NAME`. */
export function use(ctx: CommandContext, args: string[]): void {
  const flags = parseFlags(args, [
    { name: 'default', kind: 'bool' },
    { name: 'global', kind: 'bool' },
  ]);
  const name = flags.positional[0];
  if (!name) throw new UsageError('"docker buildx use" requires exactly 1 argument.');
  if (!findBuilder(ctx.configDir, name))
    throw new Error(`run \`docker context use ${name}\` to switch to context ${name}`);
  useBuilder(ctx.configDir, boolFlag(flags, 'default') ? DEFAULT_BUILDER : name, boolFlag(flags, 'global'));
}

/** `buildx rm [NAME...]`. */
export function rm(ctx: CommandContext, args: string[]): void {
  const flags = parseFlags(args, [
    { name: 'keep-state', kind: 'bool' },
    { name: 'keep-daemon', kind: 'bool' },
    { name: 'all-inactive', kind: 'bool' },
    { name: 'force', short: 'f', kind: 'bool' },
    { name: 'timeout', kind: 'string' },
  ]);
  const names =
    flags.positional.length > 0 ? flags.positional : [selectBuilder(ctx.configDir, ctx.builderFlag, ctx.env).name];
  for (const name of names) {
    if (name === DEFAULT_BUILDER) throw new Error('default is a default builder and cannot be removed');
    if (!findBuilder(ctx.configDir, name)) throw new Error(`no builder ${JSON.stringify(name)} found`);
    removeBuilder(ctx.configDir, name);
    ctx.out(`${name} removed\n`);
  }
}
