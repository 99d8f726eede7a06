/**
 * CloudWatch Logs' tables in the cloud's SQLite database. Times are epoch milliseconds, as
 * Logs itself counts them. Streams and events cascade from their group.
 *   logs_groups    one row per log group: creation time, retention, tags
 *   logs_streams   one row per stream: creation, first/last event, last ingestion, upload sequence
 *   logs_events    every event, ordered by (timestamp, id): id is the arrival order
 */
import type { ResourceCount } from '../../store/database.js';

/** Schema steps; released steps are never edited (see migrate). */
export const LOGS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE logs_groups (
     name TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     retention_days INTEGER,
     tags TEXT NOT NULL
   );
   CREATE TABLE logs_streams (
     group_name TEXT NOT NULL REFERENCES logs_groups (name) ON DELETE CASCADE,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     first_event INTEGER,
     last_event INTEGER,
     last_ingestion INTEGER,
     sequence INTEGER NOT NULL,
     PRIMARY KEY (group_name, name)
   );
   CREATE TABLE logs_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     group_name TEXT NOT NULL,
     stream_name TEXT NOT NULL,
     timestamp INTEGER NOT NULL,
     ingestion_time INTEGER NOT NULL,
     message TEXT NOT NULL,
     FOREIGN KEY (group_name, stream_name) REFERENCES logs_streams (group_name, name) ON DELETE CASCADE
   );
   CREATE INDEX logs_events_by_stream ON logs_events (group_name, stream_name, timestamp, id);
   CREATE INDEX logs_events_by_group ON logs_events (group_name, timestamp, id);`,
  // A stream's events in arrival order (LogsStore.arrivals: the console's live tail).
  `CREATE INDEX logs_events_by_arrival ON logs_events (group_name, stream_name, id);`,
];

/** What fixes the account id in a region's CloudWatch Logs (cloud/account-id.ts). */
export const LOGS_RESOURCES: readonly ResourceCount[] = [
  { what: 'log group', sql: 'SELECT COUNT(*) AS n FROM logs_groups' },
];
