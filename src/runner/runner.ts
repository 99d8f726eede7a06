/**
 * The Runner: turns pushes and dispatches into runs, executes them in the background, and
 * answers questions about them (records, live events, logs). Execution itself lives in
 * run-executor.ts (jobs) → job-runner.ts (steps) → step-runner.ts / actions/ (processes).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import {
  ZERO_SHA,
  type GitAccessTokens,
  type HostedRepository,
  type PushEvent,
  type RepositorySource,
} from '../git/contract.js';
import type { JobTokenBroker } from '../identity/job-tokens.js';
import type { Db } from '../store/database.js';
import type { Json, WorkflowDefinition } from '../workflow/contract.js';
import type { WorkflowRunEventInfo } from '../workflow/index.js';
import { ActionCache } from './action-cache.js';
import type { ActionServer, ActionServerChoice } from './actions/action-server.js';
import { BuiltinActions } from './actions/builtin-actions.js';
import { DownloadedActions } from './actions/downloaded-actions.js';
import type { DownloadLimits } from './actions/remote-repository.js';
import { ActionResolver } from './actions/resolve.js';
import { ConcurrencyGroups } from './concurrency.js';
import { dispatchPayload, pushPayload, workflowRunPayload } from './event-payload.js';
import type { JobContainerRunner } from './container/container-jobs.js';
import type { RunEnvironment } from './job-runner.js';
import { Masker } from './masker.js';
import { killOrphanedJobProcesses, RUNNER_MARKER } from './orphan-processes.js';
import type { RunExecution } from './run-executor.js';
import { RunStore } from './run-store.js';
import type * as RunStart from './run-start.js';
import { DEFAULT_RUNNER_IMAGE } from './runner-images.js';
import { DEFAULT_RUNNER_LABELS, resolveRunsOn } from './runs-on.js';
import { RepoSettings } from './settings.js';
import type { JobResults } from './job-results.js';
import type { Annotation, RunDetail, RunEvent, RunRecord } from './types.js';
import { errorMessage } from '../core/errors.js';

export interface RunnerDeps {
  db: Db;
  /** Logs under `<dataDir>/runs/<runId>/`, workspaces under `<dataDir>/work/`, the action cache at `<dataDir>/actions`. */
  dataDir: string;
  repos: RepositorySource;
  /** GITHUB_TOKEN per job (read access to the run's repository), revoked when the job ends. */
  gitTokens: GitAccessTokens;
  broker: JobTokenBroker;
  /** The results service (artifacts, caches) jobs get a runtime token for. */
  results?: JobResults;
  /** The cloud's URL: AWS_ENDPOINT_URL for jobs and the base of the ID-token URL. */
  cloudUrl: string;
  /** The cloud's region (recorded for callers; GitHub sets no AWS_REGION, neither does dockyard). */
  region: string;
  /** `<repo>/builtin-actions`. */
  builtinActionsDir: string;
  /** Where remote actions are fetched from, read at each resolution; without it resolution is offline (the action cache, then the built-ins). */
  actionServer?: () => ActionServerChoice;
  /** Bounds of downloaded actions: each download's, and the downloads' total in the action cache. */
  actionDownloads?: { limits?: Partial<DownloadLimits>; maxCacheBytes?: number };
  clock: Clock;
  logger: Logger;
  /** Extra env for every job on this host (the wiring passes DOCKER_HOST). */
  jobEnv?: Record<string, string>;
  /** Label → image for `runs-on` (./runner-images.ts); default: the built-in labels only. */
  runnerImages?: () => Readonly<Record<string, string>>;
  /** Runs jobs in containers; without it only `runs-on: self-hosted` jobs run. */
  containers?: JobContainerRunner;
}

/** A dispatch that GitHub would refuse; the message is GitHub's. */
export class WorkflowDispatchError extends Error {
  override readonly name = 'WorkflowDispatchError';
}

/** `runs-on` labels when the wiring gives no mappings: GitHub's hosted Ubuntu labels → the runner image. */
const DEFAULT_MAPPINGS: Readonly<Record<string, string>> = Object.fromEntries(
  DEFAULT_RUNNER_LABELS.map((label) => [label, DEFAULT_RUNNER_IMAGE]),
);

/** A re-run that cannot start: the run is still going, or what it ran can no longer be read. */
export class WorkflowRerunError extends Error {
  override readonly name = 'WorkflowRerunError';
}

