/**
 * LogsStore: log groups, streams and events over SQLite. Events are kept in (timestamp,
 * arrival) order; readers page through them with EventCursor positions, so a page boundary
 * survives new events arriving between calls. The ECS awslogs driver writes through
 * `append`; retention is applied by `expire(now)`, called on the cloud's schedule with the
 * injected clock's time. `onAppend` tells in-process subscribers (the console's live tail)
 * which stream got events, after the write has committed.
 */
import type { Db } from '../../store/database.js';
import { migrate } from '../../store/database.js';
import { LOGS_MIGRATIONS } from './schema.js';

export interface LogsStoreOptions {
  accountId: string;
  region: string;
}

export interface LogGroup {
  name: string;
  createdAt: number;
  retentionInDays?: number;
  storedBytes: number;
  tags: Record<string, string>;
}

export interface LogStream {
  groupName: string;
  name: string;
  createdAt: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  sequence: number;
}

export interface InputEvent {
  timestamp: number;
  message: string;
}

export interface StoredEvent {
  id: number;
  streamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A position between events: (timestamp, id) in the events' order. */
export interface EventCursor {
  timestamp: number;
  id: number;
}

export interface EventQuery {
  /** Only events after (forward) or before (backward) this position. */
  from?: EventCursor;
  direction: 'forward' | 'backward';
  /** Inclusive. */
  startTime?: number;
  /** Exclusive. */
  endTime?: number;
  limit: number;
  /** Restrict to these streams (all of the group's when absent). */
  streams?: readonly string[];
  streamPrefix?: string;
}

interface GroupRow {
  name: string;
  created_at: number;
  retention_days: number | null;
  tags: string;
  stored: number | null;
}
interface StreamRow {
  group_name: string;
  name: string;
  created_at: number;
  first_event: number | null;
  last_event: number | null;
  last_ingestion: number | null;
  sequence: number;
}
interface EventRow {
  id: number;
  stream_name: string;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** arn:aws:logs:REGION:ACCOUNT:log-group:NAME */
export function logGroupArn(region: string, accountId: string, group: string): string {
  return `arn:aws:logs:${region}:${accountId}:log-group:${group}`;
}

/** arn:aws:logs:REGION:ACCOUNT:log-group:NAME:log-stream:STREAM */
export function logStreamArn(region: string, accountId: string, group: string, stream: string): string {
  return `${logGroupArn(region, accountId, group)}:log-stream:${stream}`;
}

/** Told which stream got new events. */
export type LogAppendListener = (group: string, stream: string) => void;

export class LogsStore {
  readonly accountId: string;
  readonly region: string;
  private readonly appendListeners = new Set<LogAppendListener>();

  constructor(
    private readonly db: Db,
    options: LogsStoreOptions,
  ) {
    this.accountId = options.accountId;
    this.region = options.region;
    migrate(db, 'logs', LOGS_MIGRATIONS);
  }

  /** Calls `listener` after every later write of events; returns the unsubscribe function. */
  onAppend(listener: LogAppendListener): () => void {
    this.appendListeners.add(listener);
    return () => void this.appendListeners.delete(listener);
  }

  // --- Groups --------------------------------------------------------------------------

  groupExists(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM logs_groups WHERE name = ?').get(name) !== undefined;
  }

  getGroup(name: string): LogGroup | undefined {
    return this.groups().find((g) => g.name === name);
  }

  /** All groups by name, with their stored bytes (UTF-8 size of their events' messages). */
  groups(prefix = ''): LogGroup[] {
    const rows = this.db
      .prepare<{ prefix: string }, GroupRow>(
        `SELECT g.name, g.created_at, g.retention_days, g.tags,
                (SELECT SUM(length(CAST(e.message AS BLOB))) FROM logs_events e WHERE e.group_name = g.name) AS stored
         FROM logs_groups g WHERE substr(g.name, 1, length(@prefix)) = @prefix ORDER BY g.name`,
      )
      .all({ prefix });
    return rows.map((r) => {
      const group: LogGroup = {
        name: r.name,
        createdAt: r.created_at,
        storedBytes: r.stored ?? 0,
        tags: JSON.parse(r.tags) as Record<string, string>,
      };
      if (r.retention_days !== null) group.retentionInDays = r.retention_days;
      return group;
    });
  }

