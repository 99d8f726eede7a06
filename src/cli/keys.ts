/**
 * `dockyard keys list|rotate|remove`: the CI OIDC issuer's signing keys. Rotation makes a new
 * key active; the retired one keeps verifying tokens it signed until it is removed. A running
 * cloud picks the change up on its next token operation.
 */
import { systemClock } from '../core/clock.js';
import { DEFAULTS, resolveDataDir } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import { CliError, DATA_OPTION, UsageError, parseFlags, stringFlag, type Command, type Flags } from './command.js';

const LIST_USAGE = `Usage: dockyard keys list [--data DIR] [--json]

Lists the OIDC issuer's signing keys: the active one signs job tokens, retired ones still verify.`;
const ROTATE_USAGE = `Usage: dockyard keys rotate [--data DIR]

Makes a new signing key active. The previous key is retired: tokens it signed keep verifying
until \`dockyard keys remove --kid KID\`.`;
const REMOVE_USAGE = `Usage: dockyard keys remove --kid KID [--data DIR]

Removes a retired signing key: tokens it signed stop verifying. The active key cannot be removed.`;

async function withState<T>(flags: Flags, work: (state: CloudState) => Promise<T>): Promise<T> {
  const state = new CloudState(
    { dataDir: resolveDataDir(stringFlag(flags, 'data')), issuer: DEFAULTS.issuer },
    systemClock,
  );
  try {
    await state.issuer.init();
    return await work(state);
  } finally {
    state.close();
  }
}

export const keysListCommand: Command = {
  name: ['keys', 'list'],
  usage: LIST_USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, LIST_USAGE);
    if (!flags) return 0;
    const keys = await withState(flags, async (state) => state.keys.list());
    const rows = keys.map((k) => ({
      kid: k.kid,
      status: k.status,
      createdAt: k.createdAt.toISOString(),
      retiredAt: k.retiredAt?.toISOString(),
    }));
    if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else
      for (const r of rows)
        process.stdout.write(
          `${r.kid}  ${r.status.padEnd(7)}  created ${r.createdAt}${r.retiredAt ? `  retired ${r.retiredAt}` : ''}\n`,
        );
    return 0;
  },
};

export const keysRotateCommand: Command = {
  name: ['keys', 'rotate'],
  usage: ROTATE_USAGE,
  async run(argv) {
    const flags = parseFlags(argv, DATA_OPTION, ROTATE_USAGE);
    if (!flags) return 0;
    const key = await withState(flags, (state) => state.keys.rotate());
    process.stdout.write(`new active signing key ${key.kid}\n`);
    return 0;
  },
};

export const keysRemoveCommand: Command = {
  name: ['keys', 'remove'],
  usage: REMOVE_USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...DATA_OPTION, kid: { type: 'string' } }, REMOVE_USAGE);
    if (!flags) return 0;
    const kid = stringFlag(flags, 'kid');
    if (!kid) throw new UsageError(`--kid KID is required\n\n${REMOVE_USAGE}`);
    const removed = await withState(flags, async (state) => {
      if (state.keys.get(kid)?.status === 'active')
        throw new CliError(`${kid} is the active key; \`dockyard keys rotate\` first.`);
      return state.keys.remove(kid);
    });
    if (!removed) throw new CliError(`no signing key ${kid} (see \`dockyard keys list\`)`);
    process.stdout.write(`removed signing key ${kid}: tokens it signed no longer verify\n`);
    return 0;
  },
};
