/**
 * Reusable workflows (`jobs.<id>.uses`): where the called file is read from, and what passes
 * between caller and callee (inputs, secrets, outputs).
 *
 * Reproduced from GitHub: `./.github/workflows/x.yml` (or `$/…`) is read from the same
 * repository and commit as the workflow that calls it ("the called workflow is from the same
 * commit as the caller workflow"; for a workflow called from another repository, that one), its
 * job_workflow_ref that repository and ref; `owner/repo/.github/workflows/x.yml@ref`
 * names a branch, tag or full commit SHA of another repository (job_workflow_ref carries the ref
 * qualified, `refs/heads/…`/`refs/tags/…`, or the SHA). The called file must have
 * `on: workflow_call`; inputs are typed and defaulted by `on.workflow_call.inputs`, a required
 * input or secret that is not passed fails the call, and so does an input or secret the called
 * workflow does not declare (GitHub's messages). Limits: ten levels of workflows (the caller and
 * nine levels of called ones: GitHub's "Nesting reusable workflows", github/docs#41320) and 50
 * unique called workflows in a run (older documentation said four levels and 20).
 * By design: other repositories are read from this cloud's own git hosting only; a repository it
 * does not host (github.com's included: nothing here reaches it) fails the call saying so.
 */
import type { HostedRepository, RepositorySource } from '../git/contract.js';
import type { Json, Scope, WorkflowCallTrigger, WorkflowDefinition } from '../workflow/contract.js';
import { evaluateToken } from '../workflow/index.js';
import { readWorkflowAt } from './workflow-files.js';

/** Levels of workflows GitHub connects: the top-level caller and nine levels of called workflows. */
export const MAX_WORKFLOW_LEVELS = 10;
/** Unique reusable workflows one run may call, nested ones included. */
export const MAX_CALLED_WORKFLOWS = 50;

/** A call GitHub refuses; the message says why, in GitHub's words where it has them. */
export class WorkflowCallError extends Error {
  override readonly name = 'WorkflowCallError';
}

/** A called workflow, read and parsed, with where it came from. */
export interface CalledWorkflow {
  workflow: WorkflowDefinition;
  trigger: WorkflowCallTrigger;
  /** `owner/repo/.github/workflows/x.yml@ref`: the OIDC job_workflow_ref of its jobs. */
  ref: string;
  /** The commit it was read from: job_workflow_sha. */
  sha: string;
  /** Where it lives, for the `./` calls it makes in turn. */
  site: CallSite;
}

/** Where a calling workflow was read from (repository, qualified ref, commit), for resolving `./` paths. */
export interface CallSite {
  repository: string;
  ref: string;
  sha: string;
}

const LOCAL = /^[.$]\/(\.github\/workflows\/[^/]+\.ya?ml)$/;
const REMOTE = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/(\.github\/workflows\/[^/@]+\.ya?ml)@([^\s]+)$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

/** Reads called workflows from this cloud's git hosting. */
export class CalledWorkflows {
  constructor(private readonly repos: RepositorySource) {}

  async load(uses: string, site: CallSite): Promise<CalledWorkflow> {
    const local = LOCAL.exec(uses);
    const remote = REMOTE.exec(uses);
    if (local === null && remote === null)
      throw new WorkflowCallError(
        `invalid value workflow reference: ${uses}: references to workflows must be './.github/workflows/<file>' or '{owner}/{repo}/.github/workflows/<file>@{ref}'`,
      );
    if (local !== null) {
      const file = local[1] as string;
      const repo = this.repos.get(site.repository);
      if (repo === undefined)
        throw new WorkflowCallError(`failed to fetch workflow: repository ${site.repository} was not found`);
      return this.read(repo, site, file, uses);
    }
    const [, owner, name, file, ref] = remote as RegExpExecArray & [string, string, string, string, string];
    const repository = `${owner}/${name}`;
    const repo = this.repos.get(repository);
    if (repo === undefined)
      throw new WorkflowCallError(
        `failed to fetch workflow: repository ${repository} is not hosted by this cloud (reusable workflows are read from its git hosting; github.com is not reachable from here)`,
      );
    const resolved = await resolveRef(repo, ref);
    if (resolved === undefined)
      throw new WorkflowCallError(
        `failed to fetch workflow: reference to workflow should be either a valid branch, tag, or commit: ${ref}`,
      );
    return this.read(repo, { repository, ref: resolved.qualified, sha: resolved.sha }, file, uses);
  }