  /** Creates a group; false when it already exists. */
  createGroup(name: string, now: number, tags: Record<string, string> = {}): boolean {
    return (
      this.db
        .prepare('INSERT INTO logs_groups (name, created_at, tags) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING')
        .run(name, now, JSON.stringify(tags)).changes > 0
    );
  }

  /** Deletes a group with its streams and events; false when there was none. */
  deleteGroup(name: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM logs_events WHERE group_name = ?').run(name);
      return this.db.prepare('DELETE FROM logs_groups WHERE name = ?').run(name).changes > 0;
    })();
  }

  setRetention(name: string, days: number | undefined): void {
    this.db.prepare('UPDATE logs_groups SET retention_days = ? WHERE name = ?').run(days ?? null, name);
  }

  // --- Streams -------------------------------------------------------------------------

  streamExists(group: string, stream: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM logs_streams WHERE group_name = ? AND name = ?').get(group, stream) !== undefined
    );
  }

  getStream(group: string, stream: string): LogStream | undefined {
    const row = this.db
      .prepare<[string, string], StreamRow>('SELECT * FROM logs_streams WHERE group_name = ? AND name = ?')
      .get(group, stream);
    return row ? streamFromRow(row) : undefined;
  }

  /** A group's streams by name. */
  streams(group: string, prefix = ''): LogStream[] {
    return this.db
      .prepare<{ group: string; prefix: string }, StreamRow>(
        'SELECT * FROM logs_streams WHERE group_name = @group AND substr(name, 1, length(@prefix)) = @prefix ORDER BY name',
      )
      .all({ group, prefix })
      .map(streamFromRow);
  }

  /** Creates a stream in an existing group; false when it already exists. */
  createStream(group: string, stream: string, now: number): boolean {
    return (
      this.db
        .prepare(
          'INSERT INTO logs_streams (group_name, name, created_at, sequence) VALUES (?, ?, ?, 1) ON CONFLICT (group_name, name) DO NOTHING',
        )
        .run(group, stream, now).changes > 0
    );
  }

  deleteStream(group: string, stream: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM logs_events WHERE group_name = ? AND stream_name = ?').run(group, stream);
      return (
        this.db.prepare('DELETE FROM logs_streams WHERE group_name = ? AND name = ?').run(group, stream).changes > 0
      );
    })();
  }

  // --- Events --------------------------------------------------------------------------

  /**
   * Stores events in an existing stream (the caller has validated and ordered them) and
   * returns the stream's new upload sequence number.
   */
  putEvents(group: string, stream: string, events: readonly InputEvent[], ingestionTime: number): number {
    const sequence = this.db.transaction(() => {
      const insert = this.db.prepare(
        'INSERT INTO logs_events (group_name, stream_name, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?, ?)',
      );
      let first: number | undefined;
      let last: number | undefined;
      for (const event of events) {
        insert.run(group, stream, event.timestamp, ingestionTime, event.message);
        first = first === undefined ? event.timestamp : Math.min(first, event.timestamp);
        last = last === undefined ? event.timestamp : Math.max(last, event.timestamp);
      }
      this.db
        .prepare(
          `UPDATE logs_streams SET
             first_event = CASE WHEN @first IS NULL THEN first_event WHEN first_event IS NULL OR @first < first_event THEN @first ELSE first_event END,
             last_event = CASE WHEN @last IS NULL THEN last_event WHEN last_event IS NULL OR @last > last_event THEN @last ELSE last_event END,
             last_ingestion = @ingestion, sequence = sequence + 1
           WHERE group_name = @group AND name = @stream`,
        )
        .run({ first: first ?? null, last: last ?? null, ingestion: ingestionTime, group, stream });
      const row = this.db
        .prepare<[string, string], { sequence: number }>(
          'SELECT sequence FROM logs_streams WHERE group_name = ? AND name = ?',
        )
        .get(group, stream);
      return row?.sequence ?? 0;
    })();
    if (this.appendListeners.size > 0 && events.length > 0) {
      // On a microtask, as ECS's changes: never inside a caller's transaction.
      queueMicrotask(() => {
        for (const listener of this.appendListeners) {
          try {
            listener(group, stream);
          } catch {
            // A subscriber's failure is its own.
          }
        }
      });
    }
    return sequence;
  }

  /**
   * A stream's events in arrival order: the last `limit` of them, or with `afterId` the first
   * `limit` that arrived after that event (a live tail's next lines).
   */
  arrivals(group: string, stream: string, options: { afterId?: number; limit: number }): StoredEvent[] {
    const rows =
      options.afterId === undefined
        ? this.db
            .prepare<[string, string, number], EventRow>(
              'SELECT id, stream_name, timestamp, ingestion_time, message FROM logs_events WHERE group_name = ? AND stream_name = ? ORDER BY id DESC LIMIT ?',
            )
            .all(group, stream, options.limit)
            .reverse()
        : this.db
            .prepare<[string, string, number, number], EventRow>(
              'SELECT id, stream_name, timestamp, ingestion_time, message FROM logs_events WHERE group_name = ? AND stream_name = ? AND id > ? ORDER BY id LIMIT ?',
            )
            .all(group, stream, options.afterId, options.limit);
    return rows.map((r) => ({
      id: r.id,
      streamName: r.stream_name,
      timestamp: r.timestamp,
      ingestionTime: r.ingestion_time,
      message: r.message,
    }));
  }

  /**
   * The awslogs driver's write: appends container output to `group`/`stream`, creating the
   * stream on first use (the driver always creates its stream). Events are sorted by time.
   * Throws when the group does not exist: the caller decides (awslogs-create-group).
   */
  append(group: string, stream: string, events: readonly InputEvent[], now: number): void {
    if (!this.groupExists(group)) throw new Error(`log group ${group} does not exist`);
    this.createStream(group, stream, now);
    const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
    this.putEvents(group, stream, sorted, now);
  }

  /** Up to `limit` events in (timestamp, id) order, read forward or backward from a cursor. */
  events(group: string, query: EventQuery): StoredEvent[] {
    const where: string[] = ['group_name = @group'];
    const params: Record<string, string | number> = { group, limit: query.limit };
    if (query.streams) {
      query.streams.forEach((s, i) => (params[`s${i}`] = s));
      where.push(
        query.streams.length === 0 ? '0' : `stream_name IN (${query.streams.map((_, i) => `@s${i}`).join(', ')})`,
      );
    }
    if (query.streamPrefix !== undefined) {
      params.prefix = query.streamPrefix;
      where.push('substr(stream_name, 1, length(@prefix)) = @prefix');
    }
    if (query.startTime !== undefined) {
      params.start = query.startTime;
      where.push('timestamp >= @start');
    }
    if (query.endTime !== undefined) {
      params.end = query.endTime;
      where.push('timestamp < @end');
    }
    const forward = query.direction === 'forward';
    if (query.from) {
      params.ts = query.from.timestamp;
      params.id = query.from.id;
      where.push(
        forward
          ? '(timestamp > @ts OR (timestamp = @ts AND id > @id))'
          : '(timestamp < @ts OR (timestamp = @ts AND id < @id))',
      );
    }
    const order = forward ? 'timestamp ASC, id ASC' : 'timestamp DESC, id DESC';
    const rows = this.db
      .prepare<Record<string, string | number>, EventRow>(
        `SELECT id, stream_name, timestamp, ingestion_time, message FROM logs_events WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`,
      )
      .all(params);
    const events = rows.map((r) => ({
      id: r.id,
      streamName: r.stream_name,
      timestamp: r.timestamp,
      ingestionTime: r.ingestion_time,
      message: r.message,
    }));
    return forward ? events : events.reverse();
  }

  // --- Retention -----------------------------------------------------------------------

  /** Deletes events older than their group's retention at `now`; returns how many. */
  expire(now: Date | number): number {
    const ms = typeof now === 'number' ? now : now.getTime();
    let deleted = 0;
    const groups = this.db
      .prepare<[], { name: string; retention_days: number }>(
        'SELECT name, retention_days FROM logs_groups WHERE retention_days IS NOT NULL',
      )
      .all();
    this.db.transaction(() => {
      for (const group of groups) {
        deleted += this.db
          .prepare('DELETE FROM logs_events WHERE group_name = ? AND timestamp < ?')
          .run(group.name, ms - group.retention_days * DAY_MS).changes;
      }
    })();
    return deleted;
  }
}

function streamFromRow(r: StreamRow): LogStream {
  const stream: LogStream = { groupName: r.group_name, name: r.name, createdAt: r.created_at, sequence: r.sequence };
  if (r.first_event !== null) stream.firstEventTimestamp = r.first_event;
  if (r.last_event !== null) stream.lastEventTimestamp = r.last_event;
  if (r.last_ingestion !== null) stream.lastIngestionTime = r.last_ingestion;
  return stream;
}
