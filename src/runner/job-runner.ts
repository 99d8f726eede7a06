/**
 * Runs one job instance (a matrix combination counts as one) where its `runs-on` says: in a
 * fresh container of a runner image (./container/), or on this host for `self-hosted`. A fresh
 * workspace and RUNNER_TEMP, a read GITHUB_TOKEN, an ID-token request URL only with
 * `id-token: write`, pre steps, main steps, post steps in reverse order, job outputs, then
 * everything torn down (tokens revoked, the container or leftover processes gone, directories
 * removed). An unserved `runs-on` fails the job at once, saying what is served.
 *
 * Reproduced from GitHub: the default timeout is 360 minutes and its message; job outputs that
 * contain a secret are skipped with GitHub's warning; `environment:` sets the OIDC subject and
 * brings the environment's secrets and variables; a job of a called workflow has the caller's
 * permissions at most and the called workflow in its token's job_workflow_ref.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { GitAccessTokens } from '../git/contract.js';
import type { JobTokenBroker } from '../identity/job-tokens.js';
import type { Json, JobDefinition, Permissions, Scope, WorkflowDefinition } from '../workflow/contract.js';
import {
  calledJobPermissions,
  effectivePermissions,
  evaluateCondition,
  evaluateStringMap,
  evaluateToken,
  stepDisplayName,
} from '../workflow/index.js';
import type { CalledWorkflows, CallSite } from './called-workflows.js';
import { actionInputs, loadUses } from './actions/uses-step.js';
import { runNodeStage } from './actions/node-action.js';
import type { ActionResolver } from './actions/resolve.js';
import {
  defaultStepVariables,
  githubContext,
  overridableStepVariables,
  RUNNER_NAME,
  runnerContext,
  type JobPaths,
} from './job-env.js';
import { JobLog } from './job-log.js';
import { frameEnv, stepScope, type JobState, type PostStep, type StepFrame } from './job-state.js';
import type { Masker } from './masker.js';
import type { RunStore } from './run-store.js';
import type { JobContainerRunner } from './container/container-jobs.js';
import { HostJob } from './host-job.js';
import type { JobHost } from './job-host.js';
import { jobView, startJobHost } from './job-placement.js';
import type { RunsOnResolution } from './runs-on.js';
import { errorMessage } from '../core/errors.js';
import { runStep } from './step-runner.js';
import type { Conclusion, RunEvent, RunRecord } from './types.js';
import { defaultBranchOf, type JobResults } from './job-results.js';
import { runTokenClaims } from './run-claims.js';

/** GitHub's default job timeout. */
const DEFAULT_JOB_TIMEOUT_MINUTES = 360;

/** What every job of a run shares. */
export interface RunEnvironment {
  run: RunRecord;
  workflow: WorkflowDefinition;
  event: Json;
  inputs: Json;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Holds the run's secrets; each job forks it. */
  masker: Masker;
  store: RunStore;
  emit(event: RunEvent): void;
  dataDir: string;
  serverUrl: string;
  cloudUrl: string;
  gitTokens: GitAccessTokens;
  broker: JobTokenBroker;
  /** The results service (artifacts, caches); absent: jobs get no ACTIONS_RUNTIME_TOKEN. */
  results?: JobResults;
  actions: ActionResolver;
  /** dockyard's variables for jobs on this host (DOCKER_HOST, the runner's marker…). */
  jobEnv: Record<string, string>;
  /** Which runner takes a job, from its evaluated `runs-on`. */
  placement(runsOn: Json): RunsOnResolution;
  /** Starts job containers; absent when this cloud has no container engine for jobs. */
  containers: JobContainerRunner | undefined;
  /** Takes work that goes on after a job is reported (its container's release): the runner's stop waits for it. */
  afterJob?(work: Promise<void>): void;
  clock: Clock;
  logger: Logger;
  /** A deployment environment's own secrets and variables (`jobs.<id>.environment`). */
  environmentValues(name: string): { secrets: Record<string, string>; vars: Record<string, string> };
  /** Reads the workflows that `jobs.<id>.uses` call. */
  calledWorkflows: CalledWorkflows;
  /** Set for the jobs of a called (reusable) workflow: `workflow`, `inputs` and `secrets` are then the callee's. */
  call?: WorkflowCallFrame;
}

