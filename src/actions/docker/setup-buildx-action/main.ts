/**
 * docker/setup-buildx-action (v2–v4) on dockyard: buildx is dockyard's plugin (nothing to
 * download: `version` is noted and ignored), a builder is created with the real action's
 * arguments (`buildx create --name builder-<uuid> --driver docker-container …`), booted with
 * `inspect --bootstrap` (which finds the platforms the engine runs, emulated ones included),
 * and its facts become the outputs name, driver, platforms, nodes, endpoint, status, flags.
 * Gaps: BuildKit configuration (buildkitd-config, config-inline) and `append` nodes have no
 * effect (there is no BuildKit daemon; noted), `install` is refused.
 */
import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { runStep } from '../../shared/action-entry.js';
import { getList } from '../csv.js';
import { buildxAvailable, lastLine, runBuildx } from '../buildx-runner.js';

const DEFAULT_BUILDKITD_FLAGS =
  '--allow-insecure-entitlement security.insecure --allow-insecure-entitlement network.host';

function bool(name: string, fallback: boolean): boolean {
  return core.getInput(name) === '' ? fallback : core.getBooleanInput(name);
}

/** The node facts of `buildx inspect`'s text, as actions-toolkit parses them. */
export function parseInspect(text: string): { name: string; driver: string; node: Record<string, string> } {
  const field = (label: string) => new RegExp(`^${label}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const nodes = text.slice(text.indexOf('Nodes:'));
  const nodeField = (label: string) => new RegExp(`^${label}:\\s*(.*)$`, 'm').exec(nodes)?.[1]?.trim() ?? '';
  const node: Record<string, string> = {
    name: nodeField('Name'),
    endpoint: nodeField('Endpoint'),
    status: nodeField('Status'),
  };
  const flags = nodeField('BuildKit daemon flags');
  if (flags) node['buildkitd-flags'] = flags;
  node.buildkit = nodeField('BuildKit version');
  node.platforms = nodeField('Platforms').replace(/,\s*/g, ',');
  return { name: field('Name'), driver: field('Driver'), node };
}

runStep(async () => {
  const driver = core.getInput('driver') || 'docker-container';
  const name = driver === 'docker' ? 'default' : core.getInput('name') || `builder-${randomUUID()}`;
  const use = bool('use', true);
  const cleanup = bool('cleanup', true);
  const keepState = bool('keep-state', false);
  if (keepState && driver !== 'docker-container') throw new Error(`Cannot use keep-state with ${driver} driver`);
  core.saveState('cleanup', String(cleanup));
  if (!buildxAvailable())
    throw new Error('Docker buildx is required. See https://github.com/docker/setup-buildx-action to set up buildx.');
  const version = core.getInput('version');
  if (version)
    core.info(`buildx ${version} is not downloaded: dockyard's buildx plugin is used (the engine's classic builder)`);
  for (const input of ['buildkitd-config', 'buildkitd-config-inline', 'config', 'config-inline', 'append']) {
    if (core.getInput(input))
      core.warning(`${input} has no effect on dockyard: there is no BuildKit daemon to configure`);
  }
  if (bool('install', false))
    throw new Error(
      "install (docker buildx install) is not supported by dockyard's buildx: docker build already uses it",
    );

  core.startGroup('Buildx version');
  await runBuildx(['version']);
  core.endGroup();
  core.setOutput('name', name);
  core.saveState('builderName', name);
  core.saveState('builderDriver', driver);

  if (driver !== 'docker') {
    core.startGroup('Creating a new builder instance');
    const existing = await runBuildx(['inspect', name], { silent: true });
    if (existing.exitCode === 0) core.info(`Builder ${name} already exists, skipping creation`);
    else {
      const args = ['create', '--name', name, '--driver', driver];
      for (const opt of getList(core.getInput('driver-opts'), { ignoreComma: true, quote: false }))
        args.push('--driver-opt', opt);
      const flags =
        core.getInput('buildkitd-flags') ||
        (['docker-container', 'kubernetes'].includes(driver) ? DEFAULT_BUILDKITD_FLAGS : '');
      if (flags) args.push('--buildkitd-flags', flags);
      const platforms = getList(core.getInput('platforms'));
      if (platforms.length > 0) args.push('--platform', platforms.join(','));
      if (use) args.push('--use');
      const endpoint = core.getInput('endpoint');
      if (endpoint) args.push(endpoint);
      const created = await runBuildx(args);
      if (created.exitCode !== 0) throw new Error(lastLine(created.stderr));
    }
    core.endGroup();
  }

  core.startGroup('Booting builder');
  const booted = await runBuildx(['inspect', '--bootstrap', '--builder', name]);
  core.endGroup();
  if (booted.exitCode !== 0) throw new Error(lastLine(booted.stderr));
  const inspected = parseInspect(booted.stdout);
  core.startGroup('Inspect builder');
  const nodes = [inspected.node];
  core.info(JSON.stringify({ nodes, name: inspected.name, driver: inspected.driver }, undefined, 2));
  core.setOutput('driver', inspected.driver);
  core.setOutput('platforms', inspected.node.platforms ?? '');
  core.setOutput('nodes', JSON.stringify(nodes, undefined, 2));
  core.setOutput('endpoint', inspected.node.endpoint ?? '');
  core.setOutput('status', inspected.node.status ?? '');
  core.setOutput('flags', inspected.node['buildkitd-flags'] ?? '');
  core.endGroup();
});
