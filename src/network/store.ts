/**
 * NetworkStore: the network runtime's own SQLite tables. Two allocations must survive a restart
 * of the cloud so that what users were told stays true: the loopback address each task was given
 * (a task adopted after a restart keeps its ENI's address) and the port each service's stable
 * endpoint listens on (its URL does not change). Both are "one key owns one unique value" tables.
 */
import type { Db } from '../store/database.js';
import { migrate } from '../store/database.js';

const NETWORK_MIGRATIONS: readonly string[] = [
  `CREATE TABLE network_task_addresses (
     task_arn TEXT PRIMARY KEY,
     address TEXT NOT NULL UNIQUE,
     allocated_at INTEGER NOT NULL
   );
   CREATE TABLE network_endpoint_ports (
     service_key TEXT PRIMARY KEY,
     port INTEGER NOT NULL UNIQUE,
     allocated_at INTEGER NOT NULL
   );`,
];

/** Which of the two allocation tables a call is about. */
export type AllocationKind = 'task-address' | 'endpoint-port';

interface TableSpec {
  table: string;
  key: string;
  value: string;
}

const TABLES: Record<AllocationKind, TableSpec> = {
  'task-address': { table: 'network_task_addresses', key: 'task_arn', value: 'address' },
  'endpoint-port': { table: 'network_endpoint_ports', key: 'service_key', value: 'port' },
};

/** One persisted allocation: its owner (a task ARN or a service key) and its value. */
export interface Allocation<V> {
  owner: string;
  value: V;
}

/** Typed access to the allocation tables; callers decide what to allocate. */
export class NetworkStore {
  constructor(private readonly db: Db) {
    migrate(db, 'network', NETWORK_MIGRATIONS);
  }

  /** Every allocation of a kind, oldest first. */
  list<V extends string | number>(kind: AllocationKind): Allocation<V>[] {
    const t = TABLES[kind];
    return this.db
      .prepare<[], { owner: string; value: V }>(
        `SELECT ${t.key} AS owner, ${t.value} AS value FROM ${t.table} ORDER BY allocated_at, rowid`,
      )
      .all();
  }

  /** The value owned by `owner`, if any. */
  get<V extends string | number>(kind: AllocationKind, owner: string): V | undefined {
    const t = TABLES[kind];
    const row = this.db
      .prepare<[string], { value: V }>(`SELECT ${t.value} AS value FROM ${t.table} WHERE ${t.key} = ?`)
      .get(owner);
    return row?.value;
  }

  /** Records `owner → value`, replacing what `owner` had. Throws if another owner holds `value`. */
  put(kind: AllocationKind, owner: string, value: string | number, now: Date): void {
    const t = TABLES[kind];
    this.db
      .prepare(
        `INSERT INTO ${t.table} (${t.key}, ${t.value}, allocated_at) VALUES (?, ?, ?) ON CONFLICT(${t.key}) DO UPDATE SET ${t.value} = excluded.${t.value}, allocated_at = excluded.allocated_at`,
      )
      .run(owner, value, now.getTime());
  }

  /** Forgets `owner`'s allocation; false when it had none. */
  delete(kind: AllocationKind, owner: string): boolean {
    const t = TABLES[kind];
    return this.db.prepare(`DELETE FROM ${t.table} WHERE ${t.key} = ?`).run(owner).changes > 0;
  }
}
