/**
 * The contract between the workflow model (src/workflow: parsing, triggers, expressions,
 * templates, matrix, permissions; pure, no I/O but hashFiles) and the runner (src/runner:
 * executes runs). The runner only imports from `src/workflow/index.ts`, which exports these
 * types and the functions declared at the end of this file.
 *
 * Fields GitHub evaluates at run time stay unevaluated `TemplateToken`s (from
 * @actions/workflow-parser) until the runner evaluates them in the scope where GitHub does:
 * workflow `env` with github/inputs/vars/secrets; job `runs-on`, `env`, `environment`,
 * `outputs`, `timeout-minutes`, `continue-on-error`, `strategy` with needs/matrix/strategy; a
 * step's fields with steps/job/runner/env as well.
 */
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/** A JSON value: what contexts hold and what evaluation returns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The named contexts an expression can read (github, env, vars, secrets, steps, job, runner, needs, matrix, strategy, inputs). */
export type Contexts = Partial<
  Record<
    | 'github'
    | 'env'
    | 'vars'
    | 'secrets'
    | 'steps'
    | 'job'
    | 'jobs'
    | 'runner'
    | 'needs'
    | 'matrix'
    | 'strategy'
    | 'inputs',
    Json
  >
>;

/** The status the status functions (success(), failure(), cancelled(), always()) report in this scope. */
export interface StatusState {
  /** For a step: the job's status so far; for a job's `if`: derived from its needs' results. */
  status: 'success' | 'failure' | 'cancelled';
}

/** Everything an evaluation needs. */
export interface Scope {
  contexts: Contexts;
  state: StatusState;
  /** Root for hashFiles(); hashFiles() returns '' without one (or when nothing matches), as GitHub does. */
  workspace?: string;
}

export type Shell = string;

export interface RunDefaults {
  shell?: Shell;
  'working-directory'?: string;
}

/** One scope → permission; GitHub's scopes (contents, id-token, packages, …). */
export type PermissionLevel = 'read' | 'write' | 'none';
export type Permissions = Record<string, PermissionLevel>;

/** A `permissions:` value as written: a map, `read-all`, `write-all`, or absent (undefined). */
export type PermissionsSpec = Permissions | 'read-all' | 'write-all';

export interface StepDefinition {
  /** The `id:` if given, else GitHub's generated `__run`, `__run_2`, `__actions_checkout`, … */
  id: string;
  /** True when `id:` was written by the user (only those appear in the `steps` context). */
  hasUserId: boolean;
  name?: TemplateToken;
  /** The condition text without `${{ }}`; default `success()`. */
  if: string;
  /** `uses:` exactly as written: `actions/checkout@v4`, `./path`, `docker://…`. */
  uses?: string;
  run?: TemplateToken;
  shell?: TemplateToken;
  with?: TemplateToken;
  env?: TemplateToken;
  continueOnError?: TemplateToken;
  workingDirectory?: TemplateToken;
  timeoutMinutes?: TemplateToken;
}

export interface JobDefinition {
  id: string;
  name?: TemplateToken;
  needs: string[];
  /** The condition text without `${{ }}`; default `success()`. */
  if: string;
  runsOn?: TemplateToken;
  env?: TemplateToken;
  outputs?: TemplateToken;
  strategy?: TemplateToken;
  environment?: TemplateToken;
  permissions?: PermissionsSpec;
  defaults: { run?: RunDefaults };
  /**
   * The job's `defaults.run` mapping, set only when one of its values is an expression (GitHub allows
   * that at job level); `defaults.run` then holds just the literal values. Evaluate with evaluateStringMap.
   */
  runDefaultsToken?: TemplateToken;
  timeoutMinutes?: TemplateToken;
  continueOnError?: TemplateToken;
  concurrency?: TemplateToken;
  /** `container:` and `services:` as written (the runner decides what it supports). */
  container?: TemplateToken;
  services?: TemplateToken;
  /** `uses:` of a reusable-workflow job: `./.github/workflows/x.yml` or `owner/repo/.github/workflows/x.yml@ref`. */
  uses?: string;
  /** A reusable-workflow job's `with:` (evaluated by the runner with github/needs/strategy/matrix/inputs/vars). */
  with?: TemplateToken;
  /** A reusable-workflow job's `secrets:`: a mapping to evaluate, or `inherit`. */
  secrets?: TemplateToken | 'inherit';
  steps: StepDefinition[];
}

export interface PushFilter {
  branches?: string[];
  'branches-ignore'?: string[];
  tags?: string[];
  'tags-ignore'?: string[];
  paths?: string[];
  'paths-ignore'?: string[];
}

export interface WorkflowDispatchInput {
  type: 'string' | 'choice' | 'boolean' | 'environment' | 'number';
  description?: string;
  required?: boolean;
  default?: string | boolean | number;
  options?: string[];
}

