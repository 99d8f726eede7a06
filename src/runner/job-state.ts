/**
 * The mutable state of one running job that its steps read and change: the environment
 * accumulated from GITHUB_ENV and GITHUB_PATH, the job status the status functions see, the
 * masker, the log, post steps waiting to run, and the processes to kill on cancel.
 */
import type { Json, RunDefaults, Scope } from '../workflow/contract.js';
import type { ActionDefinition } from './actions/definition.js';
import type { ActionResolver, ResolvedAction } from './actions/resolve.js';
import type { JobPaths } from './job-env.js';
import type { JobHost } from './job-host.js';
import type { JobLog } from './job-log.js';
import type { Masker } from './masker.js';
import type { StartedProcess } from './processes.js';
import type { Annotation } from './types.js';

/** Which status functions are true for the next step. */
export type JobStatus = 'success' | 'failure' | 'cancelled';

/** The context a group of steps runs in: the job itself, or a composite action's steps. */
export interface StepFrame {
  /** The `steps` context of this frame (user ids only). */
  steps: Record<string, Json>;
  /** The `inputs` context (a composite action's inputs; the run's inputs at the top). */
  inputs: Json;
  /** Set inside an action: GITHUB_ACTION_PATH, github.action_path, github.action_repository/ref. */
  action?: { path: string; repository: string; ref: string };
  /** Top-level steps are recorded (DB rows, events); a composite's inner steps only log. */
  recorded: boolean;
  /** `defaults.run` (job over workflow); composite steps have none. */
  defaults: RunDefaults;
  /** Env a composite step's parent set (`env:` of the `uses:` step). */
  env: Record<string, string>;
  depth: number;
  /** Inside a composite action: failure once one of its steps failed (its status functions see it). */
  status?: JobStatus;
}

export interface JobState {
  readonly runId: number;
  readonly jobId: number;
  /** The job's key in the workflow (GITHUB_JOB). */
  readonly jobKey: string;
  readonly jobName: string;
  /** The job's directories on the host (the runner reads and writes them here). */
  readonly paths: JobPaths;
  /** The same directories as the job sees them (contexts, variables, process arguments). */
  readonly view: JobPaths;
  /** Where the job's processes run: this host or its container. */
  readonly host: JobHost;
  readonly log: JobLog;
  readonly masker: Masker;
  /** Finds the actions steps use (the action cache, the actions server, the built-ins). */
  readonly actions: ActionResolver;
  /** What this job's resolutions learnt (whether the actions server answered). */
  readonly actionResolution: { serverDown?: string };
  readonly debug: boolean;
  /** Remote actions resolved in this job (local ones are read at each use: the workspace changes). */
  readonly loadedActions: Map<string, { resolved: ResolvedAction; definition: ActionDefinition }>;
  /** State an action's pre stage saved, by step id, for its main and post stages. */
  readonly actionState: Map<string, Record<string, string>>;
  status: JobStatus;
  /** True once stop() asked for the job to end: no further steps, not even always() ones. */
  halted: boolean;
  /** Workflow env + job env, evaluated at job start. */
  readonly env: Record<string, string>;
  /** What steps wrote to GITHUB_ENV (and set-env). */
  readonly fileEnv: Record<string, string>;
  /** GITHUB_PATH additions, most recent first. */
  readonly pathAdditions: string[];
  /** GITHUB_* and RUNNER_*: every step gets them, whatever its env says. */
  readonly defaultVariables: Record<string, string>;
  /** The host's (see JobHost.baseEnvironment), CI / AWS_ENDPOINT_URL / DOCKER_CONFIG: the env below the workflow's. */
  readonly baseEnvironment: Record<string, string>;
  /** ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, only with id-token: write. */
  readonly idTokenVariables: Record<string, string>;
  /**
   * ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL and the cache's variables: given to actions'
   * processes only, as GitHub's runner does (a `run:` step does not see them).
   */
  readonly runtimeVariables: Record<string, string>;
  /** The contexts that do not change per step: github, vars, secrets, runner, needs, matrix, strategy. */
  readonly contexts: {
    github: Record<string, Json>;
    vars: Json;
    secrets: Json;
    runner: Json;
    needs: Json;
    matrix: Json;
    strategy: Json;
    services?: Json;
  };
  readonly processes: Set<StartedProcess>;
  /** Post steps of actions, run in reverse order after the main steps. */
  readonly postSteps: PostStep[];
  readonly annotations: Annotation[];
  summary: string;
  /** Next recorded step number. */
  nextStepNumber: number;
  /** Persists and emits step records (top-level steps only). */
  readonly record: StepRecorder;
}

export interface PostStep {
  name: string;
  /** The id of the step that registered it (GITHUB_ACTION). */
  stepId: string;
  /** `post-if` / a pre step's `pre-if`; evaluated in `frame`. */
  condition: string;
  frame: StepFrame;
  run(): Promise<'success' | 'failure' | 'cancelled'>;
}

export interface StepRecorder {
  started(number: number, stepId: string, name: string): void;
  completed(
    number: number,
    stepId: string,
    name: string,
    outcome: 'success' | 'failure' | 'cancelled' | 'skipped',
    conclusion: 'success' | 'failure' | 'cancelled' | 'skipped',
    outputs: Record<string, string>,
  ): void;
}

/** The evaluation scope for a step in a frame, with the env context the step sees. */
export function stepScope(job: JobState, frame: StepFrame, env: Record<string, string>): Scope {
  const status = frameStatus(job, frame);
  const github =
    frame.action === undefined
      ? job.contexts.github
      : {
          ...job.contexts.github,
          action_path: job.host.toJob(frame.action.path),
          action_repository: frame.action.repository,
          action_ref: frame.action.ref,
        };
  return {
    contexts: {
      github,
      env,
      vars: job.contexts.vars,
      secrets: job.contexts.secrets,
      steps: frame.steps,
      job:
        job.contexts.services === undefined
          ? { status: job.status }
          : { status: job.status, services: job.contexts.services },
      runner: job.contexts.runner,
      needs: job.contexts.needs,
      matrix: job.contexts.matrix,
      strategy: job.contexts.strategy,
      inputs: frame.inputs,
    },
    state: { status },
    workspace: job.paths.workspace,
  };
}

/** The env context before a step's own `env:`: workflow, job, GITHUB_ENV, then a composite parent's. */
export function frameEnv(job: JobState, frame: StepFrame): Record<string, string> {
  return { ...job.env, ...job.fileEnv, ...frame.env };
}

/** The status a frame's status functions see: the job's, or a failed composite's. */
export function frameStatus(job: JobState, frame: StepFrame): JobStatus {
  if (job.status === 'cancelled' || frame.status === undefined) return job.status;
  return frame.status === 'failure' ? 'failure' : job.status;
}

/** Marks a step failure where its status functions will see it. */
export function markFailed(job: JobState, frame: StepFrame): void {
  if (frame.recorded) {
    if (job.status !== 'cancelled') job.status = 'failure';
  } else {
    frame.status = 'failure';
  }
}

/** The environment of a process started for a step (see job-env.ts for what each layer is). */
export function processEnvironment(
  job: JobState,
  frame: StepFrame,
  stepId: string,
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...job.baseEnvironment,
    ...env,
    ...extra,
    ...job.defaultVariables,
    GITHUB_ACTION: stepId,
    ...(frame.action === undefined
      ? {}
      : {
          GITHUB_ACTION_PATH: job.host.toJob(frame.action.path),
          GITHUB_ACTION_REPOSITORY: frame.action.repository,
          GITHUB_ACTION_REF: frame.action.ref,
        }),
    ...job.idTokenVariables,
  };
}
