/**
 * The claim set of a GitHub Actions OIDC token, built from a description of the job.
 *
 * Reproduced from GitHub's documentation and real tokens: ids and counters are *strings*;
 * `sub` is chosen environment → pull_request → ref (first match wins) with `:` inside values
 * written as `%3A`; `aud` defaults to `https://github.com/<owner>`; `exp = iat + 300` and
 * `nbf = iat − 600`; head_ref/base_ref are empty strings outside pull requests.
 *
 * By design: runner_environment is `self-hosted`, repository_visibility `private` and
 * ref_protected `false` (dockyard is a local runner with no notion of branch protection).
 * Missing ids are derived from names by hashing, so the same repository always gets the same
 * repository_id and a trust policy pinned to it keeps matching.
 *
 * Gaps: the ids-in-subject format GitHub uses for repositories created after 2026-07-15
 * (`repo:O@id/R@id:…`), `include_claim_keys` subject templates, environment_node_id,
 * enterprise/enterprise_id and repo_property_* are not produced.
 * A job of a reusable workflow carries the called workflow in job_workflow_ref/job_workflow_sha.
 */
import { createHash, randomUUID } from 'node:crypto';

/** Seconds a token is valid after `iat` (GitHub: 5 minutes). */
export const TOKEN_LIFETIME_SECONDS = 300;
/** Seconds `nbf` lies before `iat` (GitHub: 10 minutes, to absorb clock skew). */
export const NOT_BEFORE_SKEW_SECONDS = 600;

/** Every claim a dockyard job token can carry, in the order tokens list them; `claims_supported`. */
export const JOB_CLAIM_NAMES = [
  'jti',
  'sub',
  'environment',
  'aud',
  'ref',
  'sha',
  'repository',
  'repository_owner',
  'repository_owner_id',
  'run_id',
  'run_number',
  'run_attempt',
  'repository_visibility',
  'repository_id',
  'actor_id',
  'actor',
  'workflow',
  'head_ref',
  'base_ref',
  'event_name',
  'ref_protected',
  'ref_type',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'check_run_id',
  'runner_environment',
  'iss',
  'nbf',
  'exp',
  'iat',
] as const;

/** A count or id given either way; claims always carry it as a decimal string. */
export type NumericId = string | number;

/** What the runner knows about a job; everything but repository and ref has a default. */
export interface JobClaimsInput {
  /** `OWNER/NAME`. */
  repository: string;
  /** `refs/heads/main`, `refs/tags/v1`, `refs/pull/1/merge`; a bare `main` means `refs/heads/main`. */
  ref: string;
  /** Commit SHA; default: a stable fake SHA-1 derived from repository and ref. */
  sha?: string;
  /** Triggering event; default `push`. */
  eventName?: string;
  /** Deployment environment; when set (non-empty) it decides `sub`. */
  environment?: string;
  /** Login that triggered the run; default the repository owner. */
  actor?: string;
  /** Workflow name; default the workflow file's path, as GitHub does for unnamed workflows. */
  workflow?: string;
  /** `ci.yml` or `.github/workflows/ci.yml`; default `ci.yml`. */
  workflowFile?: string;
  runId?: NumericId;
  /** Default 1. */
  runNumber?: NumericId;
  /** Default 1. */
  runAttempt?: NumericId;
  /** Default `https://github.com/<owner>`. */
  audience?: string;
  /** Pull-request source branch; default empty, as GitHub sends outside pull requests. */
  headRef?: string;
  /** Pull-request target branch; default empty. */
  baseRef?: string;
  repositoryId?: NumericId;
  ownerId?: NumericId;
  actorId?: NumericId;
  checkRunId?: NumericId;
  /** A job of a called (reusable) workflow: `owner/repo/.github/workflows/x.yml@ref`; default workflow_ref. */
  jobWorkflowRef?: string;
  /** The called workflow's commit; default `sha`. */
  jobWorkflowSha?: string;
}

/** When and by whom the token is issued. */
export interface JobClaimsContext {
  /** The `iss` claim, e.g. `https://token.actions.githubusercontent.com`. */
  issuer: string;
  /** Issue time; `iat` is its whole seconds. */
  now: Date;
  /** Token id; default a random UUID. */
  jti?: string;
}

/** A GitHub Actions OIDC claim set. A type alias (not an interface) so it is a jose JWTPayload. */
export type JobClaims = {
  jti: string;
  sub: string;
  environment?: string;
  aud: string;
  ref: string;
  sha: string;
  repository: string;
  repository_owner: string;
  repository_owner_id: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  repository_visibility: 'private';
  repository_id: string;
  actor_id: string;
  actor: string;
  workflow: string;
  head_ref: string;
  base_ref: string;
  event_name: string;
  ref_protected: 'false';
  ref_type: 'branch' | 'tag';
  workflow_ref: string;
  workflow_sha: string;
  job_workflow_ref: string;
  job_workflow_sha: string;
  check_run_id: string;
  runner_environment: 'self-hosted';
  iss: string;
  nbf: number;
  exp: number;
  iat: number;
};

/** A job description the claims cannot be built from (a bug in the caller, not a client error). */
export class JobClaimsError extends Error {
  override readonly name = 'JobClaimsError';
}

