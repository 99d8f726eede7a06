/**
 * dockyard's built-in actions/checkout (v4 inputs): fetches the triggering commit (or `ref`)
 * of `repository` from the git hosting at GITHUB_SERVER_URL into GITHUB_WORKSPACE/`path`
 * with the git CLI, authenticated as the real action does (an `AUTHORIZATION: basic` extra
 * header built from `x-access-token:<token>`), and checks it out on a local branch named like
 * the ref, as the real action leaves it.
 *
 * Gaps: submodules, LFS, sparse checkout and ssh keys fail loudly; `fetch-depth: 0` fetches
 * the full history of the ref, not every branch.
 */
import * as core from '@actions/core';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { runStep } from '../../shared/action-entry.js';
import { runCommand } from '../../shared/run-command.js';
import { extraHeaderKey, resolveCheckoutRef } from './refs.js';

runStep(async () => {
  const workspace = process.env.GITHUB_WORKSPACE;
  if (!workspace) throw new Error('GITHUB_WORKSPACE not defined');
  const repository = core.getInput('repository') || process.env.GITHUB_REPOSITORY || '';
  if (!/^[^/]+\/[^/]+$/.test(repository))
    throw new Error(`Invalid repository '${repository}'. Expected format {owner}/{repo}.`);
  const path = core.getInput('path');
  const target = resolve(workspace, path);
  const inside = relative(workspace, target);
  if (inside.startsWith('..') || isAbsolute(inside))
    throw new Error(`Repository path '${target}' is not under '${workspace}'`);
  for (const unsupported of ['submodules', 'lfs', 'sparse-checkout']) {
    const value = core.getInput(unsupported);
    if (value && value !== 'false')
      throw new Error(
        `dockyard's built-in actions/checkout does not support '${unsupported}: ${value}'; add the official action with \`dockyard actions add actions/checkout@v4 DIR\``,
      );
  }
  if (core.getInput('ssh-key')) throw new Error("dockyard's git hosting serves HTTP only; 'ssh-key' is not supported");
  const token = core.getInput('token');
  const depthText = core.getInput('fetch-depth') || '1';
  const depth = Number(depthText);
  if (!Number.isInteger(depth) || depth < 0)
    throw new Error(`The input 'fetch-depth' must be a number >= 0, got '${depthText}'`);
  const server = (core.getInput('github-server-url') || process.env.GITHUB_SERVER_URL || '').replace(/\/+$/, '');
  if (!server) throw new Error('GITHUB_SERVER_URL not defined');
  const ref = resolveCheckoutRef({
    input: core.getInput('ref'),
    repository,
    eventRepository: process.env.GITHUB_REPOSITORY,
    eventRef: process.env.GITHUB_REF,
    eventSha: process.env.GITHUB_SHA,
  });

  core.info(`Syncing repository: ${repository}`);
  mkdirSync(target, { recursive: true });
  const git = async (args: string[], options: { quiet?: boolean } = {}) => {
    if (!options.quiet) core.info(`[command]/usr/bin/git ${args.join(' ')}`);
    const result = await runCommand('git', args, { cwd: target, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    if (!options.quiet && result.stdout.trim()) core.info(result.stdout.trimEnd());
    if (result.exitCode !== 0)
      throw new Error(
        `The process '/usr/bin/git' failed with exit code ${result.exitCode}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`,
      );
    return result.stdout;
  };

  if (!existsSync(join(target, '.git'))) {
    core.startGroup('Initializing the repository');
    await git(['init', '-q', target]);
    await git(['remote', 'add', 'origin', `${server}/${repository}`]);
    core.endGroup();
  } else if (core.getBooleanInput('clean')) {
    await git(['clean', '-ffdx']);
    await git(['reset', '--hard', 'HEAD']);
  }
  await git(['config', '--local', 'gc.auto', '0']);

  core.startGroup('Setting up auth');
  const headerKey = extraHeaderKey(server);
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  core.setSecret(basic);
  await git(['config', '--local', '--replace-all', headerKey, `AUTHORIZATION: basic ${basic}`], { quiet: true });
  core.info(`[command]/usr/bin/git config --local ${headerKey} AUTHORIZATION: basic ***`);
  core.endGroup();

  core.startGroup('Fetching the repository');
  const fetchArgs = ['-c', 'protocol.version=2', 'fetch', '--no-tags', '--prune', '--no-recurse-submodules'];
  if (depth > 0) fetchArgs.push(`--depth=${depth}`);
  fetchArgs.push('origin', ref.refspec);
  await git(fetchArgs);
  core.endGroup();

  core.startGroup('Checking out the ref');
  await git(['checkout', '--progress', '--force', ...ref.checkoutArgs]);
  core.endGroup();
  const commit = (await git(['log', '-1', '--format=%H'], { quiet: true })).trim();
  core.info(`[command]/usr/bin/git log -1 --format=%H\n${commit}`);

  if (!core.getBooleanInput('persist-credentials')) {
    await git(['config', '--local', '--unset-all', headerKey], { quiet: true });
  }
  core.saveState('repositoryPath', target);
  core.saveState('extraHeaderKey', headerKey);
  core.setOutput('ref', ref.outputRef);
  core.setOutput('commit', commit);
});
