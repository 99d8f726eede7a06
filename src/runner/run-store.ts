/**
 * The runner's SQLite tables: runs, job instances, steps, annotations and step summaries.
 * Every write is one statement or one transaction, so a crash leaves each record either as it
 * was or as it became, never half-written. Logs live in files beside the database
 * (`<dataDir>/runs/<runId>/`); the job row names its file.
 */
import { migrate, type Db } from '../store/database.js';
import type { Json } from '../workflow/contract.js';
import type { Annotation, Conclusion, JobRecord, RunDetail, RunRecord, RunStatus, StepRecord } from './types.js';

const MIGRATIONS = [
  `CREATE TABLE runner_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_number INTEGER NOT NULL,
     run_attempt INTEGER NOT NULL DEFAULT 1,
     repository TEXT NOT NULL,
     workflow_file TEXT NOT NULL,
     workflow_name TEXT NOT NULL,
     display_title TEXT NOT NULL,
     event TEXT NOT NULL,
     ref TEXT NOT NULL,
     sha TEXT NOT NULL,
     actor TEXT NOT NULL,
     status TEXT NOT NULL,
     conclusion TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     completed_at TEXT,
     note TEXT,
     UNIQUE (repository, workflow_file, run_number)
   );
   CREATE TABLE runner_jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id INTEGER NOT NULL REFERENCES runner_runs(id) ON DELETE CASCADE,
     job_key TEXT NOT NULL,
     name TEXT NOT NULL,
     matrix TEXT,
     runs_on TEXT,
     status TEXT NOT NULL,
     conclusion TEXT,
     started_at TEXT,
     completed_at TEXT,
     outputs TEXT NOT NULL DEFAULT '{}',
     log_file TEXT NOT NULL
   );
   CREATE INDEX runner_jobs_run ON runner_jobs(run_id);
   CREATE TABLE runner_steps (
     job_id INTEGER NOT NULL REFERENCES runner_jobs(id) ON DELETE CASCADE,
     number INTEGER NOT NULL,
     step_id TEXT NOT NULL,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     conclusion TEXT,
     outcome TEXT,
     started_at TEXT,
     completed_at TEXT,
     outputs TEXT NOT NULL DEFAULT '{}',
     PRIMARY KEY (job_id, number)
   );
   CREATE TABLE runner_annotations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id INTEGER NOT NULL REFERENCES runner_runs(id) ON DELETE CASCADE,
     job TEXT NOT NULL,
     level TEXT NOT NULL,
     message TEXT NOT NULL,
     details TEXT NOT NULL DEFAULT '{}'
   );
   CREATE TABLE runner_summaries (
     run_id INTEGER NOT NULL REFERENCES runner_runs(id) ON DELETE CASCADE,
     job TEXT NOT NULL,
     markdown TEXT NOT NULL,
     PRIMARY KEY (run_id, job)
   );
   CREATE TABLE runner_secrets (
     repository TEXT NOT NULL,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (repository, name)
   );
   CREATE TABLE runner_variables (
     repository TEXT NOT NULL,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (repository, name)
   );`,
  // The push a run came from: one run per push, ref and workflow, however often the push is handed over.
  `ALTER TABLE runner_runs ADD COLUMN push_id TEXT;
   CREATE UNIQUE INDEX runner_runs_push ON runner_runs(repository, push_id, ref, workflow_file) WHERE push_id IS NOT NULL;`,
  // Re-runs (GitHub's semantics: the same run id, run_attempt + 1, the same event): the event a
  // run was started with, and which attempt each job and annotation belongs to. Step logs: where
  // each step's lines begin and end in its job's log file.
  `ALTER TABLE runner_runs ADD COLUMN event_payload TEXT;
   ALTER TABLE runner_runs ADD COLUMN inputs TEXT;
   ALTER TABLE runner_jobs ADD COLUMN run_attempt INTEGER NOT NULL DEFAULT 1;
   CREATE INDEX runner_jobs_attempt ON runner_jobs(run_id, run_attempt);
   ALTER TABLE runner_annotations ADD COLUMN run_attempt INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE runner_steps ADD COLUMN log_start INTEGER;
   ALTER TABLE runner_steps ADD COLUMN log_end INTEGER;`,
];