  private async read(repo: HostedRepository, site: CallSite, file: string, uses: string): Promise<CalledWorkflow> {
    const parsed = await readWorkflowAt(repo, site.sha, file);
    if (parsed === undefined) throw new WorkflowCallError(`failed to fetch workflow: workflow was not found: ${uses}`);
    if (parsed.workflow === undefined)
      throw new WorkflowCallError(`error parsing called workflow "${uses}": ${parsed.errors.join('; ')}`);
    const trigger = parsed.workflow.on.workflow_call;
    if (trigger === undefined)
      throw new WorkflowCallError(
        `error parsing called workflow "${uses}": workflow is not reusable as it is missing a \`on.workflow_call\` trigger`,
      );
    return { workflow: parsed.workflow, trigger, ref: `${site.repository}/${file}@${site.ref}`, sha: site.sha, site };
  }
}

/** A branch, then a tag, then a full commit SHA, as GitHub resolves `@ref`. */
async function resolveRef(
  repo: HostedRepository,
  ref: string,
): Promise<{ sha: string; qualified: string } | undefined> {
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const qualified of candidates) {
    const commit = await repo.commit(qualified);
    if (commit !== undefined) return { sha: commit.sha, qualified };
  }
  if (FULL_SHA.test(ref)) {
    const commit = await repo.commit(ref);
    if (commit !== undefined) return { sha: commit.sha, qualified: ref };
  }
  return undefined;
}

/** `with:` checked and typed against `on.workflow_call.inputs`; defaults evaluated in `scope`. */
export function callInputs(trigger: WorkflowCallTrigger, given: Json, scope: Scope): Record<string, Json> {
  const values = isRecord(given) ? given : {};
  for (const name of Object.keys(values))
    if (trigger.inputs[name] === undefined)
      throw new WorkflowCallError(`Invalid input, ${name} is not defined in the referenced workflow.`);
  const inputs: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(trigger.inputs)) {
    let value: Json | undefined = values[name];
    if (value === undefined) {
      if (spec.required) throw new WorkflowCallError(`Input ${name} is required, but not provided while calling.`);
      const fallback = spec.default;
      value =
        fallback === undefined ? undefined : typeof fallback === 'object' ? evaluateToken(fallback, scope) : fallback;
    }
    if (value === undefined || value === null) {
      inputs[name] = spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '';
      continue;
    }
    inputs[name] = typed(name, spec.type, value);
  }
  return inputs;
}

function typed(name: string, type: 'string' | 'boolean' | 'number', value: Json): Json {
  if (type === 'string') {
    if (typeof value === 'object') throw typeError(name, type, value);
    return String(value);
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw typeError(name, type, value);
  }
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw typeError(name, type, value);
}

function typeError(name: string, type: string, value: Json): WorkflowCallError {
  return new WorkflowCallError(
    `The input '${name}' of the called workflow expects a ${type}, got ${JSON.stringify(value).slice(0, 100)}.`,
  );
}

/**
 * The secrets the called workflow sees: the caller's (GITHUB_TOKEN aside) with `inherit`, else
 * exactly the mapped ones, each declared by the callee; required ones must be there.
 */
export function callSecrets(
  trigger: WorkflowCallTrigger,
  mapped: Json | 'inherit' | undefined,
  callerSecrets: Record<string, string>,
): Record<string, string> {
  if (mapped === 'inherit') return { ...callerSecrets };
  const secrets: Record<string, string> = {};
  const declared = new Map(Object.keys(trigger.secrets).map((name) => [name.toUpperCase(), name]));
  for (const [name, value] of Object.entries(isRecord(mapped) ? mapped : {})) {
    if (!declared.has(name.toUpperCase()))
      throw new WorkflowCallError(`Invalid secret, ${name} is not defined in the referenced workflow.`);
    // An empty or missing caller secret is passed as empty, as GitHub does.
    secrets[name.toUpperCase()] =
      value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  for (const [name, spec] of Object.entries(trigger.secrets))
    if (spec.required && secrets[name.toUpperCase()] === undefined)
      throw new WorkflowCallError(`Secret ${name} is required, but not provided while calling.`);
  return secrets;
}

/** `on.workflow_call.outputs`, evaluated with the `jobs` context of the called workflow's jobs. */
export function callOutputs(trigger: WorkflowCallTrigger, scope: Scope): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, token] of Object.entries(trigger.outputs)) {
    const value = evaluateToken(token, scope);
    outputs[name] = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return outputs;
}

function isRecord(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
