/**
 * `dockyard up`: start the local cloud in the foreground, or with --detach in the background
 * (returning once it answers, leaving a pid file in the data directory).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { DEFAULTS, dataFiles, resolveDataDir } from '../cloud/config.js';
import { isAwsRegion } from '../core/regions.js';
import { streamLogger } from '../core/logger.js';
import { ActionServerSettingError, parseActionsUrlFlag } from '../runner/actions/action-server.js';
import { parseRunnerImageMapping, RunnerImageMappingError } from '../runner/runner-images.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import { CliError, UsageError, parseFlags, parsePort, stringFlag, type Command, type Flags } from './command.js';
import { runningCloud, waitUntil, type RunningCloud } from './running.js';
import { consoleUrl } from './console.js';

const USAGE = `Usage: dockyard up [--port N] [--host ADDR] [--data DIR] [--account-id ID] [--region R]
                   [--runner-image LABEL=IMAGE]... [--actions-url URL|off] [--detach]

Starts the local cloud on one port: IAM, STS, ECR (and its registry at /v2), ECS with tasks as\ncontainers, EC2, CloudWatch Logs, the CI OIDC issuer, git hosting and the workflow runner.
  --port N          port to listen on (default ${DEFAULTS.port})
  --host ADDR       address to listen on (default ${DEFAULTS.host}, loopback only)
  --data DIR        the cloud's data directory (default $DOCKYARD_DATA or ~/.dockyard)
  --account-id ID   12-digit account id (default ${DEFAULTS.accountId}); kept in the data directory,
                    it may change at a later start only while no resource carries it in its ARN
  --region R        the default region, where clients are pointed (default ${DEFAULTS.region}); every
                    region of AWS's commercial partition is served, each with its own state
  --runner-image LABEL=IMAGE
                    run jobs whose runs-on is LABEL in IMAGE, for this start (repeatable; as
                    nektos/act's -P). ubuntu-latest, ubuntu-24.04 and ubuntu-22.04 map to
                    dockyard's runner image; \`dockyard runner-image map\` keeps a mapping
  --actions-url URL where \`uses: owner/name@ref\` actions are fetched from, for this start: a
                    GitHub Enterprise Server, Gitea/Forgejo, mirror or dockyard's git hosting
                    (default: \`dockyard actions server\`'s setting, else https://github.com);
                    off: only the action cache and the built-in actions
  --detach          run in the background; returns once the cloud is ready`;

export const upCommand: Command = {
  name: ['up'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        'runner-image': { type: 'string', multiple: true },
        'actions-url': { type: 'string' },
        detach: { type: 'boolean' },
      },
      USAGE,
    );
    if (!flags) return 0;
    const dataDir = resolveDataDir(stringFlag(flags, 'data'));
    const accountId = stringFlag(flags, 'account-id');
    if (accountId !== undefined && !/^\d{12}$/.test(accountId))
      throw new CliError(`--account-id must be 12 digits, not ${accountId}`);
    const region = stringFlag(flags, 'region');
    if (region !== undefined && !isAwsRegion(region))
      throw new CliError(
        `--region must be a region of AWS's commercial partition (us-east-1, eu-west-1, …), not ${region}`,
      );
    const runnerImages = runnerImageFlags(flags['runner-image']);
    const actionsUrl = actionsUrlFlag(stringFlag(flags, 'actions-url'));
    const port = parsePort(stringFlag(flags, 'port'), DEFAULTS.port);
    const host = stringFlag(flags, 'host') ?? DEFAULTS.host;

    const running = runningCloud(dataDir);
    if (running)
      throw new CliError(
        `dockyard is already running at ${running.url} (pid ${running.pid}); \`dockyard down\` stops it.`,
      );

    if (flags.detach) {
      const started = await startDetached(
        argv.filter((a) => a !== '--detach'),
        dataDir,
      );
      process.stdout.write(
        `dockyard is up at ${started.url} (pid ${started.pid}); log: ${dataFiles(dataDir).log}\n` +
          `  console: ${consoleUrl(started.url)} (\`dockyard console\` prints a one-time login link)\n`,
      );
      return 0;
    }

    // Imported here, not at the top: `up --detach` (and `demo`, through startDetached) only
    // spawn the foreground process and never load the cloud themselves.
    const { Cloud } = await import('../cloud/cloud.js');
    const started = Date.now();
    // ECS tasks run as containers; the runtime starts beside the serving cloud and, without an
    // engine, logs why tasks will not run instead of holding the cloud back.
    const cloud = await Cloud.start({
      dataDir,
      host,
      port,
      accountId,
      region,
      runnerImages,
      actionsUrl,
      publish: true,
      logger: streamLogger(),
      runtime: { background: true },
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`Port ${port} on ${host} is in use. Pick another with --port N.`);
      throw error;
    });
    process.stdout.write(
      `dockyard is up at ${cloud.url} (account ${cloud.accountId}, region ${cloud.region}, ready in ${Date.now() - started} ms)\n` +
        `  data: ${dataDir}\n  credentials: eval "$(dockyard env${stringFlag(flags, 'data') ? ` --data ${dataDir}` : ''})"\n` +
        `  git: dockyard repo create OWNER/NAME --remote dockyard, then git push (served at http://localhost:${new URL(cloud.url).port}/git/)\n` +
        `  registry: localhost:${new URL(cloud.url).port} (also HTTPS, certified by the CA in ${cloud.tls.caCertPath})\n` +
        `  console: ${consoleUrl(cloud.url)} (\`dockyard console\` prints a one-time login link)\n` +
        `  stop: Ctrl-C or dockyard down\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await cloud.stop();
    process.stdout.write('dockyard stopped\n');
    return 0;
  },
};

/** The `--runner-image LABEL=IMAGE` flags, checked. */
function runnerImageFlags(values: Flags[string]): { label: string; image: string }[] {
  const texts = (Array.isArray(values) ? values : values === undefined ? [] : [values]).filter(
    (v): v is string => typeof v === 'string',
  );
  return texts.map((text) => {
    try {
      return parseRunnerImageMapping(text);
    } catch (error) {
      if (error instanceof RunnerImageMappingError) throw new UsageError(`--runner-image: ${error.message}`);
      throw error;
    }
  });
}