/** Where the jobs of a called workflow stand. */
export interface WorkflowCallFrame {
  /** The called workflow's `owner/repo/path@ref` and commit: its jobs' job_workflow_ref/sha. */
  ref: string;
  sha: string;
  /** Where the called workflow was read from: its own `./` calls resolve there. */
  site: CallSite;
  /** The calling job's permissions, which the called workflow may only lower. */
  permissions: Permissions;
  /** 1 for a workflow the run's own workflow calls, 2 for one that calls, … */
  depth: number;
  /** `caller / ` (nested: `outer / inner / `): what GitHub puts before the called jobs' names. */
  namePrefix: string;
  /** Keeps log files and work directories of called jobs apart from the caller's own. */
  keyPrefix: string;
}

/** One job instance to run. */
export interface JobInstance {
  job: JobDefinition;
  /** Database id. */
  jobId: number;
  name: string;
  /** Directory name under <dataDir>/work: `<runId>[-<attempt>]-<job key>[-<n>]` (the attempt from the second on). */
  dirName: string;
  logFile: string;
  matrix: Record<string, Json> | null;
  /** The evaluated `runs-on`. */
  runsOn: Json;
  strategy: Json;
  needs: Record<string, Json>;
  /** Why the job cannot run here (container:, services:, reusable workflow). */
  unsupported?: string;
}

export interface JobResult {
  conclusion: Conclusion;
  outputs: Record<string, string>;
  /** `continue-on-error: true` on the job: a failure neither fails the run nor blocks dependants. */
  failureAllowed: boolean;
}

export class JobRunner {
  private state: JobState | undefined;
  private cancelRequested = false;
  private haltRequested = false;
  private timedOut = false;
  /** The job's top-level step frame (its steps context feeds the job outputs). */
  private frame: StepFrame | undefined;
  /** Aborted by cancel: ends a container set-up (an image build, a pull) that is still going on. */
  private readonly setUp = new AbortController();

  constructor(
    private readonly env: RunEnvironment,
    private readonly instance: JobInstance,
  ) {}

  /** Cancels like GitHub's cancel button: the running step is killed; always() steps still run. */
  cancel(): void {
    this.cancelRequested = true;
    this.setUp.abort(new Error('The operation was canceled.'));
    const state = this.state;
    if (state === undefined) return;
    state.status = 'cancelled';
    for (const process of state.processes) process.kill('cancel');
  }

  /** Ends the job now: the running step is killed and nothing else runs (the cloud is stopping). */
  halt(): void {
    this.haltRequested = true;
    if (this.state !== undefined) this.state.halted = true;
    this.cancel();
  }

