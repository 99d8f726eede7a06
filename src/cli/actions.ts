/**
 * `dockyard actions add|list|remove|server`: the action cache and the actions server.
 * `uses: owner/name@ref` resolves from a copy pinned in the cache (added here, or a commit
 * downloaded before), else from the actions server (github.com by default; `actions server`
 * sets another, with a token, or turns it off), else from dockyard's built-in implementation
 * (actions/checkout, the AWS actions); src/runner/actions/resolve.ts has the order. The cache is
 * plain files under <data>/actions, so add, list and remove work with the cloud down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataFiles, resolveDataDir } from '../cloud/config.js';
import { ActionCache } from '../runner/action-cache.js';
import { ACTIONS_SERVER_OFF, ActionServerSettingError } from '../runner/actions/action-server.js';
import { ActionServerSettings } from '../runner/actions/action-server-settings.js';
import { BuiltinActions } from '../runner/actions/builtin-actions.js';
import { DownloadedActions } from '../runner/actions/downloaded-actions.js';
import { openDatabase } from '../store/database.js';
import { makePrivateDir } from '../store/private-files.js';
import {
  CliError,
  DATA_OPTION,
  parseArgsAndFlags,
  stringFlag,
  UsageError,
  type Command,
  type Flags,
} from './command.js';

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

Lists the cached actions (added with \`actions add\`, or commits downloaded from the actions
server, with the refs that resolved to them) and dockyard's built-in ones.`;

export const actionsListCommand: Command = {
  name: ['actions', 'list'],
  usage: LIST_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, LIST_USAGE, {
      min: 0,
      max: 0,
    });
    if (!parsed) return 0;
    const actionCache = cache(parsed.flags);
    const downloads = new DownloadedActions(actionCache.dir);
    const commits = new Map(downloads.commits().map((commit) => [`${commit.repository}@${commit.sha}`, commit]));
    const cached = actionCache.list().map((entry) => {
      const [repository = '', ref = ''] = entry.spec.split('@');
      const commit = commits.get(entry.spec);
      const refs = commit === undefined ? [] : downloads.refRecords(repository).filter((record) => record.sha === ref);
      return {
        ...entry,
        ...(commit
          ? {
              downloadedFrom: commit.server,
              bytes: commit.bytes,
              lastUsed: commit.usedAt,
              refs: refs.map((r) => ({ ref: r.ref, kind: r.kind, resolvedAt: r.resolvedAt })),
            }
          : {}),
      };
    });
    const builtin = new BuiltinActions(BUILTIN).list();
    if (parsed.flags.json) {
      process.stdout.write(`${JSON.stringify({ cached, builtin })}\n`);
      return 0;
    }
    const describe = (entry: (typeof cached)[number]) =>
      entry.downloadedFrom === undefined
        ? `  ${entry.spec}  ${entry.path}`
        : `  ${entry.spec}  downloaded from ${entry.downloadedFrom}${entry.refs?.length ? `, ${entry.refs.map((r) => `${r.kind} ${r.ref}`).join(', ')}` : ''}; last used ${entry.lastUsed?.slice(0, 10)}`;
    process.stdout.write(
      cached.length === 0
        ? 'cached: none (dockyard actions add OWNER/NAME@REF DIR)\n'
        : `cached:\n${cached.map(describe).join('\n')}\n`,
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

const SERVER_USAGE = `Usage: dockyard actions server [URL | off | default] [--token-stdin] [--data DIR]

Where \`uses: owner/name@ref\` actions are fetched from when the action cache has no copy pinned
to their commit: by tag, branch or full commit SHA, over git's smart HTTP, downloaded once and
kept by commit, then used offline. Without an argument, shows the server in use.
  URL            a GitHub Enterprise Server, Gitea/Forgejo, mirror or dockyard's own git hosting
                 (e.g. https://ghe.example.com, http://localhost:4566); kept in the data directory
  off            resolve offline: the action cache, then the built-in actions
  default        back to https://github.com (drops the token)
  --token-stdin  read a token for URL from stdin (USER:PASSWORD for HTTP Basic credentials, as
                 dockyard's git hosting takes: the admin key id and secret). Kept with URL only:
                 it is never sent to another server, and never printed.
\`dockyard up --actions-url URL|off\` overrides the setting for one start.`;

export const actionsServerCommand: Command = {
  name: ['actions', 'server'],
  usage: SERVER_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, 'token-stdin': { type: 'boolean' } }, SERVER_USAGE, {
      min: 0,
      max: 1,
    });
    if (!parsed) return 0;
    const [target] = parsed.args;
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    if (target === undefined) {
      if (parsed.flags['token-stdin']) throw new UsageError(`--token-stdin needs a URL\n\n${SERVER_USAGE}`);
      const shown = withSettings(dataDir, false, (settings) => settings.describe());
      const where =
        shown.url === ACTIONS_SERVER_OFF
          ? 'off: actions resolve from the action cache and the built-in actions'
          : `${shown.url}${shown.hasToken ? ' (with a token)' : ''}`;
      process.stdout.write(
        `actions server: ${where}${shown.source === 'default' ? ' (the default)' : ''}\n  (a cloud started with \`dockyard up --actions-url\` uses that instead until it stops)\n`,
      );
      return 0;
    }
    if (parsed.flags['token-stdin'] && process.stdin.isTTY)
      process.stderr.write('? Paste the token, then press Ctrl-D: ');
    const token = parsed.flags['token-stdin'] ? readFileSync(0, 'utf8') : undefined;
    try {
      withSettings(dataDir, true, (settings) => {
        const word = target.trim().toLowerCase();
        if (word === ACTIONS_SERVER_OFF || word === 'default') {
          if (token !== undefined) throw new UsageError(`--token-stdin goes with a URL\n\n${SERVER_USAGE}`);
          if (word === 'default') settings.reset();
          else settings.turnOff();
        } else {
          settings.set(target, token);
        }
      });
    } catch (error) {
      if (error instanceof ActionServerSettingError) throw new CliError(error.message);
      throw error;
    }
    const shown = withSettings(dataDir, false, (settings) => settings.describe());
    process.stdout.write(
      `✓ actions server: ${shown.url === ACTIONS_SERVER_OFF ? 'off (the action cache and the built-in actions)' : `${shown.url}${shown.hasToken ? ' (with a token)' : ''}`}\n`,
    );
    return 0;
  },
};

/** Opens the data directory's state for the setting (an empty one in memory when there is none yet and `create` is false). */
function withSettings<T>(dataDir: string, create: boolean, use: (settings: ActionServerSettings) => T): T {
  const file = dataFiles(dataDir).db;
  if (create) makePrivateDir(dataDir);
  const db = openDatabase(create || existsSync(file) ? file : ':memory:');
  try {
    return use(new ActionServerSettings(db));
  } finally {
    db.close();
  }
}

function cache(flags: Flags): ActionCache {
  return new ActionCache(join(resolveDataDir(stringFlag(flags, 'data')), 'actions'));
}
