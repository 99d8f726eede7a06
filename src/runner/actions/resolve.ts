/**
 * Finds the directory of the action a step `uses:`, offline:
 * - `./path`: in the job's workspace (after a checkout), as on GitHub;
 * - `owner/name[/path]@ref`: the action cache (`dockyard actions add`) first, then dockyard's
 *   built-in actions under `builtin-actions/<owner>/<name>/<ref>` or `<major of ref>` (v4 for
 *   v4, v4.2 or v4.2.1), else a clear failure naming the action, how to add it, and the built-ins;
 * - `docker://image`: refused (jobs run on the host, there is no job container).
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ActionCache, listDirs, parseActionSpec, type ActionSpec } from '../action-cache.js';

/** A `uses:` that cannot be run; the message is meant for the job log. */
export class ActionResolutionError extends Error {
  override readonly name = 'ActionResolutionError';
}

export interface ResolvedAction {
  /** The directory holding action.yml. */
  dir: string;
  /** For GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF: empty for local actions, as on GitHub. */
  repository: string;
  ref: string;
  /** Where it came from, for the log. */
  source: 'local' | 'cache' | 'builtin';
}

export interface ResolveOptions {
  workspace: string;
  cache: ActionCache;
  builtinDir: string;
}

/** The file name of an action's metadata in `dir`, or undefined. */
export function actionFile(dir: string): string | undefined {
  for (const name of ['action.yml', 'action.yaml']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Every built-in action as `owner/name@major`. */
export function listBuiltinActions(builtinDir: string): string[] {
  const specs: string[] = [];
  for (const owner of listDirs(builtinDir)) {
    for (const name of listDirs(join(builtinDir, owner))) {
      for (const version of listDirs(join(builtinDir, owner, name))) {
        if (actionFile(join(builtinDir, owner, name, version)) !== undefined) specs.push(`${owner}/${name}@${version}`);
      }
    }
  }
  return specs;
}

/** `v4`, `v4.2`, `v4.2.1`, `4` → `v4`; anything else (a branch, a sha) has no major. */
export function majorOf(ref: string): string | undefined {
  const match = /^v?(\d+)(\.\d+){0,2}$/.exec(ref);
  return match === null ? undefined : `v${match[1]}`;
}

export function resolveAction(uses: string, options: ResolveOptions): ResolvedAction {
  if (uses.startsWith('docker://')) {
    throw new ActionResolutionError(
      `Container actions are not supported by dockyard (jobs run directly on this host, without a job container): ${uses}`,
    );
  }
  if (uses.startsWith('./') || uses === '.') {
    const dir = resolve(options.workspace, uses);
    const rel = relative(options.workspace, dir);
    if (rel.startsWith('..')) throw new ActionResolutionError(`The local action path '${uses}' leaves the workspace`);
    if (actionFile(dir) === undefined) {
      throw new ActionResolutionError(
        `Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`,
      );
    }
    return { dir, repository: '', ref: '', source: 'local' };
  }
  let spec: ActionSpec;
  try {
    spec = parseActionSpec(uses);
  } catch {
    throw new ActionResolutionError(`Expected format {org}/{repo}[/path]@ref. Actual '${uses}'`);
  }
  const repository = `${spec.owner}/${spec.name}`;
  const cached = options.cache.lookup(spec);
  if (cached !== undefined) {
    if (actionFile(cached) === undefined)
      throw new ActionResolutionError(`The cached action ${uses} has no action.yml at ${cached}`);
    return { dir: cached, repository, ref: spec.ref, source: 'cache' };
  }
  const versions = [spec.ref, majorOf(spec.ref)].filter((version): version is string => version !== undefined);
  for (const version of versions) {
    const dir = join(options.builtinDir, spec.owner, spec.name, version, spec.path);
    if (actionFile(dir) !== undefined) return { dir, repository, ref: spec.ref, source: 'builtin' };
  }
  const builtins = listBuiltinActions(options.builtinDir);
  throw new ActionResolutionError(
    `Unable to resolve action \`${uses}\`: dockyard runs actions offline and has no copy of it. ` +
      `Add one with \`dockyard actions add ${repository}@${spec.ref} DIR\` (DIR: a checkout of the action at ${spec.ref}). ` +
      `Built-in actions: ${builtins.length === 0 ? '(none)' : builtins.join(', ')}.`,
  );
}