/** GitHub: "You can't use workflow_run to chain together more than three levels of workflows." */
const MAX_WORKFLOW_RUN_LEVELS = 3;

/** Commits whose workflow_run workflows are kept read. */
const FOLLOWER_COMMITS_KEPT = 16;

const RESTART_NOTE =
  'The cloud was restarted while this run was queued or in progress; its processes ended with the previous process.';

let runStart: Promise<typeof RunStart> | undefined;
/**
 * What starting a run needs (GitHub's workflow parser, expressions, the executor), loaded on the
 * first push or dispatch rather than at `dockyard up`; every caller shares the one import.
 */
function loadRunStart(): Promise<typeof RunStart> {
  return (runStart ??= import('./run-start.js'));
}

export class Runner {
  private readonly store: RunStore;
  private readonly settings: RepoSettings;
  private readonly actionCache: ActionCache;
  private readonly actionResolver: ActionResolver;
  private readonly concurrency = new ConcurrencyGroups();
  private readonly executions = new Map<number, RunExecution>();
  /** Runs started by `workflow_run` → their level in the chain (the triggering run's is 1). */
  private readonly workflowRunDepths = new Map<number, number>();
  /** `repository@sha` → its workflows with `on: workflow_run` (see workflowRunFollowers). */
  private readonly followersByCommit = new Map<string, Promise<WorkflowDefinition[]>>();
  private readonly background = new Set<Promise<void>>();
  private readonly listeners = new Map<number, Set<(event: RunEvent) => void>>();
  /** Watchers of every run's events (the console), for as long as they stay subscribed. */
  private readonly allListeners = new Set<(event: RunEvent) => void>();
  private readonly waiters = new Map<number, ((run: RunRecord) => void)[]>();
  private stopping = false;
  /** Settles once the job processes a previous process left behind are killed; no run starts before. */
  private swept: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RunnerDeps) {
    this.store = new RunStore(deps.db);
    this.settings = new RepoSettings(deps.db, () => deps.clock.now());
    this.actionCache = new ActionCache(join(deps.dataDir, 'actions'));
    const now = () => deps.clock.now();
    this.actionResolver = new ActionResolver({
      cache: this.actionCache,
      downloads: new DownloadedActions(this.actionCache.dir, now, deps.actionDownloads?.maxCacheBytes),
      builtins: new BuiltinActions(deps.builtinActionsDir),
      server: deps.actionServer ?? (() => ({ server: undefined, source: 'default' })),
      hosted: (repository) => this.hostedActionServer(repository),
      ...(deps.actionDownloads?.limits ? { limits: deps.actionDownloads.limits } : {}),
      now,
    });
  }

  /**
   * The cloud's own git hosting as the server of a repository it hosts, read from its bare
   * directory: hosted repositories serve `uses:` to every repository's workflows, as public ones
   * do on GitHub (decision 79).
   */
  private hostedActionServer(repository: string): ActionServer | undefined {
    const hosted = this.deps.repos.get(repository);
    if (hosted === undefined) return undefined;
    return { url: this.deps.repos.serverUrl, repositoryUrl: hosted.gitDir };
  }

  /** Marks runs a previous process left unfinished as cancelled, with a note, and kills their processes. */
  start(): void {
    const closed = this.store.closeOrphans(this.deps.clock.now().toISOString(), RESTART_NOTE);
    if (closed.length > 0)
      this.deps.logger.warn('runner: runs left unfinished by a previous process were marked cancelled', {
        runs: closed,
      });
    const label = this.deps.jobEnv?.[RUNNER_MARKER];
    const containers = this.deps.containers;
    if (label || containers) {
      // A scan of every process (/proc) and of the engine's containers, on a later turn so
      // `dockyard up` is ready sooner; runs wait for it (runStart), so it can never end a job
      // of this process.
      this.swept = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        if (label) {
          const killed = killOrphanedJobProcesses(label);
          if (killed.length > 0)
            this.deps.logger.warn('runner: killed job processes a previous process left running', { pids: killed });
        }
        await containers?.sweep().catch((error: unknown) =>
          this.deps.logger.warn('runner: job containers a previous process left could not be looked for', {
            error: errorMessage(error),
          }),
        );
      });
    }
  }

  /** Creates (and starts) a run for every workflow of the pushed commit whose push trigger matches. */
  async onPush(event: PushEvent): Promise<RunRecord[]> {
    if (event.after === ZERO_SHA || this.stopping) return [];
    const repo = this.deps.repos.get(event.repository);
    if (repo === undefined) return [];
    const files = (await repo.listFiles(event.after, '.github/workflows')).filter((file) => /\.ya?ml$/.test(file));
    if (files.length === 0) return [];
    const start = await this.runStart();
    const [changedFiles, commit, defaultBranch] = await Promise.all([
      repo.changedFiles(event.before, event.after),
      repo.commit(event.after),
      repo.defaultBranch(),
    ]);
    const payload = pushPayload(event, commit, this.deps.repos.serverUrl, defaultBranch);
    const title = commit?.message.split('\n')[0] ?? event.ref;
    const runs: RunRecord[] = [];
    for (const file of files) {
      const read = await start.readPushedWorkflowAt(repo, event.after, file, {
        ref: event.ref,
        ...(changedFiles !== undefined ? { changedFiles } : {}),
      });
      if (read === undefined) continue;
      const { parsed, triggered } = read;
      if (parsed.workflow === undefined) {
        // GitHub shows a failed run for a workflow file it cannot read, whatever its triggers.
        runs.push(this.invalidWorkflowRun(start, event, file, title, parsed.errors));
        continue;
      }
      const workflow = parsed.workflow;
      if (!triggered) continue;
      runs.push(
        this.createRun(start, {
          repository: event.repository,
          workflow,
          event: 'push',
          ref: event.ref,
          sha: event.after,
          actor: event.pusher,
          payload,
          inputs: {},
          title,
          pushId: event.pushId,
        }),
      );
    }
    return runs;
  }

  /** Starts a workflow_dispatch run of `workflow` (a file name or path) at `ref` (default: the default branch). */
  async dispatch(input: {
    repository: string;
    workflow: string;
    ref?: string;
    inputs?: Record<string, string>;
    actor?: string;
  }): Promise<RunRecord> {
    if (this.stopping) throw new WorkflowDispatchError('The runner is stopping');
    const repo = this.deps.repos.get(input.repository);
    if (repo === undefined) throw new WorkflowDispatchError(`Not Found: no repository ${input.repository}`);
    const requested = input.ref ?? (await repo.defaultBranch());
    const ref = await this.qualifyRef(repo, requested);
    const commit = await repo.commit(ref);
    if (commit === undefined) throw new WorkflowDispatchError(`No ref found for: ${requested}`);
    const file = input.workflow.includes('/')
      ? input.workflow.replace(/^\/+/, '')
      : `.github/workflows/${input.workflow}`;
    const start = await this.runStart();
    const parsed = await start.readWorkflowAt(repo, commit.sha, file);
    if (parsed === undefined)
      throw new WorkflowDispatchError(`Not Found: workflow ${file} does not exist at ${requested}`);
    if (parsed.workflow === undefined)
      throw new WorkflowDispatchError(`Invalid workflow file ${file}: ${parsed.errors.join('; ')}`);
    const workflow = parsed.workflow;
    const trigger = workflow.on.workflow_dispatch;
    if (trigger === undefined) throw new WorkflowDispatchError("Workflow does not have 'workflow_dispatch' trigger");
    const given = input.inputs ?? {};
    const unexpected = Object.keys(given).filter((name) => trigger.inputs[name] === undefined);
    if (unexpected.length > 0)
      throw new WorkflowDispatchError(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    const inputs: Record<string, Json> = {};
    const eventInputs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(trigger.inputs)) {
      const value = given[name] ?? (spec.default === undefined ? undefined : String(spec.default));
      if (value === undefined) {
        if (spec.required === true) throw new WorkflowDispatchError(`Required input '${name}' not provided`);
        inputs[name] = spec.type === 'boolean' ? false : '';
        continue;
      }
      if (spec.type === 'choice' && spec.options !== undefined && !spec.options.includes(value)) {
        throw new WorkflowDispatchError(
          `Provided value '${value}' for input '${name}' not in the list of allowed values`,
        );
      }
      if (spec.type === 'boolean' && value !== 'true' && value !== 'false')
        throw new WorkflowDispatchError(`Provided value '${value}' for input '${name}' is not a boolean`);
      if (spec.type === 'number' && !Number.isFinite(Number(value)))
        throw new WorkflowDispatchError(`Provided value '${value}' for input '${name}' is not a number`);
      eventInputs[name] = value;
      inputs[name] = spec.type === 'boolean' ? value === 'true' : spec.type === 'number' ? Number(value) : value;
    }
    const actor = input.actor ?? input.repository.split('/')[0] ?? 'dockyard';
    const payload = dispatchPayload(
      input.repository,
      ref,
      file,
      eventInputs,
      actor,
      this.deps.repos.serverUrl,
      await repo.defaultBranch(),
    );
    return this.createRun(start, {
      repository: input.repository,
      workflow,
      event: 'workflow_dispatch',
      ref,
      sha: commit.sha,
      actor,
      payload,
      inputs,
      title: workflow.name,
    });
  }

  /** Live events of a run; returns the unsubscribe function. */
  watch(runId: number, listener: (event: RunEvent) => void): () => void {
    const set = this.listeners.get(runId) ?? new Set();
    set.add(listener);
    this.listeners.set(runId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  /**
   * Live events of every run, from runs started after subscribing and attempts of earlier ones
   * alike; returns the unsubscribe function. Unlike `watch`, it outlives each run.
   */
  watchAll(listener: (event: RunEvent) => void): () => void {
    this.allListeners.add(listener);
    return () => void this.allListeners.delete(listener);
  }

  /**
   * Re-runs a completed run as GitHub does: the same run id and event (payload, inputs, ref
   * and commit, the workflow file as it was at that commit), run_attempt + 1; every job runs
   * again. The earlier attempts' jobs, logs and annotations stay readable by attempt.
   */
  async rerun(runId: number): Promise<RunRecord> {
    if (this.stopping) throw new WorkflowRerunError('The runner is stopping');
    const run = this.store.run(runId);
    if (run === undefined) throw new WorkflowRerunError(`Not Found: no run ${runId}`);
    if (run.status !== 'completed')
      throw new WorkflowRerunError(
        `Run ${runId} is ${run.status.replace('_', ' ')}: only a completed run can be re-run`,
      );
    const event = this.store.eventOf(runId);
    if (event === undefined)
      throw new WorkflowRerunError(
        `Run ${runId} cannot be re-run: it never ran (an invalid workflow file) or was recorded before dockyard kept runs' events`,
      );
    const repo = this.deps.repos.get(run.repository);
    if (repo === undefined) throw new WorkflowRerunError(`Not Found: no repository ${run.repository}`);
    const start = await this.runStart();
    const parsed = await start.readWorkflowAt(repo, run.sha, run.workflowFile);
    if (parsed === undefined)
      throw new WorkflowRerunError(`Not Found: workflow ${run.workflowFile} does not exist at ${run.sha}`);
    if (parsed.workflow === undefined)
      throw new WorkflowRerunError(`Invalid workflow file ${run.workflowFile}: ${parsed.errors.join('; ')}`);
    const attempt = this.store.startAttempt(runId);
    if (attempt === undefined) throw new WorkflowRerunError(`Run ${runId} is already being re-run`);
    this.execute(start, attempt, parsed.workflow, event.payload, event.inputs);
    this.emit({ type: 'run', runId, status: 'queued' });
    return attempt;
  }

  /**
   * A notice about a run from outside its steps (an ECS deployment it started is failing): its
   * watchers see it under the running step, and with `record` it is kept as an annotation, as
   * GitHub lists them under a run. It goes to the run's one job in progress, or to the run as a
   * whole while several are. A run that has completed takes no more notices.
   */
  notify(
    runId: number,
    notice: { level: Annotation['level']; title?: string; message: string; record: boolean },
  ): void {
    if (this.store.run(runId)?.status !== 'in_progress') return;
    const running = this.store.jobs(runId).filter((job) => job.status === 'in_progress');
    const job = running.length === 1 ? running[0] : undefined;
    const { record, ...given } = notice;
    // Masked like the run's log: a stoppedReason may quote a task's command line.
    const mask = (value: string) => this.executions.get(runId)?.mask(value) ?? value;
    const text = {
      level: given.level,
      message: mask(given.message),
      ...(given.title !== undefined ? { title: mask(given.title) } : {}),
    };
    if (record) this.store.addAnnotation(runId, { ...text, job: job?.name ?? '' });
    this.emit({ type: 'notice', runId, ...(job ? { jobId: job.id, job: job.name } : {}), ...text });
  }

  /** Resolves with the run's record once it has completed. */
  waitFor(runId: number): Promise<RunRecord> {
    const run = this.store.run(runId);
    if (run === undefined) return Promise.reject(new Error(`No run ${runId}`));
    if (run.status === 'completed') return Promise.resolve(run);
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  listRuns(filter?: { repository?: string; limit?: number }): RunRecord[] {
    return this.store.listRuns(filter);
  }

  /** The run with one attempt's jobs and annotations (default: the latest attempt). */
  getRun(runId: number, attempt?: number): RunDetail | undefined {
    return this.store.detail(runId, attempt);
  }

  /**
   * One step's lines from its job's log (already masked), `{ text, complete }`: complete once
   * the step has ended. Undefined when the run, job or step does not exist, or the step never
   * started. `maxBytes` keeps the end of a long log.
   */
  readStepLog(
    runId: number,
    jobId: number,
    step: number,
    maxBytes: number,
  ): { text: string; complete: boolean; truncated: boolean } | undefined {
    const job = this.store.jobById(runId, jobId);
    const range = job?.steps.find((s) => s.number === step)?.log;
    if (job === undefined || range === undefined) return undefined;
    if (!existsSync(job.logFile)) return { text: '', complete: range.end !== undefined, truncated: false };
    const end = range.end ?? statSync(job.logFile).size;
    const start = Math.max(range.start, end - maxBytes);
    const buffer = Buffer.alloc(Math.max(0, end - start));
    const fd = openSync(job.logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    let text = buffer.toString('utf8');
    // Cut to whole lines: a truncated start drops its partial first line.
    if (start > range.start) text = text.slice(text.indexOf('\n') + 1);
    return { text, complete: range.end !== undefined, truncated: start > range.start };
  }

  /**
   * The run's log (already masked when written). With `job` (a job's name or key) that job's
   * log; otherwise every job's, each line prefixed with the job's name and a tab (like `gh run view --log`).
   */
  readLog(runId: number, options: { job?: string } = {}): string {
    const jobs = this.store
      .jobs(runId)
      .filter((job) => options.job === undefined || job.name === options.job || job.jobKey === options.job);
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    if (options.job !== undefined) return jobs.map((job) => read(job.logFile)).join('');
    return jobs
      .map((job) =>
        read(job.logFile)
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => `${job.name}\t${line}\n`)
          .join(''),
      )
      .join('');
  }

  cancel(runId: number): void {
    this.executions.get(runId)?.cancel('The run was cancelled');
  }

  /** Ends every run now (process groups killed), marks them cancelled, and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const execution of this.executions.values()) execution.halt();
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** The settings store (secrets, variables) this runner reads. */
  get repoSettings(): RepoSettings {
    return this.settings;
  }

  get actions(): ActionCache {
    return this.actionCache;
  }

  /** What starting a run needs, once the orphaned job processes are gone. */
  private async runStart(): Promise<typeof RunStart> {
    await this.swept;
    return loadRunStart();
  }

  private async qualifyRef(repo: HostedRepository, ref: string): Promise<string> {
    if (ref.startsWith('refs/')) return ref;
    // A bare name is a branch if one exists, else a tag (GitHub's dispatch accepts either).
    if ((await repo.commit(`refs/heads/${ref}`)) !== undefined) return `refs/heads/${ref}`;
    if ((await repo.commit(`refs/tags/${ref}`)) !== undefined) return `refs/tags/${ref}`;
    return `refs/heads/${ref}`;
  }

  private invalidWorkflowRun(
    start: typeof RunStart,
    event: PushEvent,
    file: string,
    title: string,
    errors: string[],
  ): RunRecord {
    const now = this.deps.clock.now().toISOString();
    const { run, created } = this.store.createRun({
      repository: event.repository,
      workflowFile: file,
      workflowName: file,
      displayTitle: title,
      event: 'push',
      ref: event.ref,
      sha: event.after,
      actor: event.pusher,
      createdAt: now,
      pushId: event.pushId,
    });
    if (!created) return run;
    const report = start.invalidWorkflowReport(file, errors);
    this.store.addAnnotation(run.id, {
      level: 'error',
      title: report.title,
      message: report.message,
      file,
      line: report.line,
      job: '',
    });
    this.store.updateRun(run.id, {
      status: 'completed',
      conclusion: 'failure',
      completedAt: now,
      note: `${report.title}\n${report.message}`,
    });
    return this.store.run(run.id) as RunRecord;
  }

  /** Records and starts a run; a push's run recorded before (a replayed push, see run-store.ts) is returned as it is, not started again. */
  private createRun(
    start: typeof RunStart,
    spec: {
      repository: string;
      workflow: WorkflowDefinition;
      event: string;
      ref: string;
      sha: string;
      actor: string;
      payload: Json;
      inputs: Record<string, Json>;
      title: string;
      pushId?: string | undefined;
      /** For a workflow_run run: how many workflows its chain links (GitHub allows three). */
      workflowRunDepth?: number;
    },
  ): RunRecord {
    const { workflow } = spec;
    const vars = this.settings.variableValues(spec.repository);
    let title = spec.title;
    if (workflow.runName !== undefined) {
      try {
        title =
          start.evaluateString(workflow.runName, {
            contexts: {
              github: {
                event_name: spec.event,
                event: spec.payload,
                actor: spec.actor,
                ref: spec.ref,
                sha: spec.sha,
                repository: spec.repository,
              },
              inputs: spec.inputs,
              vars,
            },
            state: { status: 'success' },
          }) || title;
      } catch {
        // GitHub falls back to the default title when run-name cannot be evaluated
      }
    }
    const { run, created } = this.store.createRun({
      repository: spec.repository,
      workflowFile: workflow.file,
      workflowName: workflow.name,
      displayTitle: title,
      event: spec.event,
      ref: spec.ref,
      sha: spec.sha,
      actor: spec.actor,
      createdAt: this.deps.clock.now().toISOString(),
      pushId: spec.pushId,
      payload: spec.payload,
      inputs: spec.inputs,
    });
    if (!created) return run;
    this.execute(start, run, workflow, spec.payload, spec.inputs, spec.workflowRunDepth);
    return run;
  }

  /** Executes an attempt of a recorded run in the background. */
  private execute(
    start: typeof RunStart,
    run: RunRecord,
    workflow: WorkflowDefinition,
    payload: Json,
    inputs: Record<string, Json>,
    /** For a workflow_run run: how many workflows its chain links (GitHub allows three). */
    workflowRunDepth?: number,
  ): void {
    const vars = this.settings.variableValues(run.repository);
    const secrets = this.settings.secretValues(run.repository);
    const masker = new Masker();
    for (const value of Object.values(secrets)) masker.add(value);
    const env: RunEnvironment = {
      run,
      workflow,
      event: payload,
      inputs,
      secrets,
      vars,
      masker,
      store: this.store,
      emit: (event) => this.emit(event),
      dataDir: this.deps.dataDir,
      serverUrl: this.deps.repos.serverUrl,
      cloudUrl: this.deps.cloudUrl,
      gitTokens: this.deps.gitTokens,
      broker: this.deps.broker,
      results: this.deps.results,
      actions: this.actionResolver,
      jobEnv: this.deps.jobEnv ?? {},
      placement: (runsOn) => resolveRunsOn(runsOn, this.deps.runnerImages?.() ?? DEFAULT_MAPPINGS),
      containers: this.deps.containers,
      afterJob: (work) => {
        const task = work
          .catch((error: unknown) =>
            this.deps.logger.warn("runner: a job's container could not be released", { error: errorMessage(error) }),
          )
          .finally(() => this.background.delete(task));
        this.background.add(task);
      },
      clock: this.deps.clock,
      logger: this.deps.logger,
      calledWorkflows: new start.CalledWorkflows(this.deps.repos),
      environmentValues: (name) => this.settings.environmentValues(run.repository, name),
    };
    const execution = new start.RunExecution(env, this.concurrency);
    this.executions.set(run.id, execution);
    if (workflowRunDepth !== undefined) this.workflowRunDepths.set(run.id, workflowRunDepth);
    this.followWorkflowRuns(run.id, 'requested');
    // Started on a later turn of the event loop: a caller that watches the run as soon as
    // onPush/dispatch resolves sees every event from the first.
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => execution.execute())
      .catch((error: unknown) =>
        this.deps.logger.error('runner: run crashed', { runId: run.id, error: errorMessage(error) }),
      )
      .finally(() => {
        this.executions.delete(run.id);
        this.workflowRunDepths.delete(run.id);
        this.background.delete(task);
        const record = this.store.run(run.id);
        if (record !== undefined) for (const resolve of this.waiters.get(run.id) ?? []) resolve(record);
        this.waiters.delete(run.id);
        this.listeners.delete(run.id);
      });
    this.background.add(task);
  }

  private emit(event: RunEvent): void {
    for (const listener of [...(this.listeners.get(event.runId) ?? []), ...this.allListeners]) {
      try {
        listener(event);
      } catch (error) {
        this.deps.logger.warn('runner: a watcher threw', { error: errorMessage(error) });
      }
    }
    if (event.type === 'run')
      this.followWorkflowRuns(event.runId, event.status === 'completed' ? 'completed' : 'in_progress');
  }

  /**
   * Starts the workflows that `on: workflow_run` follow this run's activity, in the background
   * (the stop waits for it). GitHub chains at most three levels of workflows this way.
   */
  private followWorkflowRuns(runId: number, action: WorkflowRunEventInfo['action']): void {
    if (this.stopping) return;
    const depth = this.workflowRunDepths.get(runId) ?? 1;
    if (depth >= MAX_WORKFLOW_RUN_LEVELS) return;
    const task: Promise<void> = this.startWorkflowRuns(runId, action, depth + 1)
      .catch((error: unknown) =>
        this.deps.logger.warn('runner: workflow_run workflows could not be started', {
          runId,
          error: errorMessage(error),
        }),
      )
      .finally(() => this.background.delete(task));
    this.background.add(task);
  }

  /**
   * The workflows of a commit that have `on: workflow_run`, read once per commit (every run's
   * activity asks, three times a run) and kept for the last few commits.
   */
  private workflowRunFollowers(
    start: typeof RunStart,
    repo: HostedRepository,
    repository: string,
    sha: string,
  ): Promise<WorkflowDefinition[]> {
    const key = `${repository}@${sha}`;
    const known = this.followersByCommit.get(key);
    if (known !== undefined) return known;
    const reading = (async () => {
      const files = (await repo.listFiles(sha, '.github/workflows')).filter((file) => /\.ya?ml$/.test(file));
      const workflows: WorkflowDefinition[] = [];
      for (const file of files) {
        const workflow = (await start.readWorkflowAt(repo, sha, file))?.workflow;
        if (workflow?.on.workflow_run !== undefined) workflows.push(workflow);
      }
      return workflows;
    })();
    // A failed read is not kept: the next activity tries again.
    reading.catch(() => this.followersByCommit.delete(key));
    this.followersByCommit.set(key, reading);
    while (this.followersByCommit.size > FOLLOWER_COMMITS_KEPT) {
      const oldest = this.followersByCommit.keys().next().value;
      if (oldest === undefined) break;
      this.followersByCommit.delete(oldest);
    }
    return reading;
  }

  /** workflow_run workflows are read from the default branch's head, as on GitHub, and run there. */
  private async startWorkflowRuns(runId: number, action: WorkflowRunEventInfo['action'], depth: number): Promise<void> {
    const triggering = this.store.run(runId);
    const repo = triggering === undefined ? undefined : this.deps.repos.get(triggering.repository);
    if (triggering === undefined || repo === undefined) return;
    const defaultBranch = await repo.defaultBranch();
    const head = await repo.commit(`refs/heads/${defaultBranch}`);
    if (head === undefined) return;
    const start = await this.runStart();
    const followers = await this.workflowRunFollowers(start, repo, triggering.repository, head.sha);
    if (followers.length === 0) return;
    const headBranch = triggering.ref.startsWith('refs/heads/') ? triggering.ref.slice('refs/heads/'.length) : '';
    const seen: RunRecord = {
      ...triggering,
      status: action === 'requested' ? 'queued' : action,
      conclusion: action === 'completed' ? triggering.conclusion : null,
    };
    let payload: Json | undefined;
    for (const workflow of followers) {
      if (!start.matchesWorkflowRun(workflow, { workflowName: triggering.workflowName, action, headBranch })) continue;
      if (this.stopping) return;
      payload ??= workflowRunPayload(
        action,
        seen,
        await repo.commit(triggering.sha),
        this.deps.repos.serverUrl,
        defaultBranch,
      );
      this.createRun(start, {
        repository: triggering.repository,
        workflow,
        event: 'workflow_run',
        ref: `refs/heads/${defaultBranch}`,
        sha: head.sha,
        actor: triggering.actor,
        payload,
        inputs: {},
        title: head.message.split('\n')[0] ?? workflow.name,
        workflowRunDepth: depth,
      });
    }
  }
}
