/**
 * The runner's records as the control API shows them (src/control/contract.ts): dates and
 * nulls flattened, the run's workflow named, events reduced to what a terminal prints.
 */
import type { Annotation, RunDetail, RunEvent, RunRecord, StepRecord } from '../runner/types.js';
import type { AnnotationView, ProgressEvent, RunSummary, RunView, StepSummary } from './contract.js';

/** The part of the Runner the control API and the push hook use. */
export interface RunnerView {
  listRuns(filter?: { repository?: string; limit?: number }): RunRecord[];
  getRun(runId: number): RunDetail | undefined;
  readLog(runId: number, options?: { job?: string }): string;
  watch(runId: number, listener: (event: RunEvent) => void): () => void;
  dispatch(input: {
    repository: string;
    workflow: string;
    ref?: string;
    inputs?: Record<string, string>;
    actor?: string;
  }): Promise<RunRecord>;
  cancel(runId: number): void;
  rerun(runId: number): Promise<RunRecord>;
}

export function toRunSummary(run: RunRecord): RunSummary {
  return {
    id: run.id,
    runNumber: run.runNumber,
    runAttempt: run.runAttempt,
    repository: run.repository,
    workflow: run.workflowName,
    workflowFile: run.workflowFile,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    actor: run.actor,
    status: run.status,
    ...(run.conclusion ? { conclusion: run.conclusion } : {}),
    createdAt: run.createdAt,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.completedAt ? { completedAt: run.completedAt } : {}),
    ...(run.note ? { note: run.note } : {}),
  };
}

export function toRunView(run: RunDetail): RunView {
  return {
    ...toRunSummary(run),
    jobs: run.jobs.map((job) => ({
      id: job.jobKey,
      name: job.name,
      status: job.status,
      ...(job.conclusion ? { conclusion: job.conclusion } : {}),
      ...(job.startedAt ? { startedAt: job.startedAt } : {}),
      ...(job.completedAt ? { completedAt: job.completedAt } : {}),
      outputs: job.outputs,
      steps: job.steps.map(toStepSummary),
    })),
    annotations: run.annotations.map(toAnnotationView),
  };
}

export function toStepSummary(step: StepRecord): StepSummary {
  return {
    number: step.number,
    name: step.name,
    status: step.status,
    ...(step.conclusion ? { conclusion: step.conclusion } : {}),
    ...(step.startedAt ? { startedAt: step.startedAt } : {}),
    ...(step.completedAt ? { completedAt: step.completedAt } : {}),
  };
}

export function toAnnotationView(a: Annotation): AnnotationView {
  return {
    level: a.level,
    job: a.job,
    message: a.message,
    ...(a.title ? { title: a.title } : {}),
    ...(a.file ? { file: a.file } : {}),
    ...(a.line !== undefined ? { line: a.line } : {}),
  };
}

/** A runner event as a progress line's source; run events are sent as whole summaries instead. */
export function toProgressEvent(event: RunEvent): ProgressEvent | undefined {
  const duration = (ms: number | undefined) => (ms === undefined ? {} : { durationMs: ms });
  switch (event.type) {
    case 'job':
      return {
        type: 'job',
        job: String(event.jobId),
        name: event.job,
        status: event.status,
        ...(event.conclusion ? { conclusion: event.conclusion } : {}),
        ...duration(event.durationMs),
      };
    case 'step':
      return {
        type: 'step',
        job: String(event.jobId),
        number: event.step,
        name: event.name,
        status: event.status,
        ...(event.conclusion ? { conclusion: event.conclusion } : {}),
        ...duration(event.durationMs),
      };
    case 'log':
      return { type: 'log', job: String(event.jobId), line: event.line };
    case 'notice':
      return {
        type: 'notice',
        ...(event.jobId !== undefined ? { job: String(event.jobId) } : {}),
        level: event.level,
        ...(event.title ? { title: event.title } : {}),
        message: event.message,
      };
    default:
      return undefined;
  }
}