/** One `on.workflow_call.inputs` entry: GitHub allows string, boolean and number. */
export interface WorkflowCallInput {
  type: 'string' | 'boolean' | 'number';
  required: boolean;
  /** A literal default, or an expression (GitHub evaluates it with the github context). */
  default?: string | boolean | number | TemplateToken;
}

/** `on.workflow_call`: what a caller must and may pass, and what the callee returns. */
export interface WorkflowCallTrigger {
  inputs: Record<string, WorkflowCallInput>;
  /** Declared secrets; `required: true` ones must be passed (or inherited). */
  secrets: Record<string, { required: boolean }>;
  /** Output name → its `value:` expression, evaluated with the `jobs` context. */
  outputs: Record<string, TemplateToken>;
}

/** `on.workflow_run`: which workflows' runs, which activity, which branches. */
export interface WorkflowRunFilter {
  /** Workflow names (glob patterns, as GitHub allows). */
  workflows: string[];
  /** `requested`, `in_progress`, `completed`; empty means all of them, as GitHub does. */
  types: string[];
  branches?: string[];
  'branches-ignore'?: string[];
}

export interface WorkflowDefinition {
  /** Path in the repository, e.g. `.github/workflows/deploy.yml`. */
  file: string;
  /** `name:` or, as GitHub does, the file path. */
  name: string;
  /** `run-name:` if any. */
  runName?: TemplateToken;
  on: {
    push?: PushFilter;
    workflow_dispatch?: { inputs: Record<string, WorkflowDispatchInput> };
    workflow_call?: WorkflowCallTrigger;
    workflow_run?: WorkflowRunFilter;
    /** Other events are kept by name only; dockyard triggers push, workflow_dispatch, workflow_call and workflow_run. */
    other: string[];
  };
  env?: TemplateToken;
  permissions?: PermissionsSpec;
  defaults: { run?: RunDefaults };
  concurrency?: TemplateToken;
  jobs: JobDefinition[];
}

export type ParseResult = { workflow: WorkflowDefinition; errors: [] } | { workflow?: undefined; errors: string[] };

/** What a push changed, for trigger matching. */
export interface PushEventInfo {
  /** `refs/heads/main` or `refs/tags/v1`. */
  ref: string;
  /** Files changed by the push; undefined when unknown (new branch: GitHub then skips path filters). */
  changedFiles?: string[];
  /** True when the push deleted the ref: GitHub never starts `push` workflows for that. */
  deleted?: boolean;
}

/** One job instance after matrix expansion. */
export interface MatrixExpansion {
  /** One entry per job instance; `[{}]` when there is no matrix. */
  combinations: Record<string, Json>[];
  failFast: boolean;
  maxParallel?: number;
}

/**
 * The functions src/workflow/index.ts exports (signatures only; see their modules).
 *
 * parseWorkflowFile(file: string, content: string): ParseResult
 *   Schema-validated by @actions/workflow-parser; errors carry its messages (with line:col).
 * matchesPush(workflow: WorkflowDefinition, event: PushEventInfo): boolean
 *   GitHub's rules: branches vs tags filters, `!` negation in order, glob syntax (* ** ? + [] !),
 *   paths/paths-ignore only when changedFiles is known.
 * evaluateCondition(condition: string, scope: Scope): boolean
 *   `if:` semantics: optional `${{ }}`, implicit `success() &&` when no status function appears.
 * evaluateToken(token: TemplateToken, scope: Scope): Json
 *   Expands `${{ }}` inside strings, mappings (incl. `${{ insert }}`) and sequences.
 * evaluateString(token: TemplateToken | undefined, scope: Scope, fallback?: string): string
 * evaluateStringMap(token: TemplateToken | undefined, scope: Scope): Record<string, string>
 *   For env/with/outputs: values coerced to strings as the runner does (true → 'true').
 * expandMatrix(strategy: TemplateToken | undefined, scope: Scope, jobId?: string): MatrixExpansion
 *   include/exclude rules as GitHub documents them; throws Error with GitHub's message on bad input
 *   (jobId only names the job in the >256 message).
 * effectivePermissions(workflow: WorkflowDefinition, job: JobDefinition): Permissions
 *   Job's permissions, else workflow's, else the permissive default (contents: write, id-token: none…);
 *   unspecified scopes are `none` once any is specified; `write` implies `read`.
 * jobDisplayName(job, scope, combination?) / stepDisplayName(step, scope): names as GitHub shows them
 *   (`Run <first line of run>`, `Run actions/checkout@v4`, job name with matrix values appended;
 *   the values come from `combination`, else from the scope's matrix context).
 *
 * Errors: evaluate* throw ExpressionFailure (bad or failing expression) or TemplateValueError (a value
 * of the wrong shape, e.g. a mapping for `run`); both are Errors whose message suits a job log.
 * matchesPush never matches a deleted ref (`deleted: true`): GitHub never runs `push` workflows for deletions.
 */
export {};
