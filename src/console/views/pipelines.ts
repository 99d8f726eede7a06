/**
 * The pipelines views: hosted repositories with their latest run, one repository's runs, and
 * one run as GitHub's run page shows it (jobs, steps with their times and status, annotations,
 * and what STS decided for the run's tokens). A step's log is read as stored: masked when it
 * was written, never unmasked here.
 */
import { toAnnotationView, toRunSummary, toStepSummary } from '../../control/run-views.js';
import type { RunDetail, RunRecord } from '../../runner/types.js';
import type { DecisionView, RepositoriesView, RepositoryView, RunPage, RunRow, StepLog } from '../contract.js';
import type { ConsoleDeps } from '../deps.js';
import { decisionView } from './decisions.js';

type Deps = Pick<ConsoleDeps, 'runner' | 'repositories' | 'decisions'>;

/** Runs listed on a repository's page (the newest). */
const MAX_RUNS = 50;
/** The end of a step's log that a page gets at first (the live tail follows). */
export const MAX_STEP_LOG_BYTES = 256 * 1024;

export function repositoriesView(deps: Deps): RepositoriesView {
  return {
    repositories: deps.repositories.list().map((repository) => {
      const [latest] = deps.runner.listRuns({ repository: repository.fullName, limit: 1 });
      return {
        name: repository.fullName,
        cloneUrl: deps.repositories.cloneUrl(repository.fullName),
        ...(latest ? { latest: runRow(latest) } : {}),
      };
    }),
  };
}

export function repositoryView(deps: Deps, name: string): RepositoryView | undefined {
  const repository = deps.repositories.get(name);
  if (!repository) return undefined;
  return {
    name: repository.fullName,
    cloneUrl: deps.repositories.cloneUrl(repository.fullName),
    runs: deps.runner.listRuns({ repository: repository.fullName, limit: MAX_RUNS }).map(runRow),
  };
}

/** One run; `attempt` picks an earlier attempt (default the latest). */
export function runPage(deps: Deps, id: number, attempt?: number): RunPage | undefined {
  const run: RunDetail | undefined = deps.runner.getRun(id, attempt);
  if (!run) return undefined;
  // The run's record holds its latest attempt's outcome; an earlier attempt's comes from its jobs.
  const earlier = attempt !== undefined && attempt < run.runAttempt;
  return {
    ...runRow(run),
    // An earlier attempt's: its own outcome, and no note (the run's note is its latest attempt's).
    ...(earlier ? { ...attemptOutcome(run), note: undefined } : {}),
    attempt: attempt ?? run.runAttempt,
    jobs: run.jobs.map((job) => ({
      id: job.id,
      key: job.jobKey,
      name: job.name,
      status: job.status,
      ...(job.conclusion ? { conclusion: job.conclusion } : {}),
      ...(job.startedAt ? { startedAt: job.startedAt } : {}),
      ...(job.completedAt ? { completedAt: job.completedAt } : {}),
      steps: job.steps.map((step) => ({ ...toStepSummary(step), hasLog: step.log !== undefined })),
    })),
    annotations: run.annotations.map(toAnnotationView),
    decisions: runDecisions(deps, id),
  };
}

/** An earlier (so completed) attempt's conclusion and times, from its jobs. */
function attemptOutcome(run: RunDetail): Pick<RunRow, 'status' | 'conclusion' | 'startedAt' | 'completedAt'> {
  const conclusions = run.jobs.map((job) => job.conclusion);
  const conclusion = conclusions.includes('failure')
    ? 'failure'
    : conclusions.includes('cancelled')
      ? 'cancelled'
      : 'success';
  const started = run.jobs.flatMap((job) => (job.startedAt ? [job.startedAt] : [])).sort()[0];
  const completed = run.jobs
    .flatMap((job) => (job.completedAt ? [job.completedAt] : []))
    .sort()
    .at(-1);
  return {
    status: 'completed',
    conclusion,
    ...(started ? { startedAt: started } : {}),
    ...(completed ? { completedAt: completed } : {}),
  };
}

/** What STS decided for tokens of this run (their run_id claim names it). */
function runDecisions(deps: Deps, runId: number): DecisionView[] {
  return deps.decisions
    .list()
    .filter((d) => d.claims.run_id === String(runId))
    .map(decisionView);
}

/** A step's log as stored, the end of it when long; undefined when the step never started. */
export function stepLog(deps: Deps, runId: number, job: number, step: number): StepLog | undefined {
  const log = deps.runner.readStepLog(runId, job, step, MAX_STEP_LOG_BYTES);
  return log ? { job, step, ...log } : undefined;
}

export function runRow(run: RunRecord): RunRow {
  return { ...toRunSummary(run), title: run.displayTitle };
}
