/**
 * The runner's SQLite tables: runs, job instances, steps, annotations and step summaries.
 * Every write is one statement or one transaction, so a crash leaves each record either as it
 * was or as it became, never half-written. Logs live in files beside the database
 * (`<dataDir>/runs/<runId>/`); the job row names its file.
 */
import { migrate, type Db } from '../store/database.js';
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
}

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
          `INSERT INTO runner_runs (run_number, repository, workflow_file, workflow_name, display_title, event, ref, sha, actor, status, created_at, push_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
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
        `INSERT INTO runner_jobs (run_id, job_key, name, matrix, runs_on, status, log_file) VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
      )
      .run(
        runId,
        job.jobKey,
        job.name,
        job.matrix === null ? null : JSON.stringify(job.matrix),
        job.runsOn === undefined ? null : JSON.stringify(job.runsOn),
        job.logFile,
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

  startStep(jobId: number, step: { number: number; stepId: string; name: string; startedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO runner_steps (job_id, number, step_id, name, status, started_at) VALUES (?, ?, ?, ?, 'in_progress', ?)
         ON CONFLICT(job_id, number) DO UPDATE SET status = 'in_progress', started_at = excluded.started_at, name = excluded.name`,
      )
      .run(jobId, step.number, step.stepId, step.name, step.startedAt);
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
    },
  ): void {
    this.db
      .prepare(
        `INSERT INTO runner_steps (job_id, number, step_id, name, status, conclusion, outcome, completed_at, outputs) VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?)
         ON CONFLICT(job_id, number) DO UPDATE SET status = 'completed', conclusion = excluded.conclusion, outcome = excluded.outcome,
           completed_at = excluded.completed_at, outputs = excluded.outputs`,
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
      );
  }

  addAnnotation(runId: number, annotation: Annotation): void {
    const { level, message, job, ...details } = annotation;
    this.db
      .prepare('INSERT INTO runner_annotations (run_id, job, level, message, details) VALUES (?, ?, ?, ?, ?)')
      .run(runId, job, level, message, JSON.stringify(details));
  }

  setSummary(runId: number, job: string, markdown: string): void {
    this.db
      .prepare(
        'INSERT INTO runner_summaries (run_id, job, markdown) VALUES (?, ?, ?) ON CONFLICT(run_id, job) DO UPDATE SET markdown = excluded.markdown',
      )
      .run(runId, job, markdown);
  }

  jobs(runId: number): (JobRecord & { logFile: string })[] {
    const jobs = this.db.prepare('SELECT * FROM runner_jobs WHERE run_id = ? ORDER BY id').all(runId) as JobRow[];
    const steps = this.db
      .prepare(
        'SELECT s.* FROM runner_steps s JOIN runner_jobs j ON j.id = s.job_id WHERE j.run_id = ? ORDER BY s.job_id, s.number',
      )
      .all(runId) as StepRow[];
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

  detail(runId: number): RunDetail | undefined {
    const run = this.run(runId);
    if (run === undefined) return undefined;
    const annotations = (
      this.db.prepare('SELECT * FROM runner_annotations WHERE run_id = ? ORDER BY id').all(runId) as {
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
    const jobs = this.jobs(runId).map(({ logFile: _logFile, ...job }) => job);
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
  };
}