  async run(): Promise<JobResult> {
    const { env, instance } = this;
    const { run, store, clock } = env;
    const started = clock.now();
    store.updateJob(instance.jobId, { status: 'in_progress', startedAt: started.toISOString() });
    env.emit({ type: 'job', runId: run.id, jobId: instance.jobId, job: instance.name, status: 'in_progress' });

    const root = join(env.dataDir, 'work', instance.dirName);
    const repoName = run.repository.split('/')[1] ?? run.repository;
    // GitHub's runner layout: _work/<repository>/<repository> and _work/_temp.
    const paths: JobPaths = {
      root,
      workspace: join(root, repoName, repoName),
      temp: join(root, '_temp'),
      // Outside the job's directory, which a job may rearrange (file-commands.ts).
      fileCommands: join(env.dataDir, 'work', `${instance.dirName}.files`),
      toolCache: join(env.dataDir, 'tool-cache'),
      dockerConfig: join(root, '_docker'),
      eventPath: join(root, '_temp', '_github_workflow', 'event.json'),
    };
    const masker = env.masker.fork();
    let log: JobLog;
    try {
      rmSync(root, { recursive: true, force: true });
      rmSync(paths.fileCommands, { recursive: true, force: true });
      // The runner's own directories are private (_temp holds file commands with credentials,
      // _docker the registry login); the workspace keeps the job's umask: images copy its modes.
      for (const dir of [
        root,
        paths.temp,
        paths.fileCommands,
        join(paths.temp, '_runner_file_commands'),
        paths.dockerConfig,
        join(root, '_temp', '_github_workflow'),
      ])
        makePrivateDir(dir);
      mkdirSync(paths.workspace, { recursive: true });
      writeFileSync(paths.eventPath, JSON.stringify(env.event, null, 2), { mode: PRIVATE_FILE_MODE });
      log = new JobLog(instance.logFile, masker, clock, env.emit, {
        runId: run.id,
        jobId: instance.jobId,
        job: instance.name,
      });
    } catch (error) {
      // No workspace or log file (a full disk, permissions): the job fails without starting.
      store.addAnnotation(run.id, {
        level: 'error',
        message: `The job could not be set up: ${errorMessage(error)}`,
        job: instance.name,
      });
      return this.complete(started, 'failure', {}, masker, false);
    }
    const cleanups: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    let conclusion: Conclusion = 'success';
    let outputs: Record<string, string> = {};
    let failureAllowed = false;
    let state: JobState | undefined;
    let host: JobHost | undefined;
    try {
      log.write('##[group]Set up job');
      if (instance.unsupported !== undefined) throw new Error(instance.unsupported);
      host = await startJobHost(env, instance, { paths, log, signal: this.setUp.signal });
      const view = jobView(host, paths);
      const gitToken = env.gitTokens.issue(run.repository, 'read');
      cleanups.push(() => gitToken.revoke());
      masker.add(gitToken.token);
      const github = githubContext({
        token: gitToken.token,
        repository: run.repository,
        ref: run.ref,
        sha: run.sha,
        eventName: run.event,
        event: env.event,
        workflow: run.workflowName,
        workflowFile: run.workflowFile,
        job: instance.job.id,
        runId: run.id,
        runNumber: run.runNumber,
        runAttempt: run.runAttempt,
        actor: run.actor,
        serverUrl: env.serverUrl,
        workspace: view.workspace,
        eventPath: view.eventPath,
      });
      let secrets: Record<string, string> = { ...env.secrets, GITHUB_TOKEN: gitToken.token };
      let vars = env.vars;
      // Settled once the environment's settings are known (ACTIONS_STEP_DEBUG may be one of them).
      let debug = false;
      let runner = runnerContext(view, debug, host.environment);
      const baseScope = (envContext: Record<string, string>): Scope => ({
        contexts: {
          github,
          env: envContext,
          vars,
          secrets,
          runner,
          needs: instance.needs,
          matrix: instance.matrix ?? {},
          strategy: instance.strategy,
          inputs: env.inputs,
          job: { status: 'success' },
        },
        state: { status: 'success' },
        workspace: paths.workspace,
      });
      // The environment first (its contexts are github/needs/matrix/vars/inputs): its secrets and
      // variables override the repository's for everything the job evaluates after.
      const environmentName = environmentOf(
        instance.job.environment === undefined ? null : evaluateToken(instance.job.environment, baseScope({})),
      );
      if (environmentName !== undefined) {
        const scoped = env.environmentValues(environmentName);
        for (const value of Object.values(scoped.secrets)) masker.add(value);
        secrets = { ...secrets, ...scoped.secrets, GITHUB_TOKEN: gitToken.token };
        vars = { ...vars, ...scoped.vars };
      }
      debug = isTrue(secrets.ACTIONS_STEP_DEBUG) || isTrue(vars.ACTIONS_STEP_DEBUG);
      runner = runnerContext(view, debug, host.environment);
      const workflowEnv = evaluateStringMap(env.workflow.env, baseScope({}));
      const jobEnv = { ...workflowEnv, ...evaluateStringMap(instance.job.env, baseScope(workflowEnv)) };
      const timeoutValue =
        instance.job.timeoutMinutes === undefined
          ? DEFAULT_JOB_TIMEOUT_MINUTES
          : Number(evaluateToken(instance.job.timeoutMinutes, baseScope(jobEnv)));
      const timeoutMinutes =
        Number.isFinite(timeoutValue) && timeoutValue > 0 ? timeoutValue : DEFAULT_JOB_TIMEOUT_MINUTES;
      failureAllowed =
        instance.job.continueOnError !== undefined &&
        isTrue(String(evaluateToken(instance.job.continueOnError, baseScope(jobEnv))));
      const permissions = jobPermissions(env, instance.job);

      const idTokenVariables: Record<string, string> = {};
      if (permissions['id-token'] === 'write') {
        const registration = env.broker.register({
          ...runTokenClaims(run, environmentName),
          ...(env.call === undefined ? {} : { jobWorkflowRef: env.call.ref, jobWorkflowSha: env.call.sha }),
        });
        cleanups.push(() => registration.revoke());
        masker.add(registration.requestToken);
        idTokenVariables.ACTIONS_ID_TOKEN_REQUEST_URL = `${env.cloudUrl}/_actions/idtoken?api-version=2.0`;
        idTokenVariables.ACTIONS_ID_TOKEN_REQUEST_TOKEN = registration.requestToken;
      }
      // The results service (artifacts, caches): its token and URLs, as a hosted runner sets them.
      const runtimeVariables: Record<string, string> = {};
      if (env.results !== undefined) {
        const results = env.results.registerJob({
          repository: run.repository,
          runId: run.id,
          ref: run.ref,
          defaultBranch: defaultBranchOf(env.event),
        });
        cleanups.push(() => results.revoke());
        masker.add(results.token);
        Object.assign(runtimeVariables, results.variables);
      }

      state = {
        runId: run.id,
        jobId: instance.jobId,
        jobKey: instance.job.id,
        jobName: instance.name,
        paths,
        view,
        host,
        log,
        masker,
        actions: env.actions,
        actionResolution: {},
        debug,
        loadedActions: new Map(),
        actionState: new Map(),
        status: 'success',
        halted: this.haltRequested,
        env: jobEnv,
        fileEnv: {},
        pathAdditions: [],
        defaultVariables: defaultStepVariables(github, view, debug, host.environment),
        baseEnvironment: {
          ...host.baseEnvironment,
          ...overridableStepVariables(env.cloudUrl, host instanceof HostJob ? paths.dockerConfig : undefined),
        },
        idTokenVariables,
        runtimeVariables,
        contexts: {
          github,
          vars,
          secrets,
          runner,
          needs: instance.needs,
          matrix: instance.matrix ?? {},
          strategy: instance.strategy,
          ...(host.services === undefined ? {} : { services: host.services }),
        },
        processes: new Set(),
        postSteps: [],
        annotations: [],
        summary: '',
        nextStepNumber: 1,
        record: this.recorder(log),
      };
      this.state = state;
      if (this.cancelRequested) state.status = 'cancelled';
      const jobState = state;
      timer = setTimeout(() => {
        this.timedOut = true;
        const message = `The job running on runner ${RUNNER_NAME} has exceeded the maximum execution time of ${timeoutMinutes} minutes.`;
        log.write(`##[error]${message}`);
        jobState.annotations.push({ level: 'error', message, job: instance.name });
        this.cancel();
      }, timeoutMinutes * 60_000);

      writeSetUp(log, permissions, environmentName);
      if (this.setUp.signal.aborted) state.status = 'cancelled';
      await this.runSteps(state, instance.job);
      conclusion = this.timedOut ? 'failure' : state.status;
      outputs = this.jobOutputs(state, instance.job);
    } catch (error) {
      const message = errorMessage(error);
      if (state === undefined) log.write('##[endgroup]');
      log.write(`##[error]${message}`);
      store.addAnnotation(run.id, { level: 'error', message: masker.mask(message), job: instance.name });
      conclusion = this.cancelRequested && !this.timedOut ? 'cancelled' : 'failure';
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      for (const cleanup of cleanups) cleanup();
      log.write(`Cleaning up orphan processes`);
      const release = async () => {
        await host?.close();
        try {
          // Retried: a killed process may still be letting go of files in the workspace.
          rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
          rmSync(paths.fileCommands, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
        } catch (error) {
          env.logger.warn('runner: a job workspace could not be removed', { dir: root, error: errorMessage(error) });
        }
      };
      // A job container is released once the job is reported, as GitHub deprovisions a hosted
      // job's VM after the job ends (its steps are over; what they left running dies with the
      // container); the cloud's stop waits for it, a restart's sweep removes what a kill left.
      // On this host, the orphan processes are ended before the job completes, as GitHub's
      // self-hosted runner does.
      const inBackground = host?.environment === 'github-hosted' && env.afterJob !== undefined;
      if (!inBackground) await release();
      if (state !== undefined) {
        for (const annotation of state.annotations) store.addAnnotation(run.id, annotation);
        if (state.summary !== '') store.setSummary(run.id, instance.name, state.summary);
      }
      log.close();
      if (inBackground) env.afterJob?.(release());
    }
    return this.complete(started, conclusion, outputs, masker, failureAllowed);
  }

  private complete(
    started: Date,
    conclusion: Conclusion,
    outputs: Record<string, string>,
    masker: Masker,
    failureAllowed: boolean,
  ): JobResult {
    const { env, instance } = this;
    const completed = env.clock.now();
    env.store.updateJob(instance.jobId, {
      status: 'completed',
      conclusion,
      completedAt: completed.toISOString(),
      outputs: mapValues(outputs, (value) => masker.mask(value)),
    });
    env.emit({
      type: 'job',
      runId: env.run.id,
      jobId: instance.jobId,
      job: instance.name,
      status: 'completed',
      conclusion,
      durationMs: completed.getTime() - started.getTime(),
    });
    return { conclusion, outputs, failureAllowed };
  }

  private async runSteps(state: JobState, job: JobDefinition): Promise<void> {
    const frame: StepFrame = {
      steps: {},
      inputs: this.env.inputs,
      recorded: true,
      defaults: { ...this.env.workflow.defaults.run, ...job.defaults.run },
      env: {},
      depth: 0,
    };
    this.frame = frame;
    // The repository actions are resolved (downloaded) within "Set up job", as GitHub does; then
    // pre stages of JavaScript actions run first, in step order (GitHub: "Pre Run owner/name@ref").
    const remote = job.steps.filter(
      (step) => step.uses !== undefined && !step.uses.startsWith('./') && !step.uses.startsWith('docker://'),
    );
    state.log.write('Prepare all required actions');
    if (remote.length > 0) state.log.write('Getting action download info');
    const pres: PostStep[] = [];
    for (const step of remote) {
      if (step.uses === undefined) continue;
      let loaded;
      try {
        loaded = await loadUses(state, step.uses);
      } catch {
        continue; // reported when the step itself runs
      }
      const runs = loaded.definition.runs;
      if (runs.using !== 'node' || runs.pre === undefined) continue;
      // GitHub: "Pre " + the step's display name ("Pre Run owner/name@ref" when it has no name).
      let name = `Pre Run ${step.uses}`;
      try {
        name = `Pre ${stepDisplayName(step, stepScope(state, frame, frameEnv(state, frame)))}`;
      } catch {
        // keep the default name
      }
      pres.push({
        name,
        stepId: step.id,
        condition: runs.preIf,
        frame,
        run: async () => {
          const scope = stepScope(state, frame, frameEnv(state, frame));
          const stepEnv = evaluateStringMap(step.env, scope);
          const inputs = actionInputs(state, step, loaded.definition, scope);
          return runNodeStage(
            state,
            frame,
            step,
            { ...loaded, runs },
            'pre',
            inputs,
            { ...frameEnv(state, frame), ...stepEnv },
            { outputs: {}, name },
          );
        },
      });
    }
    state.log.write('##[endgroup]');
    for (const pre of pres) await this.runStage(state, pre);
    for (const step of job.steps) await runStep(state, frame, step);
    for (const post of [...state.postSteps].reverse()) await this.runStage(state, post);
  }

  /** A pre or post stage: recorded as its own step, conditioned by pre-if / post-if. */
  private async runStage(state: JobState, stage: PostStep): Promise<void> {
    if (state.halted) return;
    const number = state.nextStepNumber++;
    let run: boolean;
    try {
      run = evaluateCondition(stage.condition, stepScope(state, stage.frame, frameEnv(state, stage.frame)));
    } catch (error) {
      state.log.write(`##[error]${errorMessage(error)}`);
      run = false;
    }
    if (!run) {
      state.record.completed(number, stage.stepId, stage.name, 'skipped', 'skipped', {});
      return;
    }
    state.record.started(number, stage.stepId, stage.name);
    state.log.write(`##[group]${stage.name}`);
    state.log.write('##[endgroup]');
    let outcome: 'success' | 'failure' | 'cancelled';
    try {
      outcome = await stage.run();
    } catch (error) {
      state.log.write(`##[error]${errorMessage(error)}`);
      outcome = 'failure';
    }
    if (outcome === 'failure' && state.status !== 'cancelled') state.status = 'failure';
    state.record.completed(number, stage.stepId, stage.name, outcome, outcome, {});
  }

  /** `outputs:` evaluated at job end; values holding a secret are skipped, as GitHub does. */
  private jobOutputs(state: JobState, job: JobDefinition): Record<string, string> {
    if (job.outputs === undefined) return {};
    // The top-level frame holds the steps context the job's steps filled.
    const frame = this.frame ?? { steps: {}, inputs: this.env.inputs, recorded: true, defaults: {}, env: {}, depth: 0 };
    let values: Record<string, string>;
    try {
      values = evaluateStringMap(job.outputs, stepScope(state, frame, frameEnv(state, frame)));
    } catch (error) {
      state.log.write(`##[error]${errorMessage(error)}`);
      return {};
    }
    const outputs: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      if (state.masker.containsSecret(value)) {
        const message = `Skip output '${name}' since it may contain secret.`;
        state.log.write(`##[warning]${message}`);
        state.annotations.push({ level: 'warning', message, job: state.jobName });
        continue;
      }
      outputs[name] = value;
    }
    return outputs;
  }

