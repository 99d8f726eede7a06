/**
 * Executes one run: workflow-level concurrency, then its jobs in `needs` order (independent
 * jobs in parallel), each job's `if` against its needs' results, matrix expansion with
 * fail-fast and max-parallel, job-level concurrency, and the run's conclusion. A job that
 * calls a reusable workflow (`uses:`) runs the called workflow's jobs in this run, under a
 * derived RunEnvironment (its workflow, inputs, secrets and a WorkflowCallFrame), nested as
 * deep as GitHub allows (called-workflows.ts).
 *
 * Reproduced from GitHub: a job whose need failed, was cancelled or skipped is skipped unless
 * its `if` uses a status function that allows it (always(), failure(), !cancelled()…);
 * `needs.<id>.result` is success/failure/cancelled/skipped; a failing matrix instance cancels
 * its siblings when fail-fast is on (the default); `continue-on-error: true` on a job keeps its
 * failure from failing the run or blocking dependants.
 * Gaps: failure() is also true when a need was skipped (the status model has no "skipped").
 */
import { join } from 'node:path';
import type { Json, JobDefinition, Scope } from '../workflow/contract.js';
import {
  calledJobPermissions,
  effectivePermissions,
  evaluateCondition,
  evaluateToken,
  expandMatrix,
  jobDisplayName,
} from '../workflow/index.js';
import {
  callInputs,
  callOutputs,
  callSecrets,
  MAX_CALLED_WORKFLOWS,
  MAX_WORKFLOW_LEVELS,
  WorkflowCallError,
  type CalledWorkflow,
} from './called-workflows.js';
import type { Acquired, ConcurrencyGroups } from './concurrency.js';
import { JobRunner, type JobResult, type RunEnvironment } from './job-runner.js';
import { errorMessage } from '../core/errors.js';
import type { Conclusion } from './types.js';

interface NeedResult {
  result: Conclusion;
  outputs: Record<string, string>;
  /** A failure that `continue-on-error` allows. */
  allowed: boolean;
}

interface ConcurrencySetting {
  group: string;
  cancelInProgress: boolean;
}

/** `concurrency: group` or `{group, cancel-in-progress}`, evaluated; undefined when empty. */
function concurrencyOf(value: Json): ConcurrencySetting | undefined {
  if (typeof value === 'string') return value === '' ? undefined : { group: value, cancelInProgress: false };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const group = value.group;
    if (typeof group !== 'string' || group === '') return undefined;
    const cancel = value['cancel-in-progress'];
    return { group, cancelInProgress: cancel === true || cancel === 'true' };
  }
  return undefined;
}

export class RunExecution {
  private cancelled = false;
  private halted = false;
  private cancelNote: string | undefined;
  private readonly runners = new Set<JobRunner>();
  private readonly cancelWaiting = new Set<(message: string) => void>();

  /** The reusable workflows this run has called (GitHub limits their number). */
  private readonly calledRefs = new Set<string>();

  constructor(
    private readonly env: RunEnvironment,
    private readonly concurrency: ConcurrencyGroups,
  ) {}

