/**
 * A job's environment as GitHub's runner builds it: the `github` and `runner` contexts and the
 * default environment variables derived from them (GITHUB_*, RUNNER_*, CI), plus dockyard's
 * own (AWS_ENDPOINT_URL, DOCKER_CONFIG on this host). Paths in contexts and variables are the
 * job's view of them (/home/runner/work/… in a job container; the host's own on self-hosted).
 *
 * By design: the environment is built from scratch, never inherited from the cloud process.
 * A job in a container starts from its image's environment (the engine's); a self-hosted job
 * gets only what a login shell would have of the host's (PATH, HOME, USER, locale, TZ…), so a
 * variable of the cloud's own (CONTAINER_NAME, AWS_*, NODE_OPTIONS) never changes a workflow.
 * GITHUB_API_URL and GITHUB_GRAPHQL_URL point at paths under the git server that dockyard does
 * not serve (there is no REST API).
 */
import { arch } from 'node:os';
import type { Json } from '../workflow/contract.js';

/** The runner's name in RUNNER_NAME, `runner.name` and the job-timeout message. */
export const RUNNER_NAME = 'dockyard';

/** Directories one job uses. */
export interface JobPaths {
  /** `<dataDir>/work/<runId>-<job>`; removed after the job. */
  root: string;
  /** GITHUB_WORKSPACE: `<root>/<repository name>`. */
  workspace: string;
  /** RUNNER_TEMP: `<root>/_temp`, fresh for the job. */
  temp: string;
  /** Where each step's file-command files are created. */
  fileCommands: string;
  /** RUNNER_TOOL_CACHE: shared by all jobs, like a self-hosted runner's. */
  toolCache: string;
  /** DOCKER_CONFIG: `<root>/_docker`, so `docker login` in a job does not touch the host's config. */
  dockerConfig: string;
  /** GITHUB_EVENT_PATH. */
  eventPath: string;
}

/** GitHub's RUNNER_ARCH spelling. */
export function runnerArch(): string {
  switch (arch()) {
    case 'x64':
      return 'X64';
    case 'arm64':
      return 'ARM64';
    case 'arm':
      return 'ARM';
    case 'ia32':
      return 'X86';
    default:
      return arch().toUpperCase();
  }
}

/** What a job knows about its run; the github context is built from it. */
export interface GithubFacts {
  token: string;
  repository: string;
  ref: string;
  sha: string;
  eventName: string;
  event: Json;
  workflow: string;
  workflowFile: string;
  job: string;
  runId: number;
  runNumber: number;
  runAttempt: number;
  actor: string;
  serverUrl: string;
  workspace: string;
  eventPath: string;
}

/** `refs/heads/main` → `main`; `refs/tags/v1` → `v1`. */
export function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

export function refType(ref: string): 'branch' | 'tag' {
  return ref.startsWith('refs/tags/') ? 'tag' : 'branch';
}

/** The `github` context (without the per-step `action*` fields, which stepGithubContext adds). */
export function githubContext(facts: GithubFacts): Record<string, Json> {
  const [owner] = facts.repository.split('/');
  const workflowRef = `${facts.repository}/${facts.workflowFile}@${facts.ref}`;
  return {
    token: facts.token,
    repository: facts.repository,
    repository_owner: owner ?? '',
    repositoryUrl: `${facts.serverUrl}/${facts.repository}.git`,
    ref: facts.ref,
    ref_name: refName(facts.ref),
    ref_type: refType(facts.ref),
    ref_protected: false,
    sha: facts.sha,
    head_ref: '',
    base_ref: '',
    event_name: facts.eventName,
    event: facts.event,
    event_path: facts.eventPath,
    workflow: facts.workflow,
    workflow_ref: workflowRef,
    workflow_sha: facts.sha,
    job: facts.job,
    run_id: String(facts.runId),
    run_number: String(facts.runNumber),
    run_attempt: String(facts.runAttempt),
    retention_days: '90',
    actor: facts.actor,
    triggering_actor: facts.actor,
    server_url: facts.serverUrl,
    api_url: `${facts.serverUrl}/api/v3`,
    graphql_url: `${facts.serverUrl}/api/graphql`,
    workspace: facts.workspace,
    secret_source: 'Actions',
    action: '',
    action_path: '',
    action_ref: '',
    action_repository: '',
  };
}

