/**
 * The runner's public records: runs, jobs, steps as the store keeps them and as `getRun`,
 * `listRuns` and watchers see them. Shapes follow GitHub's REST API where a field exists there
 * (status queued/in_progress/completed, conclusion success/failure/cancelled/skipped).
 */

export type RunStatus = 'queued' | 'in_progress' | 'completed';
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

/** One workflow run. */
export interface RunRecord {
  /** Global run id (GITHUB_RUN_ID). */
  id: number;
  /** Per (repository, workflow file) counter (GITHUB_RUN_NUMBER). */
  runNumber: number;
  runAttempt: number;
  repository: string;
  /** `.github/workflows/ci.yml`. */
  workflowFile: string;
  workflowName: string;
  /** The run's title: `run-name:` or the head commit's first line, as GitHub shows it. */
  displayTitle: string;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Why the run ended unusually (a parse error, a restart, a concurrency cancellation). */
  note: string | null;
}

/** An annotation from ::error::, ::warning::, ::notice:: or the runner itself. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  /** The job it came from. */
  job: string;
}

export interface StepRecord {
  /** 1-based position in the job (post steps follow the main steps). */
  number: number;
  name: string;
  /** The step's id (generated when the workflow gave none). */
  stepId: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  /** Result before continue-on-error (GitHub's `steps.<id>.outcome`). */
  outcome: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
  outputs: Record<string, string>;
  /** Where the step's lines are in its job's log file, in bytes (`end` once it has ended). */
  log?: { start: number; end?: number };
}

export interface JobRecord {
  /** Database id of this job instance. */
  id: number;
  /** The job's key in the workflow (`build`). */
  jobKey: string;
  /** Display name (`build (node 20)` for a matrix instance). */
  name: string;
  matrix: Record<string, unknown> | null;
  runsOn: unknown;
  status: RunStatus;
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
  outputs: Record<string, string>;
  steps: StepRecord[];
}

export interface RunDetail extends RunRecord {
  jobs: JobRecord[];
  annotations: Annotation[];
  /** GITHUB_STEP_SUMMARY contents, per job, masked. */
  summaries: { job: string; markdown: string }[];
}

/** What watchers receive, in order. Log lines are masked before they are emitted. */
export type RunEvent =
  | { type: 'run'; runId: number; status: RunStatus; conclusion?: Conclusion; durationMs?: number }
  | {
      type: 'job';
      runId: number;
      jobId: number;
      job: string;
      status: RunStatus;
      conclusion?: Conclusion;
      durationMs?: number;
    }
  | {
      type: 'step';
      runId: number;
      jobId: number;
      job: string;
      step: number;
      name: string;
      status: RunStatus;
      conclusion?: Conclusion;
      durationMs?: number;
    }
  /** `step`: the number of the step that was running when the line was written, if one was. */
  | { type: 'log'; runId: number; jobId: number; job: string; time: string; line: string; step?: number }
  /** From outside the steps (Runner.notify): a job's ECS deployment failing, say; masked with the run's secrets. */
  | {
      type: 'notice';
      runId: number;
      jobId?: number;
      job?: string;
      level: Annotation['level'];
      title?: string;
      message: string;
    };
