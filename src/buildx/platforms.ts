/**
 * Platforms as buildx spells them (`os/arch[/variant]`, normalised as containerd's platforms
 * package does: `aarch64` → `arm64`, `arm64/v8` → `arm64`, `armhf` → `arm/v7`, `x86_64` →
 * `amd64`), the engine's own platform, and which platforms the engine's host can run (native
 * ones, and emulated ones found by running a probe program in a build for that platform).
 */
import type { EngineHttpClient } from '../engine/http-client.js';
import { jsonLines } from '../engine/streams.js';
import { exitZeroProgram } from './probe-binaries.js';
import { tarOf } from './tar-format.js';

/** A normalised platform. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, [string, string?]> = {
  aarch64: ['arm64'],
  x86_64: ['amd64'],
  'x86-64': ['amd64'],
  i386: ['386'],
  i686: ['386'],
  armhf: ['arm', 'v7'],
  armel: ['arm', 'v6'],
};

/** Parses `os/arch[/variant]` (or `arch`, meaning linux), normalised. */
export function parsePlatform(spec: string): Platform {
  const parts = spec.trim().toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => p === '' || !/^[a-z0-9._-]+$/.test(p)))
    throw new Error(`"${spec}": unknown operating system or architecture: invalid argument`);
  const [os = 'linux', rawArch = ''] = parts.length === 1 ? ['linux', parts[0]] : parts;
  let arch = rawArch;
  let variant: string | undefined = parts.length === 3 ? parts[2] : undefined;
  const alias = ARCH_ALIASES[arch];
  if (alias) {
    arch = alias[0];
    variant = variant ?? alias[1];
  }
  if (arch === 'arm64' && variant === 'v8') variant = undefined;
  if (arch === 'arm' && variant === undefined) variant = 'v7';
  if (arch === 'amd64' && variant === 'v1') variant = undefined;
  if (os !== 'linux' && os !== 'windows' && os !== 'darwin' && os !== 'freebsd')
    throw new Error(`"${spec}": unknown operating system or architecture: invalid argument`);
  return { os, architecture: arch, ...(variant === undefined ? {} : { variant }) };
}

/** `os/arch[/variant]`. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** The platforms a `--platform` value list names (comma-separated, repeated flags), deduplicated. */
export function parsePlatformList(values: string[]): Platform[] {
  const out: Platform[] = [];
  for (const value of values) {
    for (const item of value.split(',')) {
      if (item.trim() === '') continue;
      const p = parsePlatform(item);
      if (!out.some((o) => formatPlatform(o) === formatPlatform(p))) out.push(p);
    }
  }
  return out;
}

/** The engine's own platform, from its /info (Podman and Docker report Go's arch names). */
export async function enginePlatform(engine: EngineHttpClient): Promise<Platform> {
  const info = await engine.json<{ OSType?: string; Architecture?: string }>({
    operation: 'info',
    method: 'GET',
    path: '/info',
  });
  return parsePlatform(`${info?.OSType ?? 'linux'}/${info?.Architecture ?? 'amd64'}`);
}

/** Platforms the host runs natively besides its own (BuildKit lists these for x86-64 and arm64 hosts). */
export function nativePlatforms(native: Platform): Platform[] {
  if (native.architecture === 'amd64') return [native, { os: 'linux', architecture: '386' }];
  if (native.architecture === 'arm64')
    return [
      native,
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ];
  return [native];
}

/** True when `p` is one the host runs without emulation. */
export function isNative(p: Platform, native: Platform): boolean {
  return nativePlatforms(native).some((n) => n.os === p.os && n.architecture === p.architecture);
}

/**
 * Whether the engine can run programs of `p`: native platforms can; for others a tiny build
 * (`FROM scratch`, COPY a probe, RUN it) for that platform is tried. Undefined when no probe
 * exists for the architecture (the build itself will tell).
 */
export async function canRun(engine: EngineHttpClient, p: Platform, native: Platform): Promise<boolean | undefined> {
  if (isNative(p, native)) return true;
  const program = exitZeroProgram(p.architecture);
  if (!program) return undefined;
  const context = tarOf([
    { name: 'Dockerfile', content: Buffer.from('FROM scratch\nCOPY probe /probe\nRUN ["/probe"]\n') },
    { name: 'probe', content: program, mode: 0o755 },
  ]);
  const res = await engine.stream({
    operation: 'build',
    method: 'POST',
    path: '/build',
    query: { rm: '1', forcerm: '1', platform: formatPlatform(p) },
    body: context,
    contentType: 'application/x-tar',
  });
  let id: string | undefined;
  let failed = false;
  for await (const raw of jsonLines(res)) {
    const message = raw as { error?: string; aux?: { ID?: string } };
    if (message.error) failed = true;
    if (message.aux?.ID) id = message.aux.ID;
  }
  if (id)
    await engine
      .text({ operation: 'remove probe image', method: 'DELETE', path: `/images/${id}`, query: { force: '1' } })
      .catch(() => undefined);
  return !failed && id !== undefined;
}
