/**
 * dockyard's `docker-buildx`: a Docker CLI plugin (it answers `docker-cli-plugin-metadata`)
 * that gives `docker buildx` (and `docker build`, which the CLI forwards to it) buildx's
 * commands on an engine without BuildKit: builds go through the Docker API's build endpoint
 * (Podman's classic builder, or a job's guarded Docker API), multi-platform builds one platform
 * at a time with QEMU emulation where the engine's host has it, registries are spoken to
 * directly for imagetools and image indexes. It talks to DOCKER_HOST (or `-H`) as the CLI does.
 *
 * Fidelity — By design: every builder builds with the engine's classic builder, whatever its
 * driver; the driver only decides buildx's rules (the docker driver loads by default and refuses
 * multi-platform builds, cache export and attestations with buildx's messages). Gaps: bake,
 * history, debug, dial-stdio, build secrets and SSH, extra build contexts, cache import/export
 * (accepted with a notice), attestations, the OCI exporter. Client quirks: the CLI passes its
 * own global options before `buildx`; they are read and only -H/--host and --config matter.
 */
import { EngineHttpClient } from '../engine/http-client.js';
import { parseEndpoint } from '../engine/endpoint.js';
import { create, inspect, ls, rm, use, version, BUILDX_VERSION, type CommandContext } from './builder-commands.js';
import { selectBuilder } from './builders.js';
import { AttestationError, parseBuildArgs } from './build-options.js';
import { attestationMessage, runBuild } from './build.js';
import { clientSettings } from './docker-config.js';
import { parseFlags, UsageError } from './flags.js';
import { imagetoolsCreate, imagetoolsInspect } from './imagetools.js';

/** The plugin metadata the docker CLI asks for before running a plugin. */
export const PLUGIN_METADATA = {
  SchemaVersion: '0.1.0',
  Vendor: 'dockyard',
  Version: BUILDX_VERSION,
  ShortDescription: 'Docker Buildx',
  URL: 'https://github.com/docker/buildx',
};

/** The docker CLI's global options, as they may precede `buildx`. */
const GLOBAL_FLAGS = [
  { name: 'config', kind: 'string' as const },
  { name: 'context', short: 'c', kind: 'string' as const },
  { name: 'debug', short: 'D', kind: 'bool' as const },
  { name: 'host', short: 'H', kind: 'array' as const },
  { name: 'log-level', short: 'l', kind: 'string' as const },
  { name: 'tls', kind: 'bool' as const },
  { name: 'tlscacert', kind: 'string' as const },
  { name: 'tlscert', kind: 'string' as const },
  { name: 'tlskey', kind: 'string' as const },
  { name: 'tlsverify', kind: 'bool' as const },
];

const UNSUPPORTED = new Set(['bake', 'history', 'debug', 'dial-stdio', 'install', 'uninstall', 'policy']);

/** Runs the plugin with `argv` (without node and the script); resolves with the exit code. */
export async function runPlugin(
  argv: string[],
  io: {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    stdin: NodeJS.ReadableStream;
    env: NodeJS.ProcessEnv;
  },
): Promise<number> {
  const out = (text: string) => void io.stdout.write(text);
  const err = (line: string) => void io.stderr.write(`${line}\n`);
  try {
    if (argv[0] === 'docker-cli-plugin-metadata') {
      out(JSON.stringify(PLUGIN_METADATA, null, '     ') + '\n');
      return 0;
    }
    const global = parseFlags(argv, GLOBAL_FLAGS, { interspersed: false });
    const rest = global.positional;
    if (rest[0] === 'buildx') rest.shift();
    else if (rest[0] === 'builder') rest.shift();
    const local = parseFlags(
      rest,
      [
        { name: 'builder', kind: 'string' },
        { name: 'debug', short: 'D', kind: 'bool' },
      ],
      { interspersed: false },
    );
    const [command = '', ...args] = local.positional;
    if (global.strings.has('context') && global.strings.get('context') !== 'default')
      throw new UsageError(
        "docker contexts other than default are not supported by dockyard's buildx: set DOCKER_HOST",
      );
    const hosts = global.arrays.get('host');
    const settings = clientSettings(
      {
        ...(global.strings.has('config') ? { config: global.strings.get('config') } : {}),
        ...(hosts?.[0] ? { host: hosts[0] } : {}),
      },
      io.env,
    );
    let client: EngineHttpClient | undefined;
    const engine = () => (client ??= new EngineHttpClient(parseEndpoint(settings.host)));
    const builderFlag = local.strings.get('builder');
    const ctx: CommandContext = {
      configDir: settings.configDir,
      host: settings.host,
      engine,
      out,
      env: io.env,
      ...(builderFlag ? { builderFlag } : {}),
    };
    try {
      switch (command) {
        case 'version':
          version(ctx);
          return 0;
        case 'ls':
          ls(ctx);
          return 0;
        case 'inspect':
          await inspect(ctx, args);
          return 0;
        case 'create':
          await create(ctx, args);
          return 0;
        case 'use':
          use(ctx, args);
          return 0;
        case 'rm':
          rm(ctx, args);
          return 0;
        case 'stop':
          return 0;
        case 'prune':
        case 'du':
          // The engine's build cache is its image store; nothing separate to count or prune.
          out(command === 'prune' ? 'Total:\t0B\n' : 'Reclaimable:\t0B\nTotal:\t\t0B\n');
          return 0;
        case 'imagetools': {
          const [sub = '', ...subArgs] = args;
          if (sub === 'inspect') await imagetoolsInspect(settings.configDir, subArgs, out);
          else if (sub === 'create') await imagetoolsCreate(settings.configDir, subArgs, out);
          else
            throw new UsageError(`unknown imagetools command ${JSON.stringify(sub)}: inspect and create are available`);
          return 0;
        }
        case 'build':
        case 'b': {
          const request = parseBuildArgs(args, io.env);
          const builder = selectBuilder(settings.configDir, request.builder ?? builderFlag, io.env);
          const cacheExport = args.some((a) => a === '--cache-to' || a.startsWith('--cache-to='));
          await runBuild(request, cacheExport, {
            engine: engine(),
            configDir: settings.configDir,
            builder,
            stdin: io.stdin,
            stdout: io.stdout,
            progress: request.quiet ? () => undefined : err,
            warn: err,
            env: io.env,
          });
          return 0;
        }
        case '':
          throw new UsageError('Usage:  docker buildx [OPTIONS] COMMAND');
        default:
          if (UNSUPPORTED.has(command))
            throw new UsageError(
              `"docker buildx ${command}" is not supported by dockyard's buildx (it builds with the engine's classic builder, without BuildKit)`,
            );
          throw new UsageError(`unknown command "${command}" for "docker buildx"`);
      }
    } catch (error) {
      if (error instanceof AttestationError) {
        const builder = selectBuilder(settings.configDir, builderFlag, io.env);
        throw attestationMessage(error, builder.driver);
      }
      throw error;
    } finally {
      client?.close();
    }
  } catch (error) {
    err(`ERROR: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