  /** Cancels the run (GitHub's cancel): running jobs are cancelled, queued ones never start. */
  cancel(note?: string): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.cancelNote ??= note;
    for (const runner of this.runners) runner.cancel();
    for (const wake of this.cancelWaiting) wake(note ?? 'The run was cancelled');
  }

  /** `text` with the run's secrets masked, for what is said about the run from outside its steps. */
  mask(text: string): string {
    return this.env.masker.mask(text);
  }

  /** Stops at once: no always() steps, no post steps. */
  halt(): void {
    this.halted = true;
    this.cancel('The cloud was stopped while this run was in progress');
    for (const runner of this.runners) runner.halt();
  }

  async execute(): Promise<void> {
    const { env } = this;
    const { run, store, clock } = env;
    const created = clock.now();
    let release: (() => void) | undefined;
    try {
      const runLevel = this.concurrencySetting(env.workflow.concurrency, this.workflowScope());
      if (runLevel !== undefined) {
        const acquired = await this.acquire(runLevel);
        if ('cancelled' in acquired) {
          this.cancelNote = acquired.cancelled;
          this.cancelled = true;
        } else {
          release = acquired.release;
        }
      }
      if (this.cancelled) {
        this.finish('cancelled', created);
        return;
      }
      store.updateRun(run.id, { status: 'in_progress', startedAt: clock.now().toISOString() });
      env.emit({ type: 'run', runId: run.id, status: 'in_progress' });
      const results = await this.runJobs(env);
      this.finish(this.cancelled ? 'cancelled' : conclusionOf(results), created);
    } catch (error) {
      env.logger.error('runner: a run failed unexpectedly', { runId: run.id, error: errorMessage(error) });
      store.addAnnotation(run.id, { level: 'error', message: env.masker.mask(errorMessage(error)), job: '' });
      this.finish('failure', created, env.masker.mask(errorMessage(error)));
    } finally {
      release?.();
    }
  }

  private finish(conclusion: Conclusion, created: Date, note?: string): void {
    const { run, store, clock, emit } = this.env;
    const completed = clock.now();
    const text = note ?? this.cancelNote;
    store.updateRun(run.id, {
      status: 'completed',
      conclusion,
      completedAt: completed.toISOString(),
      ...(text !== undefined ? { note: text } : {}),
    });
    emit({
      type: 'run',
      runId: run.id,
      status: 'completed',
      conclusion,
      durationMs: completed.getTime() - created.getTime(),
    });
  }

  private workflowScope(): Scope {
    const { env } = this;
    return {
      contexts: { github: this.githubContext(), inputs: env.inputs, vars: env.vars },
      state: { status: 'success' },
    };
  }

  /** The github context without job-specific fields, for run-level expressions. */
  private githubContext(): Json {
    const { run } = this.env;
    return {
      repository: run.repository,
      repository_owner: run.repository.split('/')[0] ?? '',
      ref: run.ref,
      ref_name: run.ref.replace(/^refs\/(heads|tags)\//, ''),
      ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      sha: run.sha,
      event_name: run.event,
      event: this.env.event,
      workflow: run.workflowName,
      workflow_ref: `${run.repository}/${run.workflowFile}@${run.ref}`,
      run_id: String(run.id),
      run_number: String(run.runNumber),
      run_attempt: String(run.runAttempt),
      actor: run.actor,
      triggering_actor: run.actor,
      server_url: this.env.serverUrl,
    };
  }

  private concurrencySetting(token: JobDefinition['concurrency'], scope: Scope): ConcurrencySetting | undefined {
    if (token === undefined) return undefined;
    return concurrencyOf(evaluateToken(token, scope));
  }

  private acquire(setting: ConcurrencySetting): Promise<Acquired> {
    return this.interruptible(
      this.concurrency.acquire(
        `${this.env.run.repository}\n${setting.group}`,
        setting.group,
        setting.cancelInProgress,
        { cancel: (message) => this.cancel(message) },
      ),
    );
  }

  /**
   * Waits for a group unless the run is cancelled first; a slot granted after giving up is
   * handed straight back, so the group does not stay blocked by a run that no longer waits.
   */
  private interruptible(waiting: Promise<Acquired>): Promise<Acquired> {
    if (this.cancelled) {
      void waiting.then((acquired) => ('release' in acquired ? acquired.release() : undefined));
      return Promise.resolve({ cancelled: this.cancelNote ?? 'The run was cancelled' });
    }
    return new Promise<Acquired>((resolve) => {
      let settled = false;
      const wake = (message: string) => {
        if (settled) return;
        settled = true;
        resolve({ cancelled: message });
      };
      this.cancelWaiting.add(wake);
      void waiting.then((acquired) => {
        this.cancelWaiting.delete(wake);
        if (settled) {
          if ('release' in acquired) acquired.release();
          return;
        }
        settled = true;
        resolve(acquired);
      });
    });
  }

  /** The jobs of `env.workflow` (the run's, or a called workflow's), in `needs` order. */
  private async runJobs(env: RunEnvironment): Promise<Map<string, NeedResult>> {
    const jobs = env.workflow.jobs;
    const results = new Map<string, NeedResult>();
    const running = new Map<string, Promise<void>>();
    const waiting = new Set(jobs.map((job) => job.id));
    while (waiting.size > 0 || running.size > 0) {
      for (const job of jobs) {
        if (!waiting.has(job.id)) continue;
        if (!job.needs.every((need) => results.has(need))) continue;
        waiting.delete(job.id);
        running.set(
          job.id,
          this.runJob(env, job, results).then((result) => {
            results.set(job.id, result);
            running.delete(job.id);
          }),
        );
      }
      if (running.size === 0) {
        // Needs that can never be met (a cycle or an unknown job): skip what is left.
        for (const id of waiting) results.set(id, { result: 'skipped', outputs: {}, allowed: false });
        break;
      }
      await Promise.race(running.values());
    }
    return results;
  }

  private async runJob(env: RunEnvironment, job: JobDefinition, results: Map<string, NeedResult>): Promise<NeedResult> {
    const needs: Record<string, Json> = {};
    let needsStatus: 'success' | 'failure' = 'success';
    for (const need of job.needs) {
      const result = results.get(need);
      needs[need] = { result: result?.result ?? 'skipped', outputs: result?.outputs ?? {} };
      if (result === undefined || (result.result !== 'success' && !(result.result === 'failure' && result.allowed)))
        needsStatus = 'failure';
    }
    const scope: Scope = {
      contexts: { github: this.githubContext(), needs, inputs: env.inputs, vars: env.vars },
      state: { status: this.cancelled ? 'cancelled' : needsStatus },
    };
    let runIt: boolean;
    let setupError: string | undefined;
    try {
      runIt = evaluateCondition(job.if, scope);
    } catch (error) {
      runIt = true;
      setupError = errorMessage(error);
    }
    if (!runIt || (this.halted && setupError === undefined)) {
      const conclusion: Conclusion = this.cancelled ? 'cancelled' : 'skipped';
      this.recordUnstarted(env, job, this.jobName(env, job, scope), conclusion);
      return { result: conclusion, outputs: {}, allowed: false };
    }
    let combinations: Record<string, Json>[] = [{}];
    let failFast = true;
    let maxParallel = Infinity;
    if (setupError === undefined) {
      try {
        const expansion = expandMatrix(job.strategy, scope, job.id);
        combinations = expansion.combinations;
        failFast = expansion.failFast;
        maxParallel = expansion.maxParallel ?? Infinity;
      } catch (error) {
        setupError = errorMessage(error);
      }
    }
    const matrixJob =
      job.strategy !== undefined && combinations.some((combination) => Object.keys(combination).length > 0);
    if (job.uses !== undefined) return this.runCalls(env, job, scope, combinations, matrixJob, setupError);
    const instances = combinations.map((combination, index) => {
      const instanceScope: Scope = { ...scope, contexts: { ...scope.contexts, matrix: combination } };
      const name = this.jobName(env, job, instanceScope, matrixJob ? combination : undefined);
      const suffix = matrixJob ? `-${index + 1}` : '';
      const base = `${fileSafe(jobKey(env, job))}${suffix}`;
      const logFile = join(this.logDir(env), `${base}.log`);
      const runsOn = this.runsOn(job, instanceScope);
      const jobId = env.store.createJob(env.run.id, {
        jobKey: jobKey(env, job),
        name,
        matrix: matrixJob ? combination : null,
        runsOn,
        logFile,
      });
      const strategy = {
        'fail-fast': failFast,
        'job-index': index,
        'job-total': combinations.length,
        'max-parallel': Number.isFinite(maxParallel) ? maxParallel : combinations.length,
      };
      const unsupported = setupError;
      const runner = new JobRunner(env, {
        job,
        jobId,
        name,
        // A re-run's jobs get directories (and containers) of their own: the previous attempt's
        // may still be being released (decision 80) when a re-run starts at once.
        dirName: env.run.runAttempt > 1 ? `${env.run.id}-${env.run.runAttempt}-${base}` : `${env.run.id}-${base}`,
        logFile,
        matrix: matrixJob ? combination : null,
        runsOn,
        strategy,
        needs,
        ...(unsupported !== undefined ? { unsupported } : {}),
      });
      return { runner, scope: instanceScope, jobId, name };
    });

    const outcomes: JobResult[] = [];
    const queue = [...instances];
    let failFastTripped = false;
    const siblings = new Set<JobRunner>();
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (this.cancelled || failFastTripped) {
          this.env.store.updateJob(next.jobId, {
            status: 'completed',
            conclusion: 'cancelled',
            completedAt: env.clock.now().toISOString(),
          });
          outcomes.push({ conclusion: 'cancelled', outputs: {}, failureAllowed: false });
          continue;
        }
        const result = await this.runInstance(job, next.runner, next.scope, siblings);
        outcomes.push(result);
        if (result.conclusion === 'failure' && !result.failureAllowed && failFast && matrixJob && !failFastTripped) {
          failFastTripped = true;
          for (const sibling of siblings) sibling.cancel();
        }
      }
    };
    const parallel = Math.max(1, Math.min(maxParallel, instances.length));
    await Promise.all(Array.from({ length: parallel }, worker));

    return combined(outcomes);
  }

  /** A job's name as GitHub shows it; a called workflow's jobs under `caller / `. */
  private jobName(env: RunEnvironment, job: JobDefinition, scope: Scope, combination?: Record<string, Json>): string {
    return `${env.call?.namePrefix ?? ''}${jobDisplayName(job, scope, combination)}`;
  }

  /**
   * A reusable-workflow job: each matrix combination calls the workflow, whose jobs run as this
   * run's jobs (named `caller / callee`); the result and outputs are the call's.
   */
  private async runCalls(
    env: RunEnvironment,
    job: JobDefinition,
    scope: Scope,
    combinations: Record<string, Json>[],
    matrixJob: boolean,
    setupError: string | undefined,
  ): Promise<NeedResult> {
    const calls = combinations.map((combination) => {
      const callScope: Scope = { ...scope, contexts: { ...scope.contexts, matrix: combination } };
      const name = this.jobName(env, job, callScope, matrixJob ? combination : undefined);
      if (setupError !== undefined) return Promise.resolve(this.failedCall(env, job, name, setupError));
      return this.runCall(env, job, callScope, name);
    });
    const outcomes = await Promise.all(calls);
    return combined(outcomes);
  }

  private async runCall(env: RunEnvironment, job: JobDefinition, scope: Scope, name: string): Promise<JobResult> {
    let child: RunEnvironment;
    let trigger: CalledWorkflow['trigger'];
    try {
      const uses = job.uses ?? '';
      const depth = (env.call?.depth ?? 0) + 1;
      if (depth >= MAX_WORKFLOW_LEVELS)
        throw new WorkflowCallError(
          `job "${job.id}" calls workflow "${uses}", but doing so would exceed the limit on called workflow depth of ${MAX_WORKFLOW_LEVELS - 1}`,
        );
      const called = await env.calledWorkflows.load(uses, env.call?.site ?? env.run);
      this.calledRefs.add(called.ref);
      if (this.calledRefs.size > MAX_CALLED_WORKFLOWS)
        throw new WorkflowCallError(
          `job "${job.id}" calls workflow "${uses}", but doing so would exceed the limit of ${MAX_CALLED_WORKFLOWS} unique called workflows in a run`,
        );
      trigger = called.trigger;
      const inputs = callInputs(trigger, job.with === undefined ? {} : evaluateToken(job.with, scope), scope);
      const mapped =
        job.secrets === 'inherit' || job.secrets === undefined
          ? job.secrets
          : evaluateToken(job.secrets, { ...scope, contexts: { ...scope.contexts, secrets: env.secrets } });
      const secrets = callSecrets(trigger, mapped, env.secrets);
      let permissions = effectivePermissions(env.workflow, job);
      if (env.call !== undefined) {
        const limited = calledJobPermissions(env.workflow, job, env.call.permissions);
        if ('error' in limited) throw new WorkflowCallError(`Error calling workflow '${called.ref}'. ${limited.error}`);
        permissions = limited.permissions;
      }
      child = {
        ...env,
        workflow: called.workflow,
        inputs,
        secrets,
        call: {
          ref: called.ref,
          sha: called.sha,
          site: called.site,
          permissions,
          depth,
          namePrefix: `${name} / `,
          keyPrefix: `${jobKey(env, job)}/`,
        },
      };
    } catch (error) {
      return this.failedCall(env, job, name, errorMessage(error));
    }
    // The called workflow's own `concurrency:` holds its group for the call; like the run's, a
    // newer request with cancel-in-progress cancels the whole run the call is part of.
    let release: (() => void) | undefined;
    try {
      const setting = this.concurrencySetting(child.workflow.concurrency, {
        contexts: { github: this.githubContext(), inputs: child.inputs, vars: env.vars },
        state: { status: 'success' },
      });
      if (setting !== undefined) {
        const acquired = await this.acquire(setting);
        if ('cancelled' in acquired) {
          this.failedCall(env, job, name, acquired.cancelled, 'cancelled');
          return { conclusion: 'cancelled', outputs: {}, failureAllowed: false };
        }
        release = acquired.release;
      }
    } catch (error) {
      return this.failedCall(env, job, name, errorMessage(error));
    }
    let results: Map<string, NeedResult>;
    try {
      results = await this.runJobs(child);
    } finally {
      release?.();
    }
    const jobs: Record<string, Json> = {};
    for (const [id, result] of results) jobs[id] = { result: result.result, outputs: result.outputs };
    let outputs: Record<string, string> = {};
    try {
      outputs = callOutputs(trigger, {
        contexts: { github: this.githubContext(), inputs: child.inputs, vars: env.vars, jobs },
        state: { status: 'success' },
      });
    } catch (error) {
      return this.failedCall(env, job, name, errorMessage(error));
    }
    const conclusion = this.cancelled ? 'cancelled' : conclusionOf(results);
    return { conclusion, outputs, failureAllowed: false };
  }

  /** A call that could not start: a failed job under the caller's name, saying why (GitHub fails the run's validation). */
  private failedCall(
    env: RunEnvironment,
    job: JobDefinition,
    name: string,
    message: string,
    conclusion: 'failure' | 'cancelled' = 'failure',
  ): JobResult {
    this.recordUnstarted(env, job, name, conclusion);
    env.store.addAnnotation(env.run.id, {
      level: conclusion === 'failure' ? 'error' : 'warning',
      message: env.masker.mask(message),
      job: name,
    });
    return { conclusion, outputs: {}, failureAllowed: false };
  }

  /** One instance, inside its job-level concurrency group if it has one. */
  private async runInstance(
    job: JobDefinition,
    runner: JobRunner,
    scope: Scope,
    siblings: Set<JobRunner>,
  ): Promise<JobResult> {
    let release: (() => void) | undefined;
    this.runners.add(runner);
    siblings.add(runner);
    try {
      let setting: ConcurrencySetting | undefined;
      try {
        setting = this.concurrencySetting(job.concurrency, scope);
      } catch {
        setting = undefined;
      }
      if (setting !== undefined) {
        const acquired = await this.interruptible(
          this.concurrency.acquire(
            `${this.env.run.repository}\n${setting.group}`,
            setting.group,
            setting.cancelInProgress,
            { cancel: () => runner.cancel() },
          ),
        );
        if ('cancelled' in acquired) runner.cancel();
        else release = acquired.release;
      }
      if (this.cancelled) runner.cancel();
      if (this.halted) runner.halt();
      return await runner.run();
    } finally {
      release?.();
      this.runners.delete(runner);
      siblings.delete(runner);
    }
  }

  /** Where this attempt's job logs go: `runs/<id>/`, and `runs/<id>/attempt-N/` for a re-run's. */
  /** The run attempt's log directory (a called workflow's jobs log beside the caller's). */
  private logDir(env: RunEnvironment = this.env): string {
    const dir = join(env.dataDir, 'runs', String(env.run.id));
    return env.run.runAttempt > 1 ? join(dir, `attempt-${env.run.runAttempt}`) : dir;
  }

  private runsOn(job: JobDefinition, scope: Scope): Json {
    if (job.runsOn === undefined) return null;
    try {
      return evaluateToken(job.runsOn, scope);
    } catch {
      return null;
    }
  }

  private recordUnstarted(env: RunEnvironment, job: JobDefinition, name: string, conclusion: Conclusion): void {
    const logFile = join(this.logDir(env), `${fileSafe(jobKey(env, job))}.log`);
    const jobId = env.store.createJob(env.run.id, {
      jobKey: jobKey(env, job),
      name,
      matrix: null,
      runsOn: null,
      logFile,
    });
    const now = env.clock.now().toISOString();
    env.store.updateJob(jobId, { status: 'completed', conclusion, completedAt: now });
    env.emit({ type: 'job', runId: env.run.id, jobId, job: name, status: 'completed', conclusion });
  }
}

