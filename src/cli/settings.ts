/**
 * `dockyard secret set|list|delete` and `dockyard var set|list|delete`: a repository's Actions
 * secrets and variables (the `secrets` and `vars` contexts), like `gh secret` and `gh variable`.
 * A secret's value is read from --body or stdin and is never printed back. `--env NAME` works on
 * a deployment environment's own secrets and variables instead (as `gh secret set --env`).
 */
import { readFileSync } from 'node:fs';
import { resolveDataDir } from '../cloud/config.js';
import { DATA_OPTION, UsageError, parseArgsAndFlags, stringFlag, type Command, type Flags } from './command.js';
import { ControlClient } from './control-client.js';

type Kind = 'secret' | 'var';
const PATHS: Record<Kind, string> = { secret: 'secrets', var: 'variables' };

function usage(kind: Kind, verb: 'set' | 'list' | 'delete'): string {
  const what = kind === 'secret' ? 'secret' : 'variable';
  if (verb === 'set') {
    return kind === 'secret'
      ? `Usage: dockyard secret set NAME --repo OWNER/NAME [--env ENVIRONMENT] [--body VALUE] [--data DIR]\n\nSets an Actions secret (read from stdin without --body), of the repository or, with --env, of one deployment environment (jobs.<id>.environment). Values are masked in every log.`
      : `Usage: dockyard var set NAME VALUE --repo OWNER/NAME [--env ENVIRONMENT] [--data DIR]\n\nSets an Actions variable (the vars context), of the repository or, with --env, of one deployment environment.`;
  }
  if (verb === 'list')
    return `Usage: dockyard ${kind} list --repo OWNER/NAME [--env ENVIRONMENT] [--json] [--data DIR]\n\nLists the repository's (or the environment's) ${what}s${kind === 'secret' ? ' (names only)' : ''}.`;
  return `Usage: dockyard ${kind} delete NAME --repo OWNER/NAME [--env ENVIRONMENT] [--data DIR]\n\nDeletes a ${what}.`;
}

function repoOf(flags: Flags, text: string): string {
  const repo = stringFlag(flags, 'repo');
  if (!repo) throw new UsageError(`--repo OWNER/NAME is required\n\n${text}`);
  return repo;
}

/** The API path of the repository's (or, with --env, the environment's) secrets or variables. */
function settingsPath(kind: Kind, flags: Flags, repo: string): string {
  const environment = stringFlag(flags, 'env');
  if (environment !== undefined && environment.trim() === '') throw new UsageError('--env needs an environment name');
  const place = environment === undefined ? '' : `/environments/${encodeURIComponent(environment)}`;
  return `/repos/${repo}${place}/${PATHS[kind]}`;
}

/** `for owner/repo` or `for owner/repo (environment prod)`. */
function placeText(flags: Flags, repo: string): string {
  const environment = stringFlag(flags, 'env');
  return environment === undefined ? repo : `${repo} (environment ${environment})`;
}

function api(flags: Flags): ControlClient {
  return ControlClient.forDataDir(resolveDataDir(stringFlag(flags, 'data')));
}

function setCommand(kind: Kind): Command {
  const text = usage(kind, 'set');
  return {
    name: [kind, 'set'],
    usage: text,
    async run(argv) {
      const parsed = parseArgsAndFlags(
        argv,
        {
          ...DATA_OPTION,
          repo: { type: 'string' },
          env: { type: 'string', short: 'e' },
          body: { type: 'string', short: 'b' },
        },
        text,
        { min: 1, max: kind === 'var' ? 2 : 1 },
      );
      if (!parsed) return 0;
      const repo = repoOf(parsed.flags, text);
      const name = parsed.args[0] as string;
      let value = kind === 'var' ? parsed.args[1] : stringFlag(parsed.flags, 'body');
      if (value === undefined) {
        if (kind === 'var') throw new UsageError(`VALUE is required\n\n${text}`);
        if (process.stdin.isTTY) process.stderr.write(`? Paste your secret, then press Ctrl-D: `);
        value = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      }
      await api(parsed.flags).put(`${settingsPath(kind, parsed.flags, repo)}/${encodeURIComponent(name)}`, { value });
      process.stdout.write(
        `✓ Set ${kind === 'secret' ? 'secret' : 'variable'} ${name} for ${placeText(parsed.flags, repo)}\n`,
      );
      return 0;
    },
  };
}

function listCommand(kind: Kind): Command {
  const text = usage(kind, 'list');
  return {
    name: [kind, 'list'],
    usage: text,
    async run(argv) {
      const parsed = parseArgsAndFlags(
        argv,
        { ...DATA_OPTION, repo: { type: 'string' }, env: { type: 'string', short: 'e' }, json: { type: 'boolean' } },
        text,
        { min: 0, max: 0 },
      );
      if (!parsed) return 0;
      const items = await api(parsed.flags).get<{ name: string; value?: string; updatedAt: string }[]>(
        settingsPath(kind, parsed.flags, repoOf(parsed.flags, text)),
      );
      if (parsed.flags.json) process.stdout.write(`${JSON.stringify(items)}\n`);
      else if (items.length === 0) process.stdout.write(`no ${kind === 'secret' ? 'secrets' : 'variables'}\n`);
      else
        for (const item of items)
          process.stdout.write(`${item.name}${item.value !== undefined ? `\t${item.value}` : ''}\t${item.updatedAt}\n`);
      return 0;
    },
  };
}

function deleteCommand(kind: Kind): Command {
  const text = usage(kind, 'delete');
  return {
    name: [kind, 'delete'],
    usage: text,
    async run(argv) {
      const parsed = parseArgsAndFlags(
        argv,
        { ...DATA_OPTION, repo: { type: 'string' }, env: { type: 'string', short: 'e' } },
        text,
        { min: 1, max: 1 },
      );
      if (!parsed) return 0;
      const repo = repoOf(parsed.flags, text);
      await api(parsed.flags).delete(
        `${settingsPath(kind, parsed.flags, repo)}/${encodeURIComponent(parsed.args[0] as string)}`,
      );
      process.stdout.write(
        `✓ Deleted ${kind === 'secret' ? 'secret' : 'variable'} ${parsed.args[0]} from ${placeText(parsed.flags, repo)}\n`,
      );
      return 0;
    },
  };
}

export const secretSetCommand = setCommand('secret');
export const secretListCommand = listCommand('secret');
export const secretDeleteCommand = deleteCommand('secret');
export const varSetCommand = setCommand('var');
export const varListCommand = listCommand('var');
export const varDeleteCommand = deleteCommand('var');
