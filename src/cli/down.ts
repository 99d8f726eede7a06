/**
 * `dockyard down`: stop the cloud running on a data directory (SIGTERM, then wait).
 */
import { rmSync } from 'node:fs';
import { dataFiles, resolveDataDir } from '../cloud/config.js';
import { CliError, DATA_OPTION, parseFlags, stringFlag, type Command } from './command.js';
import { isAlive, runningCloud, waitUntil } from './running.js';

const USAGE = `Usage: dockyard down [--data DIR]

Stops the cloud that runs on the data directory (default $DOCKYARD_DATA or ~/.dockyard).
Its state stays; \`dockyard up\` brings it back.`;

export const downCommand: Command = {
  name: ['down'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, DATA_OPTION, USAGE);
    if (!flags) return 0;
    const dataDir = resolveDataDir(stringFlag(flags, 'data'));
    const running = runningCloud(dataDir);
    if (!running) {
      const files = dataFiles(dataDir);
      rmSync(files.endpoint, { force: true });
      rmSync(files.pid, { force: true });
      process.stdout.write(`dockyard is not running on ${dataDir}\n`);
      return 0;
    }
    process.kill(running.pid, 'SIGTERM');
    if (!(await waitUntil(() => !isAlive(running.pid), 10_000))) {
      throw new CliError(
        `dockyard (pid ${running.pid}) did not stop within 10 s; \`kill -9 ${running.pid}\` forces it (state is kept).`,
      );
    }
    process.stdout.write(`dockyard stopped (was at ${running.url})\n`);
    return 0;
  },
};