/** `--actions-url URL|off`, checked. */
function actionsUrlFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseActionsUrlFlag(value);
  } catch (error) {
    if (error instanceof ActionServerSettingError) throw new UsageError(`--actions-url: ${error.message}`);
    throw error;
  }
}

/**
 * Starts `dockyard up` in the background and waits until its endpoint answers. Warnings the
 * cloud logged while starting (e.g. that the engine cannot be made to trust its registry) are
 * repeated on stderr: the log file is not where a user looks.
 */
export async function startDetached(argv: string[], dataDir: string): Promise<RunningCloud> {
  const files = dataFiles(dataDir);
  makePrivateDir(dataDir);
  const logStart = existsSync(files.log) ? statSync(files.log).size : 0;
  const log = openSync(files.log, 'a', PRIVATE_FILE_MODE);
  const entry = process.argv[1] as string;
  const child = spawn(process.execPath, [entry, 'up', ...argv, '--data', dataDir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const ready = await waitUntil(() => exited || runningCloud(dataDir) !== undefined, 15_000);
  const running = runningCloud(dataDir);
  if (!ready || !running) {
    const tail = existsSync(files.log) ? readFileSync(files.log, 'utf8').split('\n').slice(-15).join('\n') : '';
    throw new CliError(`dockyard did not start. Its log (${files.log}) ends:\n${tail}`);
  }
  for (const line of readFileSync(files.log).subarray(logStart).toString('utf8').split('\n')) {
    const warning = /^\S+ warn (.*)$/.exec(line);
    if (warning) process.stderr.write(`warning: ${warning[1]}\n`);
  }
  return running;
}
