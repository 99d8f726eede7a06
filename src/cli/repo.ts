/**
 * `dockyard repo create|list|delete` and `dockyard git-credential`: repositories hosted by the
 * cloud over git's smart HTTP. Pushing needs the admin key; rather than printing it into a
 * remote URL, `repo create --remote NAME` adds the remote to the current git repository and
 * makes `dockyard git-credential` its credential helper (git's credential protocol).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveDataDir, dataFiles } from '../cloud/config.js';
import type { AdminCredential } from '../control/admin-auth.js';
import { CliError, DATA_OPTION, parseArgsAndFlags, stringFlag, type Command } from './command.js';
import { ControlClient } from './control-client.js';
import { runningCloud } from './running.js';

interface RepoInfo {
  name: string;
  cloneUrl: string;
  created?: boolean;
}

const CREATE_USAGE = `Usage: dockyard repo create OWNER/NAME [--remote NAME] [--json] [--data DIR]

Creates a git repository in the local cloud, served at http://localhost:PORT/git/OWNER/NAME.git.
Pushing to it runs the workflows in .github/workflows whose on: matches, like GitHub.
  --remote NAME   also add it as a remote of the git repository in the current directory
                  (credentials come from \`dockyard git-credential\`, never from the URL)
  --json          print {name, cloneUrl, created}`;

export const repoCreateCommand: Command = {
  name: ['repo', 'create'],
  usage: CREATE_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(
      argv,
      { ...DATA_OPTION, remote: { type: 'string' }, json: { type: 'boolean' } },
      CREATE_USAGE,
      { min: 1, max: 1 },
    );
    if (!parsed) return 0;
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    const client = ControlClient.forDataDir(dataDir);
    const repo = await client.post<RepoInfo>('/repos', { name: parsed.args[0] });
    const remote = stringFlag(parsed.flags, 'remote');
    if (remote) addRemote(remote, repo.cloneUrl, dataDir);
    if (parsed.flags.json) {
      process.stdout.write(`${JSON.stringify(repo)}\n`);
      return 0;
    }
    process.stdout.write(`${repo.created ? 'created' : 'exists:'} ${repo.name}\n  clone URL: ${repo.cloneUrl}\n`);
    if (remote) process.stdout.write(`  remote ${remote} added; push with: git push ${remote} main\n`);
    else
      process.stdout.write(
        `  push from a git repository with:\n    dockyard repo create ${repo.name} --remote dockyard   # adds the remote and its credentials\n    git push dockyard main\n`,
      );
    return 0;
  },
};

/** Adds the remote and a credential helper scoped to the cloud's URL to the repository in cwd. */
export function addRemote(remote: string, cloneUrl: string, dataDir: string, cwd = process.cwd()): void {
  const git = (args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (git(['rev-parse', '--git-dir']).status !== 0)
    throw new CliError(`${cwd} is not a git repository (run \`git init\` first)`);
  const existing = git(['remote', 'get-url', remote]);
  const set =
    existing.status === 0 ? git(['remote', 'set-url', remote, cloneUrl]) : git(['remote', 'add', remote, cloneUrl]);
  if (set.status !== 0) throw new CliError(`git remote ${remote}: ${set.stderr.trim()}`);
  const origin = new URL(cloneUrl).origin;
  const helper = `!${JSON.stringify(process.execPath).slice(1, -1)} ${process.argv[1] ?? 'dockyard'} git-credential --data ${dataDir}`;
  // An empty helper first resets helpers from global config for this URL only.
  git(['config', '--local', '--replace-all', `credential.${origin}.helper`, '']);
  const added = git(['config', '--local', '--add', `credential.${origin}.helper`, helper]);
  if (added.status !== 0) throw new CliError(`git config: ${added.stderr.trim()}`);
}

const LIST_USAGE = `Usage: dockyard repo list [--json] [--data DIR]

Lists the repositories the local cloud hosts.`;

export const repoListCommand: Command = {
  name: ['repo', 'list'],
  usage: LIST_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, LIST_USAGE, {
      min: 0,
      max: 0,
    });
    if (!parsed) return 0;
    const repos = await ControlClient.forDataDir(resolveDataDir(stringFlag(parsed.flags, 'data'))).get<RepoInfo[]>(
      '/repos',
    );
    if (parsed.flags.json) process.stdout.write(`${JSON.stringify(repos)}\n`);
    else if (repos.length === 0) process.stdout.write('no repositories yet: dockyard repo create OWNER/NAME\n');
    else for (const r of repos) process.stdout.write(`${r.name}  ${r.cloneUrl}\n`);
    return 0;
  },
};

const DELETE_USAGE = `Usage: dockyard repo delete OWNER/NAME [--data DIR]

Deletes a hosted repository and everything pushed to it (runs stay recorded).`;

export const repoDeleteCommand: Command = {
  name: ['repo', 'delete'],
  usage: DELETE_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, DELETE_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    const name = parsed.args[0] as string;
    await ControlClient.forDataDir(resolveDataDir(stringFlag(parsed.flags, 'data'))).delete(`/repos/${name}`);
    process.stdout.write(`deleted ${name}\n`);
    return 0;
  },
};

const CREDENTIAL_USAGE = `Usage: dockyard git-credential get [--data DIR]

git's credential helper for repositories the local cloud hosts (set up by \`repo create --remote\`):
answers git's "get" with the admin key; "store" and "erase" are ignored.`;

export const gitCredentialCommand: Command = {
  name: ['git-credential'],
  usage: CREDENTIAL_USAGE,
  async run(argv) {
    const parsed = parseArgsAndFlags(argv, { ...DATA_OPTION }, CREDENTIAL_USAGE, { min: 1, max: 1 });
    if (!parsed) return 0;
    if (parsed.args[0] !== 'get') return 0;
    const dataDir = resolveDataDir(stringFlag(parsed.flags, 'data'));
    const request = readFileSync(0, 'utf8');
    const fields = new Map(
      request
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    const cloud = runningCloud(dataDir);
    // Only answer for the cloud's own host: a helper must never hand the key to another server.
    if (!cloud) return 0;
    const port = new URL(cloud.url).port;
    if (fields.get('host') !== new URL(cloud.url).host && fields.get('host') !== `localhost:${port}`) return 0;
    const admin = JSON.parse(readFileSync(dataFiles(dataDir).admin, 'utf8')) as AdminCredential;
    process.stdout.write(`username=${admin.accessKeyId}\npassword=${admin.secretAccessKey}\n`);
    return 0;
  },
};
