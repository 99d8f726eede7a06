/**
 * EcsStore: everything ECS persists, in the cloud's SQLite database, and the API the
 * scheduler uses. The control plane (operations/) and the scheduler share one instance:
 *   clusters         get/list/put
 *   taskDefinitions  register, resolve FAMILY[:REV], list, put (TaskDefinitionStore)
 *   services         services, deployments, events (ServiceStore): listForReconcile,
 *                    deployments(arn), putDeployment, appendEvent (dedups identical consecutive)
 *   tasks            get/put/list(filter)/countsByStartedBy/deleteStoppedBefore (TaskStore)
 *   transaction(fn)  runs fn atomically (nested calls join the outer transaction)
 *   changes          deployments written, tasks stopped, events appended, for subscribers
 * Running and pending counts are never stored: `serviceCounts` computes them from tasks.
 */
import { migrate, type Db } from '../../store/database.js';
import { clusterArn, type Partition } from './arns.js';
import { EcsChanges } from './changes.js';
import { decodeDocument, encodeDocument } from './documents.js';
import type { Cluster, Deployment, Service } from './model.js';
import { ECS_MIGRATIONS } from './schema.js';
import { ServiceStore } from './service-store.js';
import { TaskDefinitionStore } from './task-definition-store.js';
import { TaskStore, type TaskCounts } from './task-store.js';

/** Clusters, keyed by name. */
export class ClusterStore {
  constructor(private readonly db: Db) {}

  get(name: string): Cluster | undefined {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM ecs_clusters WHERE name = ?').get(name);
    return row ? decodeDocument<Cluster>(row.doc) : undefined;
  }

  /** Clusters by name; INACTIVE ones only when asked. */
  list(options: { includeInactive?: boolean } = {}): Cluster[] {
    const sql = `SELECT doc FROM ecs_clusters ${options.includeInactive ? '' : "WHERE status = 'ACTIVE'"} ORDER BY name`;
    return this.db
      .prepare<[], { doc: string }>(sql)
      .all()
      .map((row) => decodeDocument<Cluster>(row.doc));
  }

  /** Inserts or replaces the cluster. */
  put(cluster: Cluster): void {
    this.db
      .prepare(
        `INSERT INTO ecs_clusters (name, status, created_at, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET status = excluded.status, created_at = excluded.created_at, doc = excluded.doc`,
      )
      .run(cluster.clusterName, cluster.status, cluster.createdAt.getTime(), encodeDocument(cluster));
  }
}

/** A service's counts, from its tasks: per deployment and in total. */
export interface ServiceCounts {
  running: number;
  pending: number;
  byDeployment: Map<string, TaskCounts>;
}

export class EcsStore {
  readonly partition: Partition;
  readonly clusters: ClusterStore;
  readonly taskDefinitions: TaskDefinitionStore;
  readonly services: ServiceStore;
  readonly tasks: TaskStore;
  readonly changes = new EcsChanges();

  constructor(
    private readonly db: Db,
    partition: Partition,
  ) {
    migrate(db, 'ecs', ECS_MIGRATIONS);
    this.partition = partition;
    this.clusters = new ClusterStore(db);
    this.taskDefinitions = new TaskDefinitionStore(db, partition, this.changes);
    this.services = new ServiceStore(db, this.changes);
    this.tasks = new TaskStore(db, this.changes);
  }

  /** Runs `fn` in one SQLite transaction (joining an enclosing one). */
  transaction<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }

  clusterArn(name: string): string {
    return clusterArn(this.partition, name);
  }

  /** Running and pending counts of the service's tasks, per deployment (INACTIVE ones included). */
  serviceCounts(service: Service, deployments?: readonly Deployment[]): ServiceCounts {
    const ids = (deployments ?? this.services.deployments(service.serviceArn, { includeInactive: true })).map(
      (d) => d.id,
    );
    const byDeployment = this.tasks.countsByStartedBy(ids);
    let running = 0;
    let pending = 0;
    for (const counts of byDeployment.values()) {
      running += counts.running;
      pending += counts.pending;
    }
    return { running, pending, byDeployment };
  }
}
