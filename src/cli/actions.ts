/**
 * `dockyard actions add|list|remove`: the offline action cache. Workflows run without GitHub,
 * so `uses: owner/name@ref` resolves from a local copy added here, else from dockyard's
 * built-in implementation (actions/checkout, the AWS actions), else the step fails saying how
 * to add it. The cache is plain files under <data>/actions, so this works with the cloud down.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDataDir } from '../cloud/config.js';
import { ActionCache, listDirs } from '../runner/action-cache.js';
import { CliError, DATA_OPTION, parseArgsAndFlags, stringFlag, type Command, type Flags } from './command.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BUILTIN = join(ROOT, 'builtin-actions');

const ADD_USAGE = `Usage: dockyard actions add OWNER/NAME@REF DIR [--data DIR]

Registers DIR (a checkout of the action at REF, e.g. \`git clone --branch v4 …\` made elsewhere)
as OWNER/NAME@REF: workflows that use it run that code instead of dockyard's built-in one.
Example: dockyard actions add aws-actions/configure-aws-credentials@v4 ./configure-aws-credentials`;

export const actionsAddCommand: Command = {
  name: ['actions', 'add'],
  usage: ADD_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, ADD_USAGE, { min: 2, max: 2 });
    if (!parsed) return 0;
    const [spec, dir] = parsed.args as [string, string];
    if (!existsSync(join(dir, 'action.yml')) && !existsSync(join(dir, 'action.yaml'))) {
      throw new CliError(`${dir} has no action.yml or action.yaml at its top; give the action repository's root`);
    }
    const { path } = cache(parsed.flags).add(spec, dir);
    process.stdout.write(`✓ ${spec} → ${path}\n`);
    return 0;
  },
};

const LIST_USAGE = `Usage: dockyard actions list [--json] [--data DIR]

Lists the cached actions and dockyard's built-in ones (used when no cached copy matches).`;

export const actionsListCommand: Command = {
  name: ['actions', 'list'],
  usage: LIST_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, LIST_USAGE, {
      min: 0,
      max: 0,
    });
    if (!parsed) return 0;
    const cached = cache(parsed.flags).list();
    const builtin = builtinActions();
    if (parsed.flags.json) {
      process.stdout.write(`${JSON.stringify({ cached, builtin })}\n`);
      return 0;
    }
    process.stdout.write(
      cached.length === 0
        ? 'cached: none (dockyard actions add OWNER/NAME@REF DIR)\n'
        : `cached:\n${cached.map((c) => `  ${c.spec}  ${c.path}`).join('\n')}\n`,
    );
    process.stdout.write(`built in:\n${builtin.map((b) => `  ${b}`).join('\n')}\n`);
    return 0;
  },
};

const REMOVE_USAGE = `Usage: dockyard actions remove OWNER/NAME@REF [--data DIR]

Removes a cached action; workflows then use the built-in one, if there is one.`;

export const actionsRemoveCommand: Command = {
  name: ['actions', 'remove'],
  usage: REMOVE_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, REMOVE_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    const spec = parsed.args[0] as string;
    if (!cache(parsed.flags).remove(spec)) throw new CliError(`${spec} is not in the cache (dockyard actions list)`);
    process.stdout.write(`✓ removed ${spec}\n`);
    return 0;
  },
};

function cache(flags: Flags): ActionCache {
  return new ActionCache(join(resolveDataDir(stringFlag(flags, 'data')), 'actions'));
}

/** `owner/name@major` for each built-in action folder. */
function builtinActions(): string[] {
  const found: string[] = [];
  for (const owner of listDirs(BUILTIN)) {
    for (const name of listDirs(join(BUILTIN, owner))) {
      for (const major of readdirSafe(join(BUILTIN, owner, name))) found.push(`${owner}/${name}@${major}`);
    }
  }
  return found;
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? listDirs(dir) : [];
}