/** Builds the full claim set for one token. Throws JobClaimsError for an unusable input. */
export function buildJobClaims(input: JobClaimsInput, context: JobClaimsContext): JobClaims {
  const job = resolveJob(input);
  const iat = Math.floor(context.now.getTime() / 1000);
  return {
    jti: context.jti ?? randomUUID(),
    sub: subject(job),
    // Only present when the job names an environment, as on GitHub.
    ...(job.environment === undefined ? {} : { environment: job.environment }),
    aud: job.audience,
    ref: job.ref,
    sha: job.sha,
    repository: job.repository,
    repository_owner: job.owner,
    repository_owner_id: job.ownerId,
    run_id: job.runId,
    run_number: job.runNumber,
    run_attempt: job.runAttempt,
    repository_visibility: 'private',
    repository_id: job.repositoryId,
    actor_id: job.actorId,
    actor: job.actor,
    workflow: job.workflow,
    head_ref: job.headRef,
    base_ref: job.baseRef,
    event_name: job.eventName,
    ref_protected: 'false',
    ref_type: job.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    workflow_ref: job.workflowRef,
    workflow_sha: job.sha,
    // The called workflow for a job of a reusable workflow (workflow_ref stays the caller's), as on GitHub.
    job_workflow_ref: input.jobWorkflowRef ?? job.workflowRef,
    job_workflow_sha: input.jobWorkflowSha ?? job.sha,
    check_run_id: job.checkRunId,
    runner_environment: 'self-hosted',
    iss: context.issuer,
    nbf: iat - NOT_BEFORE_SKEW_SECONDS,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    iat,
  };
}

/** Checks an input without building claims, so a bad job fails when it is registered. */
export function validateJobClaimsInput(input: JobClaimsInput): void {
  resolveJob(input);
}

/** Writes a ref as GitHub does: a bare branch name becomes `refs/heads/<name>`. */
export function normaliseRef(ref: string): string {
  const trimmed = ref.trim();
  if (trimmed === '') throw new JobClaimsError('ref must not be empty');
  return trimmed.startsWith('refs/') ? trimmed : `refs/heads/${trimmed}`;
}

/** `%3A` for every `:` inside a subject component, so the component boundaries stay unambiguous. */
export function encodeSubjectValue(value: string): string {
  return value.replaceAll(':', '%3A');
}

/**
 * A stable numeric id derived from a name: the same (namespace, name) always gives the same id.
 * Names are compared case-insensitively, like GitHub logins and repository names.
 */
export function stableNumericId(namespace: string, name: string, digits = 9): string {
  const hash = createHash('sha256').update(`${namespace}:${name.toLowerCase()}`).digest();
  const floor = 10 ** (digits - 1);
  return String(floor + (hash.readUIntBE(0, 6) % (9 * floor)));
}

interface ResolvedJob {
  repository: string;
  owner: string;
  ref: string;
  sha: string;
  eventName: string;
  environment: string | undefined;
  actor: string;
  workflow: string;
  workflowRef: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  audience: string;
  headRef: string;
  baseRef: string;
  repositoryId: string;
  ownerId: string;
  actorId: string;
  checkRunId: string;
}

function resolveJob(input: JobClaimsInput): ResolvedJob {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(input.repository);
  if (match === null)
    throw new JobClaimsError(`repository must be OWNER/NAME, got ${JSON.stringify(input.repository)}`);
  const owner = match[1] as string;
  const ref = normaliseRef(input.ref);
  const sha =
    nonEmpty(input.sha, 'sha') ?? createHash('sha1').update(`dockyard:${input.repository}:${ref}`).digest('hex');
  const workflowFile = (nonEmpty(input.workflowFile, 'workflowFile') ?? 'ci.yml').replace(/^\.github\/workflows\//, '');
  const workflowPath = `.github/workflows/${workflowFile}`;
  const actor = nonEmpty(input.actor, 'actor') ?? owner;
  const runNumber = numericId(input.runNumber, 'runNumber') ?? '1';
  const runAttempt = numericId(input.runAttempt, 'runAttempt') ?? '1';
  const runId =
    numericId(input.runId, 'runId') ??
    stableNumericId('run', `${input.repository}:${workflowPath}:${sha}:${runNumber}`, 10);
  const environment = input.environment === undefined || input.environment === '' ? undefined : input.environment;
  return {
    repository: input.repository,
    owner,
    ref,
    sha,
    eventName: nonEmpty(input.eventName, 'eventName') ?? 'push',
    environment,
    actor,
    workflow: nonEmpty(input.workflow, 'workflow') ?? workflowPath,
    workflowRef: `${input.repository}/${workflowPath}@${ref}`,
    runId,
    runNumber,
    runAttempt,
    audience: nonEmpty(input.audience, 'audience') ?? `https://github.com/${owner}`,
    headRef: input.headRef ?? '',
    baseRef: input.baseRef ?? '',
    repositoryId: numericId(input.repositoryId, 'repositoryId') ?? stableNumericId('repository', input.repository),
    // Owners and actors share one namespace: an actor who is the owner gets the owner's id.
    ownerId: numericId(input.ownerId, 'ownerId') ?? stableNumericId('account', owner),
    actorId: numericId(input.actorId, 'actorId') ?? stableNumericId('account', actor),
    checkRunId: numericId(input.checkRunId, 'checkRunId') ?? stableNumericId('check-run', `${runId}:${runAttempt}`, 11),
  };
}

function subject(job: ResolvedJob): string {
  const prefix = `repo:${encodeSubjectValue(job.repository)}`;
  if (job.environment !== undefined) return `${prefix}:environment:${encodeSubjectValue(job.environment)}`;
  if (job.eventName === 'pull_request') return `${prefix}:pull_request`;
  return `${prefix}:ref:${encodeSubjectValue(job.ref)}`;
}

function nonEmpty(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new JobClaimsError(`${field} must not be empty`);
  return value;
}

function numericId(value: NumericId | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text))
    throw new JobClaimsError(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return text;
}
