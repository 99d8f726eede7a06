/**
 * ECS's tables in the cloud's SQLite database. Every row keeps the whole entity as JSON in
 * `doc` (Dates encoded by documents.ts), and copies of the members that lists filter and
 * sort on as columns, so the scheduler reads and writes whole objects through one code path.
 * Times are epoch milliseconds.
 *   ecs_clusters          one row per cluster name (INACTIVE once deleted)
 *   ecs_task_definitions  one row per family and revision
 *   ecs_services          one row per service ARN (cluster + name); a re-created service reuses it
 *   ecs_deployments       a service's deployments
 *   ecs_service_events    a service's events, at most 100 kept, newest by seq
 *   ecs_tasks             every task, stopped ones included
 */
import type { ResourceCount } from '../../store/database.js';

/** Schema steps; released steps are never edited (see migrate). */
export const ECS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ecs_clusters (
     name TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE TABLE ecs_task_definitions (
     family TEXT NOT NULL,
     revision INTEGER NOT NULL,
     status TEXT NOT NULL,
     registered_at INTEGER NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (family, revision)
   );
   CREATE TABLE ecs_services (
     arn TEXT PRIMARY KEY,
     cluster TEXT NOT NULL,
     name TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX ecs_services_by_cluster ON ecs_services (cluster, name);
   CREATE TABLE ecs_deployments (
     id TEXT PRIMARY KEY,
     service_arn TEXT NOT NULL REFERENCES ecs_services (arn) ON DELETE CASCADE,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX ecs_deployments_by_service ON ecs_deployments (service_arn, created_at);
   CREATE TABLE ecs_service_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     service_arn TEXT NOT NULL REFERENCES ecs_services (arn) ON DELETE CASCADE,
     id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX ecs_service_events_by_service ON ecs_service_events (service_arn, seq);
   CREATE TABLE ecs_tasks (
     arn TEXT PRIMARY KEY,
     cluster TEXT NOT NULL,
     family TEXT NOT NULL,
     grp TEXT NOT NULL,
     started_by TEXT,
     last_status TEXT NOT NULL,
     desired_status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX ecs_tasks_by_cluster ON ecs_tasks (cluster, desired_status);
   CREATE INDEX ecs_tasks_by_started_by ON ecs_tasks (started_by);`,
];

/** What fixes the account id in a region's ECS (cloud/account-id.ts). */
export const ECS_RESOURCES: readonly ResourceCount[] = [
  { what: 'ECS cluster', sql: 'SELECT COUNT(*) AS n FROM ecs_clusters' },
  { what: 'ECS task definition', sql: 'SELECT COUNT(*) AS n FROM ecs_task_definitions' },
];