/** Creates the runner's tables (idempotent). */
export function migrateRunner(db: Db): void {
  migrate(db, 'runner', MIGRATIONS);
}

interface RunRow {
  id: number;
  run_number: number;
  run_attempt: number;
  repository: string;
  workflow_file: string;
  workflow_name: string;
  display_title: string;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  note: string | null;
}

interface JobRow {
  id: number;
  run_id: number;
  job_key: string;
  name: string;
  matrix: string | null;
  runs_on: string | null;
  status: RunStatus;
  conclusion: Conclusion | null;
  started_at: string | null;
  completed_at: string | null;
  outputs: string;
  log_file: string;
}

interface StepRow {
  job_id: number;
  number: number;
  step_id: string;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  outcome: Conclusion | null;
  started_at: string | null;
  completed_at: string | null;
  outputs: string;
  log_start: number | null;
  log_end: number | null;
}

export interface NewRun {
  repository: string;
  workflowFile: string;
  workflowName: string;
  displayTitle: string;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  createdAt: string;
  /** The push it comes from (PushEvent.pushId), when it comes from one through the HTTP handler. */
  pushId?: string;
  /** The event payload and inputs it runs with, kept so that a re-run runs with the same event. */
  payload?: Json;
  inputs?: Record<string, Json>;
}

/** The event a run was started with (what a re-run starts again with). */
export interface RunEventRecord {
  payload: Json;
  inputs: Record<string, Json>;
}

/** The run's current attempt, for the rows a job or annotation adds to it. */
const CURRENT_ATTEMPT = '(SELECT run_attempt FROM runner_runs WHERE id = ?)';

/** Typed access to the runner's tables. */
export class RunStore {
  constructor(private readonly db: Db) {
    migrateRunner(db);
  }

  /**
   * Creates a queued run with the next run number of its workflow, in one transaction. A push
   * run whose push, ref and workflow already have a run is not created again: that run is
   * returned, with `created` false.
   */
  createRun(run: NewRun): { run: RunRecord; created: boolean } {
    const insert = this.db.transaction((): { id: number; created: boolean } => {
      if (run.pushId !== undefined) {
        const existing = this.db
          .prepare('SELECT id FROM runner_runs WHERE repository = ? AND push_id = ? AND ref = ? AND workflow_file = ?')
          .get(run.repository, run.pushId, run.ref, run.workflowFile) as { id: number } | undefined;
        if (existing !== undefined) return { id: existing.id, created: false };
      }
      const row = this.db
        .prepare(
          'SELECT COALESCE(MAX(run_number), 0) AS last FROM runner_runs WHERE repository = ? AND workflow_file = ?',
        )
        .get(run.repository, run.workflowFile) as { last: number };
      const result = this.db
        .prepare(
          `INSERT INTO runner_runs (run_number, repository, workflow_file, workflow_name, display_title, event, ref, sha, actor, status, created_at, push_id, event_payload, inputs)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`,
        )
        .run(
          row.last + 1,
          run.repository,
          run.workflowFile,
          run.workflowName,
          run.displayTitle,
          run.event,
          run.ref,
          run.sha,
          run.actor,
          run.createdAt,
          run.pushId ?? null,
          run.payload === undefined ? null : JSON.stringify(run.payload),
          run.inputs === undefined ? null : JSON.stringify(run.inputs),
        );
      return { id: Number(result.lastInsertRowid), created: true };
    });
    const { id, created } = insert();
    return { run: this.run(id) as RunRecord, created };
  }

