/**
 * `dockyard env`: shell export lines that point AWS tooling at the cloud with the admin key.
 */
import { readFileSync } from 'node:fs';
import { DEFAULTS, dataFiles, resolveDataDir } from '../cloud/config.js';
import type { AdminKey } from '../cloud/state.js';
import { CliError, DATA_OPTION, parseFlags, stringFlag, type Command } from './command.js';
import { runningCloud } from './running.js';

const USAGE = `Usage: dockyard env [--data DIR] [--json]

Prints shell export lines for the cloud on the data directory:
  eval "$(dockyard env)"
AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (the admin key), AWS_REGION, AWS_DEFAULT_REGION.`;

export const envCommand: Command = {
  name: ['env'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, USAGE);
    if (!flags) return 0;
    const dataDir = resolveDataDir(stringFlag(flags, 'data'));
    const files = dataFiles(dataDir);
    let admin: AdminKey;
    try {
      admin = JSON.parse(readFileSync(files.admin, 'utf8')) as AdminKey;
    } catch {
      throw new CliError(
        `No cloud in ${dataDir} yet: \`dockyard up${stringFlag(flags, 'data') ? ` --data ${dataDir}` : ''}\` creates one.`,
      );
    }
    const running = runningCloud(dataDir);
    const region = running?.region ?? DEFAULTS.region;
    const vars = {
      AWS_ENDPOINT_URL: running?.url ?? `http://${DEFAULTS.host}:${DEFAULTS.port}`,
      AWS_ACCESS_KEY_ID: admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(vars, null, 2)}\n`);
      return 0;
    }
    let out = '';
    if (!running) out += `# dockyard is not running on ${dataDir}; start it with \`dockyard up\`\n`;
    for (const [name, value] of Object.entries(vars)) out += `export ${name}=${shellQuote(value)}\n`;
    out += '# AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL: pass --endpoint-url "$AWS_ENDPOINT_URL"\n';
    process.stdout.write(out);
    return 0;
  },
};

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
