/**
 * Task definitions: one row per family and revision. Revisions count from 1 per family and
 * are never reused, deregistered ones included (the next revision is the highest + 1).
 */
import type { Db } from '../../store/database.js';
import type { EcsChanges } from './changes.js';
import { taskDefinitionArn, type Partition, type TaskDefinitionRef } from './arns.js';
import { decodeDocument, encodeDocument } from './documents.js';
import type { Tag, TaskDefinition, TaskDefinitionDocument, TaskDefinitionStatus } from './model.js';

/** What RegisterTaskDefinition supplies. */
export interface NewTaskDefinition {
  family: string;
  document: TaskDefinitionDocument;
  tags: Tag[];
  registeredAt: Date;
  registeredBy: string;
}

export class TaskDefinitionStore {
  constructor(
    private readonly db: Db,
    private readonly partition: Partition,
    private readonly changes?: EcsChanges,
  ) {}

  /** Registers the next revision of the family. */
  register(input: NewTaskDefinition): TaskDefinition {
    const registered = this.db.transaction(() => {
      const row = this.db
        .prepare<[string], { revision: number | null }>(
          'SELECT MAX(revision) AS revision FROM ecs_task_definitions WHERE family = ?',
        )
        .get(input.family);
      const revision = (row?.revision ?? 0) + 1;
      const definition: TaskDefinition = {
        taskDefinitionArn: taskDefinitionArn(this.partition, input.family, revision),
        family: input.family,
        revision,
        status: 'ACTIVE',
        registeredAt: input.registeredAt,
        registeredBy: input.registeredBy,
        document: input.document,
        tags: input.tags,
      };
      this.db
        .prepare(
          'INSERT INTO ecs_task_definitions (family, revision, status, registered_at, doc) VALUES (?, ?, ?, ?, ?)',
        )
        .run(input.family, revision, 'ACTIVE', input.registeredAt.getTime(), encodeDocument(definition));
      return definition;
    })();
    this.changes?.emit({ type: 'task-definition', definition: registered });
    return registered;
  }

  get(family: string, revision: number): TaskDefinition | undefined {
    const row = this.db
      .prepare<[string, number], { doc: string }>(
        'SELECT doc FROM ecs_task_definitions WHERE family = ? AND revision = ?',
      )
      .get(family, revision);
    return row ? decodeDocument<TaskDefinition>(row.doc) : undefined;
  }

  /** The family's newest ACTIVE revision. */
  latestActive(family: string): TaskDefinition | undefined {
    const row = this.db
      .prepare<[string], { doc: string }>(
        "SELECT doc FROM ecs_task_definitions WHERE family = ? AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1",
      )
      .get(family);
    return row ? decodeDocument<TaskDefinition>(row.doc) : undefined;
  }

  /** FAMILY → its latest ACTIVE revision; FAMILY:REVISION → that revision, whatever its status. */
  resolve(ref: TaskDefinitionRef): TaskDefinition | undefined {
    return ref.revision === undefined ? this.latestActive(ref.family) : this.get(ref.family, ref.revision);
  }

  /** Task definitions by family then revision (ascending), optionally of one family and status. */
  list(filter: { family?: string; status?: TaskDefinitionStatus } = {}): TaskDefinition[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.family !== undefined) {
      where.push('family = ?');
      params.push(filter.family);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const sql = `SELECT doc FROM ecs_task_definitions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY family, revision`;
    return this.db
      .prepare<(string | number)[], { doc: string }>(sql)
      .all(...params)
      .map((row) => decodeDocument<TaskDefinition>(row.doc));
  }

  /** Family names with, for each, whether any revision is ACTIVE. */
  families(): { family: string; active: boolean }[] {
    return this.db
      .prepare<[], { family: string; active: number }>(
        "SELECT family, MAX(status = 'ACTIVE') AS active FROM ecs_task_definitions GROUP BY family ORDER BY family",
      )
      .all()
      .map((row) => ({ family: row.family, active: row.active === 1 }));
  }

  /** Writes back a changed task definition (status, tags). */
  put(definition: TaskDefinition): void {
    this.db
      .prepare('UPDATE ecs_task_definitions SET status = ?, doc = ? WHERE family = ? AND revision = ?')
      .run(definition.status, encodeDocument(definition), definition.family, definition.revision);
    this.changes?.emit({ type: 'task-definition', definition });
  }
}