  /** Records steps as they start and end, and where their lines are in `log`. */
  private recorder(log: JobLog): JobState['record'] {
    const { env, instance } = this;
    const starts = new Map<number, number>();
    return {
      started: (number, stepId, name) => {
        const now = env.clock.now();
        starts.set(number, now.getTime());
        const logStart = log.beginStep(number);
        env.store.startStep(instance.jobId, { number, stepId, name, startedAt: now.toISOString(), logStart });
        env.emit({
          type: 'step',
          runId: env.run.id,
          jobId: instance.jobId,
          job: instance.name,
          step: number,
          name,
          status: 'in_progress',
        });
      },
      completed: (number, stepId, name, outcome, conclusion, outputs) => {
        const now = env.clock.now();
        const began = starts.get(number);
        env.store.completeStep(instance.jobId, {
          number,
          stepId,
          name,
          conclusion,
          outcome,
          completedAt: now.toISOString(),
          outputs,
          // A step skipped without starting has no lines.
          ...(began === undefined ? {} : { logEnd: log.endStep(number) }),
        });
        env.emit({
          type: 'step',
          runId: env.run.id,
          jobId: instance.jobId,
          job: instance.name,
          step: number,
          name,
          status: 'completed',
          conclusion,
          ...(began === undefined ? {} : { durationMs: now.getTime() - began }),
        });
      },
    };
  }
}

