/**
 * The control API's wire shapes: what `/_dockyard/api/*` returns and the CLI reads. The running
 * cloud is the one writer of runs, repositories, secrets and variables; the CLI asks it, with
 * the admin key (HTTP Basic, access key id and secret, the same credentials git pushes with).
 */

export const CONTROL_PREFIX = '/_dockyard/api';

import type { Conclusion, RunStatus } from '../runner/types.js';

export type { Conclusion, RunStatus };

export interface RunSummary {
  id: number;
  runNumber: number;
  /** GITHUB_RUN_ATTEMPT: 1, and one more for each re-run. */
  runAttempt: number;
  repository: string;
  workflow: string;
  workflowFile: string;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  status: RunStatus;
  conclusion?: Conclusion;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  /** Why the run ended unusually: an invalid workflow file, a restart, a cancellation. */
  note?: string;
}

export interface StepSummary {
  number: number;
  name: string;
  status: RunStatus;
  conclusion?: Conclusion;
  startedAt?: string;
  completedAt?: string;
}

export interface JobSummary {
  id: string;
  name: string;
  status: RunStatus;
  conclusion?: Conclusion;
  startedAt?: string;
  completedAt?: string;
  outputs?: Record<string, string>;
  steps: StepSummary[];
}

export interface AnnotationView {
  level: 'error' | 'warning' | 'notice';
  job: string;
  message: string;
  title?: string;
  file?: string;
  line?: number;
}

export interface RunView extends RunSummary {
  jobs: JobSummary[];
  /** ::error::/::warning::/::notice:: and the runner's own, as GitHub lists them under a run. */
  annotations: AnnotationView[];
}

/** One line of a run's progress stream (NDJSON at /runs/:id/events). */
export type ProgressEvent =
  | { type: 'run'; run: RunSummary }
  | { type: 'job'; job: string; name: string; status: RunStatus; conclusion?: Conclusion; durationMs?: number }
  | {
      type: 'step';
      job: string;
      number: number;
      name: string;
      status: RunStatus;
      conclusion?: Conclusion;
      durationMs?: number;
    }
  | { type: 'log'; job: string; step?: number; line: string }
  /** Said about the run from outside its steps (a deployment it started is failing); `job` when it is one job's. */
  | { type: 'notice'; job?: string; level: AnnotationView['level']; title?: string; message: string };