/** The job's key in the run's records: `caller/callee` for a called workflow's job. */
function jobKey(env: RunEnvironment, job: JobDefinition): string {
  return `${env.call?.keyPrefix ?? ''}${job.id}`;
}

/** A job key as a file name: `/` (between a caller and its called jobs) becomes `.`, which job ids cannot hold. */
function fileSafe(key: string): string {
  return key.replaceAll('/', '.').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** A run's (or a call's) conclusion from its jobs' results. */
function conclusionOf(results: Map<string, NeedResult>): Conclusion {
  const values = [...results.values()];
  if (values.some((result) => result.result === 'failure' && !result.allowed)) return 'failure';
  if (values.some((result) => result.result === 'cancelled')) return 'cancelled';
  return 'success';
}

/** A job's result from its instances' (matrix combinations', or calls'). */
function combined(outcomes: JobResult[]): NeedResult {
  const outputs: Record<string, string> = {};
  for (const outcome of outcomes) Object.assign(outputs, outcome.outputs);
  const allowed = outcomes.every((outcome) => outcome.conclusion !== 'failure' || outcome.failureAllowed);
  const result: Conclusion = outcomes.some((outcome) => outcome.conclusion === 'failure')
    ? 'failure'
    : outcomes.some((outcome) => outcome.conclusion === 'cancelled')
      ? 'cancelled'
      : 'success';
  return { result, outputs, allowed };
}