/** The job's GITHUB_TOKEN permissions; in a called workflow, within the caller's (throws GitHub's message otherwise). */
function jobPermissions(env: RunEnvironment, job: JobDefinition): Permissions {
  if (env.call === undefined) return effectivePermissions(env.workflow, job);
  const limited = calledJobPermissions(env.workflow, job, env.call.permissions);
  if ('error' in limited) throw new Error(`Error calling workflow '${env.call.ref}'. ${limited.error}`);
  return limited.permissions;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** `environment: prod` or `environment: {name: prod, url: …}` → `prod`. */
function environmentOf(value: Json): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof value.name === 'string' &&
    value.name !== ''
  )
    return value.name;
  return undefined;
}

function mapValues(record: Record<string, string>, map: (value: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** The rest of "Set up job" (its group was opened, and the runner described, by startHost). */
function writeSetUp(log: JobLog, permissions: Permissions, environment: string | undefined): void {
  log.write('##[group]GITHUB_TOKEN Permissions');
  // GitHub's spelling: `id-token` → `IdToken`, `pull-requests` → `PullRequests`; metadata is always readable.
  const pascal = (scope: string) =>
    scope
      .split('-')
      .map((part) => `${part[0]?.toUpperCase() ?? ''}${part.slice(1)}`)
      .join('');
  for (const [scope, level] of Object.entries(permissions))
    if (level !== 'none') log.write(`${pascal(scope)}: ${level}`);
  log.write('Metadata: read');
  log.write('##[endgroup]');
  if (environment !== undefined) log.write(`Environment: ${environment}`);
  // The group stays open: the actions are resolved in it (runSteps), as GitHub's "Set up job" downloads them.
}
