/**
 * build-push-action's inputs and the `buildx build` arguments it makes of them, in the real
 * action's order (context.ts getArgs). No default provenance attestation is added: that needs
 * BuildKit >= 0.11, which dockyard's builder is not (as the real action decides for such a builder).
 */
import * as core from '@actions/core';
import { getList } from '../csv.js';

/** The action's inputs (the union over v4–v7; older action.yml files simply lack some). */
export interface BuildPushInputs {
  addHosts: string[];
  allow: string[];
  annotations: string[];
  attests: string[];
  buildArgs: string[];
  buildContexts: string[];
  builder: string;
  cacheFrom: string[];
  cacheTo: string[];
  call: string;
  cgroupParent: string;
  context: string;
  file: string;
  labels: string[];
  load: boolean;
  network: string;
  noCache: boolean;
  noCacheFilters: string[];
  outputs: string[];
  platforms: string[];
  provenance: string;
  pull: boolean;
  push: boolean;
  sbom: string;
  secrets: string[];
  secretEnvs: string[];
  secretFiles: string[];
  shmSize: string;
  ssh: string[];
  tags: string[];
  target: string;
  ulimit: string[];
  githubToken: string;
}

const list = (name: string, options: { ignoreComma?: boolean; quote?: boolean } = {}) =>
  getList(core.getInput(name), options);

/** A boolean input as core.getBooleanInput reads it, empty meaning false. */
function flag(name: string): boolean {
  return core.getInput(name) === '' ? false : core.getBooleanInput(name);
}

/** `provenance`: a boolean becomes buildx's attribute form (toolkit's Build.getProvenanceInput). */
function provenanceInput(): string {
  const value = core.getInput('provenance');
  if (!value) return '';
  if (/^(true|false)$/i.test(value))
    return /^true$/i.test(value)
      ? `builder-id=${process.env.GITHUB_SERVER_URL ?? ''}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`
      : 'disabled=true';
  return value;
}

/** Reads the inputs. */
export function readInputs(): BuildPushInputs {
  return {
    addHosts: list('add-hosts'),
    allow: list('allow'),
    annotations: list('annotations', { ignoreComma: true }),
    attests: list('attests', { ignoreComma: true }),
    buildArgs: list('build-args', { ignoreComma: true }),
    buildContexts: list('build-contexts', { ignoreComma: true }),
    builder: core.getInput('builder'),
    cacheFrom: list('cache-from', { ignoreComma: true }),
    cacheTo: list('cache-to', { ignoreComma: true }),
    call: core.getInput('call'),
    cgroupParent: core.getInput('cgroup-parent'),
    context: core.getInput('context'),
    file: core.getInput('file'),
    labels: list('labels', { ignoreComma: true }),
    load: flag('load'),
    network: core.getInput('network'),
    noCache: flag('no-cache'),
    noCacheFilters: list('no-cache-filters'),
    outputs: list('outputs', { ignoreComma: true, quote: false }),
    platforms: list('platforms'),
    provenance: provenanceInput(),
    pull: flag('pull'),
    push: flag('push'),
    sbom: core.getInput('sbom'),
    secrets: list('secrets', { ignoreComma: true }),
    secretEnvs: list('secret-envs'),
    secretFiles: list('secret-files', { ignoreComma: true }),
    shmSize: core.getInput('shm-size'),
    ssh: list('ssh'),
    tags: list('tags'),
    target: core.getInput('target'),
    ulimit: list('ulimit', { ignoreComma: true }),
    githubToken: core.getInput('github-token'),
  };
}

/** `type=X,true|false` → buildx's attributes (toolkit's Build.resolveAttestationAttrs). */
function attestation(type: string, value: string): string {
  if (/^false$/i.test(value)) return `type=${type},disabled=true`;
  if (/^true$/i.test(value) || value === '') return `type=${type}`;
  return `type=${type},${value}`;
}

/** The `buildx` arguments (without the context), and the context last, as the real action orders them. */
export function buildArgs(
  inputs: BuildPushInputs,
  context: string,
  files: { iidFile: string; metadataFile: string },
): string[] {
  const args: string[] = ['build'];
  const each = (flagName: string, values: string[]) => values.forEach((v) => args.push(flagName, v));
  each('--add-host', inputs.addHosts);
  each('--allow', inputs.allow);
  each('--annotation', inputs.annotations);
  each('--build-arg', inputs.buildArgs);
  each('--build-context', inputs.buildContexts);
  each('--cache-from', inputs.cacheFrom);
  each('--cache-to', inputs.cacheTo);
  if (inputs.call) args.push('--call', inputs.call);
  if (inputs.cgroupParent) args.push('--cgroup-parent', inputs.cgroupParent);
  for (const secretEnv of inputs.secretEnvs)
    args.push('--secret', `id=${secretEnv.split('=')[0] ?? ''},env=${secretEnv.split('=').slice(1).join('=')}`);
  if (inputs.file) args.push('--file', inputs.file);
  const localOrTar = inputs.outputs.some((o) => /(^|,)type=(local|tar)(,|$)/.test(o) || (!o.includes('=') && o !== ''));
  if (!localOrTar) args.push('--iidfile', files.iidFile);
  each('--label', inputs.labels);
  each('--no-cache-filter', inputs.noCacheFilters);
  each('--output', inputs.outputs);
  if (inputs.platforms.length > 0) args.push('--platform', inputs.platforms.join(','));
  if (inputs.provenance) args.push('--attest', `type=provenance,${inputs.provenance}`);
  if (inputs.sbom) args.push('--attest', attestation('sbom', inputs.sbom));
  for (const attest of inputs.attests) {
    const isProvenance = /(^|,)type=provenance(,|$)/.test(attest);
    const isSbom = /(^|,)type=sbom(,|$)/.test(attest);
    if ((isProvenance && inputs.provenance) || (isSbom && inputs.sbom)) continue;
    args.push('--attest', attest);
  }
  for (const secret of inputs.secrets) args.push('--secret', `id=${secret.split('=')[0] ?? ''},env=`);
  for (const secretFile of inputs.secretFiles)
    args.push('--secret', `id=${secretFile.split('=')[0] ?? ''},src=${secretFile.split('=').slice(1).join('=')}`);
  if (inputs.shmSize) args.push('--shm-size', inputs.shmSize);
  each('--ssh', inputs.ssh);
  each('--tag', inputs.tags);
  if (inputs.target) args.push('--target', inputs.target);
  each('--ulimit', inputs.ulimit);
  if (inputs.builder) args.push('--builder', inputs.builder);
  if (inputs.load) args.push('--load');
  args.push('--metadata-file', files.metadataFile);
  if (inputs.network) args.push('--network', inputs.network);
  if (inputs.noCache) args.push('--no-cache');
  if (inputs.pull) args.push('--pull');
  if (inputs.push) args.push('--push');
  args.push(context);
  return args;
}
