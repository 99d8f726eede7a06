/**
 * Tasks, stopped ones included (AWS shows them for at least an hour; the scheduler purges
 * them with `deleteStoppedBefore`). A task is written whole with `put`, which bumps its
 * version; the columns copy what ListTasks and the counts filter on.
 */
import type { Db } from '../../store/database.js';
import type { EcsChanges } from './changes.js';
import { decodeDocument, encodeDocument } from './documents.js';
import { PENDING_STATES, type DesiredStatus, type Task, type TaskStatus } from './model.js';

/** ListTasks' filters, plus the scheduler's. All given filters must match. */
export interface TaskFilter {
  /** Cluster name. */
  cluster?: string;
  family?: string;
  group?: string;
  startedBy?: string;
  /** Any of these startedBy values (a service's deployment ids). */
  startedByAny?: readonly string[];
  desiredStatus?: DesiredStatus;
  lastStatus?: TaskStatus;
  /** Only tasks whose lastStatus is not STOPPED. */
  live?: boolean;
}

/** Running and pending tasks of one startedBy value (a deployment). */
export interface TaskCounts {
  running: number;
  pending: number;
}

export class TaskStore {
  constructor(
    private readonly db: Db,
    private readonly changes?: EcsChanges,
  ) {}

  get(arn: string): Task | undefined {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM ecs_tasks WHERE arn = ?').get(arn);
    return row ? decodeDocument<Task>(row.doc) : undefined;
  }

  /** Inserts or replaces the task; its version goes up by one on every replace. */
  put(task: Task): Task {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM ecs_tasks WHERE arn = ?').get(task.taskArn);
    const existing = row ? decodeDocument<Task>(row.doc) : undefined;
    const stored: Task = existing ? { ...task, version: existing.version + 1 } : task;
    const family = familyOf(stored.taskDefinitionArn);
    const cluster = stored.clusterArn.slice(stored.clusterArn.indexOf(':cluster/') + ':cluster/'.length);
    this.db
      .prepare(
        `INSERT INTO ecs_tasks (arn, cluster, family, grp, started_by, last_status, desired_status, created_at, doc)
         VALUES (@arn, @cluster, @family, @grp, @started_by, @last_status, @desired_status, @created_at, @doc)
         ON CONFLICT (arn) DO UPDATE SET grp = excluded.grp, started_by = excluded.started_by, last_status = excluded.last_status,
           desired_status = excluded.desired_status, doc = excluded.doc`,
      )
      .run({
        arn: stored.taskArn,
        cluster,
        family,
        grp: stored.group,
        started_by: stored.startedBy ?? null,
        last_status: stored.lastStatus,
        desired_status: stored.desiredStatus,
        created_at: stored.createdAt.getTime(),
        doc: encodeDocument(stored),
      });
    this.changes?.emit({ type: 'task', task: stored });
    if (stored.lastStatus === 'STOPPED' && existing?.lastStatus !== 'STOPPED')
      this.changes?.emit({ type: 'task-stopped', task: stored });
    return stored;
  }

  /** Read-modify-write of one task in a transaction; undefined when the task does not exist. */
  update(arn: string, change: (task: Task) => Task): Task | undefined {
    return this.db.transaction(() => {
      const task = this.get(arn);
      return task ? this.put(change(task)) : undefined;
    })();
  }

  /** Tasks matching every given filter, oldest first. */
  list(filter: TaskFilter = {}): Task[] {
    const where: string[] = [];
    const params: string[] = [];
    const eq = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq('cluster', filter.cluster);
    eq('family', filter.family);
    eq('grp', filter.group);
    eq('started_by', filter.startedBy);
    eq('desired_status', filter.desiredStatus);
    eq('last_status', filter.lastStatus);
    if (filter.live) where.push("last_status != 'STOPPED'");
    if (filter.startedByAny) {
      if (filter.startedByAny.length === 0) return [];
      where.push(`started_by IN (${filter.startedByAny.map(() => '?').join(', ')})`);
      params.push(...filter.startedByAny);
    }
    const sql = `SELECT doc FROM ecs_tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, arn`;
    return this.db
      .prepare<string[], { doc: string }>(sql)
      .all(...params)
      .map((row) => decodeDocument<Task>(row.doc));
  }

  /** RUNNING and pending (PROVISIONING, PENDING, ACTIVATING) tasks per startedBy value. */
  countsByStartedBy(startedBy: readonly string[]): Map<string, TaskCounts> {
    const counts = new Map<string, TaskCounts>(startedBy.map((id) => [id, { running: 0, pending: 0 }]));
    if (startedBy.length === 0) return counts;
    const rows = this.db
      .prepare<string[], { started_by: string; last_status: string; n: number }>(
        `SELECT started_by, last_status, COUNT(*) AS n FROM ecs_tasks WHERE started_by IN (${startedBy.map(() => '?').join(', ')}) GROUP BY started_by, last_status`,
      )
      .all(...startedBy);
    for (const row of rows) {
      const entry = counts.get(row.started_by);
      if (!entry) continue;
      if (row.last_status === 'RUNNING') entry.running += row.n;
      else if ((PENDING_STATES as readonly string[]).includes(row.last_status)) entry.pending += row.n;
    }
    return counts;
  }

  /** Tasks of a cluster that are not STOPPED, counted by lastStatus bucket. */
  clusterCounts(cluster: string): TaskCounts {
    const rows = this.db
      .prepare<[string], { last_status: string; n: number }>(
        "SELECT last_status, COUNT(*) AS n FROM ecs_tasks WHERE cluster = ? AND last_status != 'STOPPED' GROUP BY last_status",
      )
      .all(cluster);
    const counts: TaskCounts = { running: 0, pending: 0 };
    for (const row of rows) {
      if (row.last_status === 'RUNNING') counts.running += row.n;
      else if ((PENDING_STATES as readonly string[]).includes(row.last_status)) counts.pending += row.n;
    }
    return counts;
  }

  /** Forgets STOPPED tasks created before `before`; returns how many. */
  deleteStoppedBefore(before: Date): number {
    return this.db
      .prepare("DELETE FROM ecs_tasks WHERE last_status = 'STOPPED' AND created_at < ?")
      .run(before.getTime()).changes;
  }
}

/** The family of a task-definition ARN (…:task-definition/FAMILY:REV). */
function familyOf(arn: string): string {
  const body = arn.slice(arn.indexOf('task-definition/') + 'task-definition/'.length);
  const colon = body.lastIndexOf(':');
  return colon < 0 ? body : body.slice(0, colon);
}