/** RUNNER_ENVIRONMENT: a fresh container stands in for GitHub's hosted VM; this host is self-hosted. */
export type RunnerEnvironment = 'github-hosted' | 'self-hosted';

/** The `runner` context; `paths` as the job sees them. */
export function runnerContext(paths: JobPaths, debug: boolean, environment: RunnerEnvironment): Record<string, Json> {
  return {
    os: 'Linux',
    arch: runnerArch(),
    name: RUNNER_NAME,
    temp: paths.temp,
    tool_cache: paths.toolCache,
    environment,
    debug: debug ? '1' : '',
  };
}

/** GITHUB_* and RUNNER_* variables every step gets (GitHub's list, from the contexts); `paths` as the job sees them. */
export function defaultStepVariables(
  github: Record<string, Json>,
  paths: JobPaths,
  debug: boolean,
  environment: RunnerEnvironment,
): Record<string, string> {
  const text = (name: string) => {
    const value = github[name];
    return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  };
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: text('repository'),
    GITHUB_REPOSITORY_OWNER: text('repository_owner'),
    GITHUB_REF: text('ref'),
    GITHUB_REF_NAME: text('ref_name'),
    GITHUB_REF_TYPE: text('ref_type'),
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_SHA: text('sha'),
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    GITHUB_EVENT_NAME: text('event_name'),
    GITHUB_EVENT_PATH: paths.eventPath,
    GITHUB_WORKFLOW: text('workflow'),
    GITHUB_WORKFLOW_REF: text('workflow_ref'),
    GITHUB_WORKFLOW_SHA: text('workflow_sha'),
    GITHUB_JOB: text('job'),
    GITHUB_RUN_ID: text('run_id'),
    GITHUB_RUN_NUMBER: text('run_number'),
    GITHUB_RUN_ATTEMPT: text('run_attempt'),
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_ACTOR: text('actor'),
    GITHUB_TRIGGERING_ACTOR: text('triggering_actor'),
    GITHUB_SERVER_URL: text('server_url'),
    GITHUB_API_URL: text('api_url'),
    GITHUB_GRAPHQL_URL: text('graphql_url'),
    GITHUB_WORKSPACE: paths.workspace,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: runnerArch(),
    RUNNER_NAME,
    RUNNER_TEMP: paths.temp,
    RUNNER_TOOL_CACHE: paths.toolCache,
    RUNNER_ENVIRONMENT: environment,
    ...(debug ? { RUNNER_DEBUG: '1' } : {}),
  };
}

/**
 * Defaults a workflow may override (its `env:`, GITHUB_ENV): CI, AWS_ENDPOINT_URL, and on this
 * host DOCKER_CONFIG (a job container has its own home for `docker login`).
 * GITHUB_* and RUNNER_* (defaultStepVariables) cannot be overridden, as on GitHub.
 */
export function overridableStepVariables(cloudUrl: string, dockerConfig?: string): Record<string, string> {
  return {
    CI: 'true',
    AWS_ENDPOINT_URL: cloudUrl,
    ...(dockerConfig === undefined ? {} : { DOCKER_CONFIG: dockerConfig }),
  };
}

/** What a self-hosted job gets of the host's environment: what a login would have, nothing of the cloud's own. */
const LOGIN_VARIABLES = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TERM)$/;

/** The host environment a self-hosted job starts from (see the header). */
export function hostEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && LOGIN_VARIABLES.test(name)) result[name] = value;
  }
  return result;
}