  run(id: number): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runner_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row === undefined ? undefined : toRun(row);
  }

  /** The event payload and inputs the run was started with; undefined for runs recorded without them. */
  eventOf(id: number): RunEventRecord | undefined {
    const row = this.db.prepare('SELECT event_payload, inputs FROM runner_runs WHERE id = ?').get(id) as
      { event_payload: string | null; inputs: string | null } | undefined;
    if (row?.event_payload == null) return undefined;
    return {
      payload: JSON.parse(row.event_payload) as Json,
      inputs: row.inputs === null ? {} : (JSON.parse(row.inputs) as Record<string, Json>),
    };
  }

  /**
   * Starts the run's next attempt (a re-run): run_attempt + 1, queued again, its result and
   * times cleared; the earlier attempts' jobs and annotations stay, under their attempt.
   * Step summaries are the latest attempt's only. Undefined when the run is not completed
   * (checked in the same transaction, so two re-runs cannot both start).
   */
  startAttempt(id: number): RunRecord | undefined {
    return this.db.transaction((): RunRecord | undefined => {
      const changed = this.db
        .prepare(
          `UPDATE runner_runs SET run_attempt = run_attempt + 1, status = 'queued', conclusion = NULL, started_at = NULL,
             completed_at = NULL, note = NULL WHERE id = ? AND status = 'completed'`,
        )
        .run(id).changes;
      if (changed === 0) return undefined;
      this.db.prepare('DELETE FROM runner_summaries WHERE run_id = ?').run(id);
      return this.run(id);
    })();
  }

  listRuns(filter: { repository?: string; limit?: number } = {}): RunRecord[] {
    const limit = filter.limit ?? 100;
    const rows = (
      filter.repository === undefined
        ? this.db.prepare('SELECT * FROM runner_runs ORDER BY id DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM runner_runs WHERE repository = ? ORDER BY id DESC LIMIT ?')
            .all(filter.repository, limit)
    ) as RunRow[];
    return rows.map(toRun);
  }

  updateRun(
    id: number,
    fields: {
      status?: RunStatus;
      conclusion?: Conclusion | null;
      startedAt?: string;
      completedAt?: string;
      note?: string;
      displayTitle?: string;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE runner_runs SET status = COALESCE(?, status), conclusion = COALESCE(?, conclusion), started_at = COALESCE(?, started_at),
           completed_at = COALESCE(?, completed_at), note = COALESCE(?, note), display_title = COALESCE(?, display_title) WHERE id = ?`,
      )
      .run(
        fields.status ?? null,
        fields.conclusion ?? null,
        fields.startedAt ?? null,
        fields.completedAt ?? null,
        fields.note ?? null,
        fields.displayTitle ?? null,
        id,
      );
  }

  createJob(
    runId: number,
    job: { jobKey: string; name: string; matrix: Record<string, unknown> | null; runsOn: unknown; logFile: string },
  ): number {
    const result = this.db
      .prepare(
        `INSERT INTO runner_jobs (run_id, job_key, name, matrix, runs_on, status, log_file, run_attempt)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ${CURRENT_ATTEMPT})`,
      )
      .run(
        runId,
        job.jobKey,
        job.name,
        job.matrix === null ? null : JSON.stringify(job.matrix),
        job.runsOn === undefined ? null : JSON.stringify(job.runsOn),
        job.logFile,
        runId,
      );
    return Number(result.lastInsertRowid);
  }

  updateJob(
    id: number,
    fields: {
      status?: RunStatus;
      conclusion?: Conclusion;
      startedAt?: string;
      completedAt?: string;
      outputs?: Record<string, string>;
      name?: string;
    },
  ): void {
    this.db
      .prepare(
        `UPDATE runner_jobs SET status = COALESCE(?, status), conclusion = COALESCE(?, conclusion), started_at = COALESCE(?, started_at),
           completed_at = COALESCE(?, completed_at), outputs = COALESCE(?, outputs), name = COALESCE(?, name) WHERE id = ?`,
      )
      .run(
        fields.status ?? null,
        fields.conclusion ?? null,
        fields.startedAt ?? null,
        fields.completedAt ?? null,
        fields.outputs === undefined ? null : JSON.stringify(fields.outputs),
        fields.name ?? null,
        id,
      );
  }

  /** `logStart`: the job log's length in bytes when the step began (its lines follow). */
  startStep(
    jobId: number,
    step: { number: number; stepId: string; name: string; startedAt: string; logStart?: number },
  ): void {
    this.db
      .prepare(
        `INSERT INTO runner_steps (job_id, number, step_id, name, status, started_at, log_start) VALUES (?, ?, ?, ?, 'in_progress', ?, ?)
         ON CONFLICT(job_id, number) DO UPDATE SET status = 'in_progress', started_at = excluded.started_at, name = excluded.name,
           log_start = excluded.log_start`,
      )
      .run(jobId, step.number, step.stepId, step.name, step.startedAt, step.logStart ?? null);
  }

  /** Records a finished (or skipped) step; inserts it when it never started. */
  completeStep(
    jobId: number,
    step: {
      number: number;
      stepId: string;
      name: string;
      conclusion: Conclusion;
      outcome: Conclusion;
      completedAt: string;
      outputs: Record<string, string>;
      /** The job log's length in bytes when the step ended. */
      logEnd?: number;
    },
  ): void {
    this.db
      .prepare(
        `INSERT INTO runner_steps (job_id, number, step_id, name, status, conclusion, outcome, completed_at, outputs, log_end) VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?)
         ON CONFLICT(job_id, number) DO UPDATE SET status = 'completed', conclusion = excluded.conclusion, outcome = excluded.outcome,
           completed_at = excluded.completed_at, outputs = excluded.outputs, log_end = excluded.log_end`,
      )
      .run(
        jobId,
        step.number,
        step.stepId,
        step.name,
        step.conclusion,
        step.outcome,
        step.completedAt,
        JSON.stringify(step.outputs),
        step.logEnd ?? null,
      );
  }

  addAnnotation(runId: number, annotation: Annotation): void {
    const { level, message, job, ...details } = annotation;
    this.db
      .prepare(
        `INSERT INTO runner_annotations (run_id, job, level, message, details, run_attempt) VALUES (?, ?, ?, ?, ?, ${CURRENT_ATTEMPT})`,
      )
      .run(runId, job, level, message, JSON.stringify(details), runId);
  }

  setSummary(runId: number, job: string, markdown: string): void {
    this.db
      .prepare(
        'INSERT INTO runner_summaries (run_id, job, markdown) VALUES (?, ?, ?) ON CONFLICT(run_id, job) DO UPDATE SET markdown = excluded.markdown',
      )
      .run(runId, job, markdown);
  }

  /** The jobs of one attempt of the run (default: its latest). */
  jobs(runId: number, attempt?: number): (JobRecord & { logFile: string })[] {
    const which = attempt ?? this.run(runId)?.runAttempt ?? 1;
    const jobs = this.db
      .prepare('SELECT * FROM runner_jobs WHERE run_id = ? AND run_attempt = ? ORDER BY id')
      .all(runId, which) as JobRow[];
    const steps = this.db
      .prepare(
        `SELECT s.* FROM runner_steps s JOIN runner_jobs j ON j.id = s.job_id WHERE j.run_id = ? AND j.run_attempt = ?
         ORDER BY s.job_id, s.number`,
      )
      .all(runId, which) as StepRow[];
    return jobs.map((job) => ({
      id: job.id,
      jobKey: job.job_key,
      name: job.name,
      matrix: job.matrix === null ? null : (JSON.parse(job.matrix) as Record<string, unknown>),
      runsOn: job.runs_on === null ? null : (JSON.parse(job.runs_on) as unknown),
      status: job.status,
      conclusion: job.conclusion,
      startedAt: job.started_at,
      completedAt: job.completed_at,
      outputs: JSON.parse(job.outputs) as Record<string, string>,
      logFile: job.log_file,
      steps: steps.filter((step) => step.job_id === job.id).map(toStep),
    }));
  }

  /** One job of the run (of any attempt) by its id, with its steps and log file. */
  jobById(runId: number, jobId: number): (JobRecord & { logFile: string }) | undefined {
    const row = this.db.prepare('SELECT run_attempt FROM runner_jobs WHERE run_id = ? AND id = ?').get(runId, jobId) as
      { run_attempt: number } | undefined;
    return row === undefined ? undefined : this.jobs(runId, row.run_attempt).find((job) => job.id === jobId);
  }

  /** The run with one attempt's jobs and annotations (default: its latest attempt). */
  detail(runId: number, attempt?: number): RunDetail | undefined {
    const run = this.run(runId);
    if (run === undefined) return undefined;
    const which = attempt ?? run.runAttempt;
    const annotations = (
      this.db
        .prepare('SELECT * FROM runner_annotations WHERE run_id = ? AND run_attempt = ? ORDER BY id')
        .all(runId, which) as {
        job: string;
        level: Annotation['level'];
        message: string;
        details: string;
      }[]
    ).map((row): Annotation => ({
      ...(JSON.parse(row.details) as Partial<Annotation>),
      level: row.level,
      message: row.message,
      job: row.job,
    }));
    const summaries = this.db
      .prepare('SELECT job, markdown FROM runner_summaries WHERE run_id = ? ORDER BY job')
      .all(runId) as { job: string; markdown: string }[];
    const jobs = this.jobs(runId, which).map(({ logFile: _logFile, ...job }) => job);
    return { ...run, jobs, annotations, summaries };
  }

  /**
   * Runs a previous process left unfinished cannot continue (their processes died with it):
   * they are completed as cancelled with a note, in one transaction.
   */
  closeOrphans(completedAt: string, note: string): number[] {
    return this.db.transaction(() => {
      const ids = (
        this.db.prepare(`SELECT id FROM runner_runs WHERE status != 'completed'`).all() as { id: number }[]
      ).map((row) => row.id);
      for (const id of ids) {
        this.db
          .prepare(
            `UPDATE runner_runs SET status = 'completed', conclusion = 'cancelled', completed_at = ?, note = ? WHERE id = ?`,
          )
          .run(completedAt, note, id);
        this.db
          .prepare(
            `UPDATE runner_jobs SET status = 'completed', conclusion = 'cancelled', completed_at = ? WHERE run_id = ? AND status != 'completed'`,
          )
          .run(completedAt, id);
        this.db
          .prepare(
            `UPDATE runner_steps SET status = 'completed', conclusion = 'cancelled', outcome = 'cancelled', completed_at = ?
             WHERE status != 'completed' AND job_id IN (SELECT id FROM runner_jobs WHERE run_id = ?)`,
          )
          .run(completedAt, id);
      }
      return ids;
    })();
  }
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    runNumber: row.run_number,
    runAttempt: row.run_attempt,
    repository: row.repository,
    workflowFile: row.workflow_file,
    workflowName: row.workflow_name,
    displayTitle: row.display_title,
    event: row.event,
    ref: row.ref,
    sha: row.sha,
    actor: row.actor,
    status: row.status,
    conclusion: row.conclusion,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    note: row.note,
  };
}

function toStep(row: StepRow): StepRecord {
  return {
    number: row.number,
    name: row.name,
    stepId: row.step_id,
    status: row.status,
    conclusion: row.conclusion,
    outcome: row.outcome,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    outputs: JSON.parse(row.outputs) as Record<string, string>,
    ...(row.log_start === null
      ? {}
      : { log: { start: row.log_start, ...(row.log_end === null ? {} : { end: row.log_end }) } }),
  };
}
