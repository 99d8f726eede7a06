/**
 * Services, their deployments and their events. A service row is keyed by its ARN (cluster
 * and name), so re-creating a deleted (INACTIVE) service replaces the row and drops the old
 * deployments and events with it. Events are kept newest first, at most 100 per service, and
 * an event identical to the newest one is suppressed within the dedup window (6 h, as the
 * Developer Guide says ECS does).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../../store/database.js';
import type { EcsChanges } from './changes.js';
import { decodeDocument, encodeDocument } from './documents.js';
import type { Deployment, Service, ServiceEvent, ServiceStatus } from './model.js';

/** Events kept per service. */
export const EVENT_LIMIT = 100;
/** Identical consecutive events within this window are suppressed. */
export const EVENT_DEDUP_WINDOW_MS = 6 * 60 * 60 * 1000;

/** A deployment id: ecs-svc/ and 19 digits, the first one not 0. */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  for (let i = 0; i < 18; i++) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

export class ServiceStore {
  constructor(
    private readonly db: Db,
    private readonly changes?: EcsChanges,
  ) {}

  get(arn: string): Service | undefined {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM ecs_services WHERE arn = ?').get(arn);
    return row ? decodeDocument<Service>(row.doc) : undefined;
  }

  /** Services of a cluster (by cluster name), by name; INACTIVE ones only when asked. */
  list(cluster: string, options: { includeInactive?: boolean } = {}): Service[] {
    const sql = `SELECT doc FROM ecs_services WHERE cluster = ? ${options.includeInactive ? '' : "AND status != 'INACTIVE'"} ORDER BY name`;
    return this.db
      .prepare<[string], { doc: string }>(sql)
      .all(cluster)
      .map((row) => decodeDocument<Service>(row.doc));
  }

  /** Every ACTIVE or DRAINING service in every cluster: what the scheduler reconciles. */
  listForReconcile(): Service[] {
    return this.db
      .prepare<[], { doc: string }>("SELECT doc FROM ecs_services WHERE status != 'INACTIVE' ORDER BY cluster, name")
      .all()
      .map((row) => decodeDocument<Service>(row.doc));
  }

  /** Inserts a new service, replacing an INACTIVE one of the same ARN (and its deployments and events). */
  create(service: Service, cluster: string): void {
    this.db.prepare('DELETE FROM ecs_services WHERE arn = ?').run(service.serviceArn);
    this.db
      .prepare('INSERT INTO ecs_services (arn, cluster, name, status, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        service.serviceArn,
        cluster,
        service.serviceName,
        service.status,
        service.createdAt.getTime(),
        encodeDocument(service),
      );
    this.changes?.emit({ type: 'service', service });
  }

  /** Writes back a changed service. */
  put(service: Service): void {
    this.db
      .prepare('UPDATE ecs_services SET status = ?, doc = ? WHERE arn = ?')
      .run(service.status, encodeDocument(service), service.serviceArn);
    this.changes?.emit({ type: 'service', service });
  }

  setStatus(arn: string, status: ServiceStatus): void {
    const service = this.get(arn);
    if (service) this.put({ ...service, status });
  }

  /** The service's deployments, newest first (PRIMARY first). */
  deployments(serviceArn: string, options: { includeInactive?: boolean } = {}): Deployment[] {
    const sql = `SELECT doc FROM ecs_deployments WHERE service_arn = ? ${options.includeInactive ? '' : "AND status != 'INACTIVE'"} ORDER BY created_at DESC, rowid DESC`;
    return this.db
      .prepare<[string], { doc: string }>(sql)
      .all(serviceArn)
      .map((row) => decodeDocument<Deployment>(row.doc));
  }

  deployment(id: string): Deployment | undefined {
    const row = this.db.prepare<[string], { doc: string }>('SELECT doc FROM ecs_deployments WHERE id = ?').get(id);
    return row ? decodeDocument<Deployment>(row.doc) : undefined;
  }

  /** Inserts or replaces a deployment. */
  putDeployment(deployment: Deployment): void {
    this.db
      .prepare(
        `INSERT INTO ecs_deployments (id, service_arn, status, created_at, doc) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
      )
      .run(
        deployment.id,
        deployment.serviceArn,
        deployment.status,
        deployment.createdAt.getTime(),
        encodeDocument(deployment),
      );
    this.changes?.emit({ type: 'deployment', deployment });
  }

  /** Read-modify-write of one deployment in a transaction; undefined when it does not exist. */
  updateDeployment(id: string, change: (deployment: Deployment) => Deployment): Deployment | undefined {
    return this.db.transaction(() => {
      const deployment = this.deployment(id);
      if (!deployment) return undefined;
      const changed = change(deployment);
      this.putDeployment(changed);
      return changed;
    })();
  }

  /** The service's events, newest first (`limit`: fewer than the 100 kept, say the latest one). */
  events(serviceArn: string, limit = EVENT_LIMIT): ServiceEvent[] {
    return this.db
      .prepare<[string, number], { id: string; created_at: number; message: string }>(
        'SELECT id, created_at, message FROM ecs_service_events WHERE service_arn = ? ORDER BY seq DESC LIMIT ?',
      )
      .all(serviceArn, Math.min(limit, EVENT_LIMIT))
      .map((row) => ({ id: row.id, createdAt: new Date(row.created_at), message: row.message }));
  }

  /**
   * Appends an event unless the newest one has the same message and is younger than
   * `dedupWindowMs`; trims to the newest 100. True when the event was added.
   */
  appendEvent(serviceArn: string, message: string, at: Date, dedupWindowMs = EVENT_DEDUP_WINDOW_MS): boolean {
    return this.db.transaction(() => {
      const newest = this.db
        .prepare<[string], { created_at: number; message: string }>(
          'SELECT created_at, message FROM ecs_service_events WHERE service_arn = ? ORDER BY seq DESC LIMIT 1',
        )
        .get(serviceArn);
      if (newest && newest.message === message && at.getTime() - newest.created_at < dedupWindowMs) return false;
      const id = randomUUID();
      this.db
        .prepare('INSERT INTO ecs_service_events (service_arn, id, created_at, message) VALUES (?, ?, ?, ?)')
        .run(serviceArn, id, at.getTime(), message);
      this.changes?.emit({ type: 'service-event', serviceArn, event: { id, createdAt: at, message } });
      this.db
        .prepare(
          'DELETE FROM ecs_service_events WHERE service_arn = ? AND seq NOT IN (SELECT seq FROM ecs_service_events WHERE service_arn = ? ORDER BY seq DESC LIMIT ?)',
        )
        .run(serviceArn, serviceArn, EVENT_LIMIT);
      return true;
    })();
  }
}
