/**
 * Log events: PutLogEvents, GetLogEvents and FilterLogEvents.
 * - PutLogEvents takes events in chronological order spanning at most 24 hours; sequence
 *   tokens are accepted and ignored (Logs stopped requiring them in 2023). Events more than
 *   2 hours ahead, older than 14 days, or older than the group's retention are not stored and
 *   reported in rejectedLogEventsInfo.
 * - GetLogEvents reads one stream forward (startFromHead, or an f/ token) or backward from
 *   the end (the default, or a b/ token), a page of `limit` events in ascending order each
 *   time; see tokens.ts for the tokens.
 * - FilterLogEvents searches a group's streams (all, named, or by prefix), interleaved in
 *   time order, with filter-pattern.ts's patterns.
 */
import type { Operation } from '../../../core/operation.js';
import { onGroup, onStream } from '../authorization.js';
import { logsErrors } from '../errors.js';
import { compileFilterPattern } from '../filter-pattern.js';
import { STREAM_NAME, groupOf, readGroupName, readGroupRef, readLimit, type GroupRef } from '../input-rules.js';
import type { EventCursor, InputEvent, LogsStore, StoredEvent } from '../store.js';
import { cursorToken, eventToken, parseCursorToken, parseEventToken } from '../tokens.js';
import { sequenceToken } from './streams.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MAX_EVENTS = 10000;

interface PutEventsInput {
  logGroupName: string;
  logStreamName: string;
  logEvents: InputEvent[];
}

export function putLogEvents(store: LogsStore): Operation<PutEventsInput, Record<string, unknown>> {
  return {
    input: (r) => {
      r.string('sequenceToken');
      return {
        logGroupName: readGroupName(r),
        logStreamName: r.string('logStreamName', { ...STREAM_NAME, required: true }),
        logEvents:
          r.list(
            'logEvents',
            (e) => ({
              timestamp: e.integer('timestamp', { required: true, min: 0 }),
              message: e.string('message', { required: true, min: 1 }),
            }),
            {
              required: true,
              minItems: 1,
              maxItems: MAX_EVENTS,
            },
          ) ?? [],
      };
    },
    authorize: (input, ctx) => onStream(ctx, 'PutLogEvents', input.logGroupName, input.logStreamName),
    run: (input, ctx) => {
      const group = store.getGroup(input.logGroupName);
      if (!group) throw logsErrors.groupNotFound();
      if (!store.streamExists(input.logGroupName, input.logStreamName)) throw logsErrors.streamNotFound();
      const events = input.logEvents;
      for (let i = 1; i < events.length; i++) {
        if ((events[i] as InputEvent).timestamp < (events[i - 1] as InputEvent).timestamp)
          throw logsErrors.notInOrder();
      }
      const first = (events[0] as InputEvent).timestamp;
      const last = (events[events.length - 1] as InputEvent).timestamp;
      if (last - first > DAY_MS) throw logsErrors.spansTooLong();
      const now = ctx.clock.now().getTime();
      const firstIndex = (test: (e: InputEvent) => boolean) => {
        const i = events.findIndex(test);
        return i < 0 ? events.length : i;
      };
      const tooNewStart = firstIndex((e) => e.timestamp > now + 2 * HOUR_MS);
      const tooOldEnd = firstIndex((e) => e.timestamp >= now - 14 * DAY_MS);
      const expiredEnd =
        group.retentionInDays === undefined
          ? 0
          : firstIndex((e) => e.timestamp >= now - (group.retentionInDays ?? 0) * DAY_MS);
      const accepted = events.slice(Math.max(tooOldEnd, expiredEnd), tooNewStart);
      const sequence = store.putEvents(input.logGroupName, input.logStreamName, accepted, now);
      const rejected: Record<string, number> = {};
      if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
      if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
      if (expiredEnd > 0) rejected.expiredLogEventEndIndex = expiredEnd;
      return {
        nextSequenceToken: sequenceToken(sequence),
        rejectedLogEventsInfo: Object.keys(rejected).length > 0 ? rejected : undefined,
      };
    },
  };
}

interface GetEventsInput extends GroupRef {
  logStreamName: string;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  startFromHead?: boolean;
}

/** Below every event and above every event: where reads from the head or the tail start. */
const HEAD: EventCursor = { timestamp: 0, id: 0 };
const TAIL: EventCursor = { timestamp: 9_000_000_000_000_000, id: 0 };

const key = (e: StoredEvent): EventCursor => ({ timestamp: e.timestamp, id: e.id });

export function getLogEvents(store: LogsStore): Operation<GetEventsInput, Record<string, unknown>> {
  return {
    input: (r) => {
      r.boolean('unmask');
      return {
        ...readGroupRef(r),
        logStreamName: r.string('logStreamName', { ...STREAM_NAME, required: true }),
        startTime: r.integer('startTime', { min: 0 }),
        endTime: r.integer('endTime', { min: 0 }),
        nextToken: r.string('nextToken', { min: 1 }),
        limit: readLimit(r, MAX_EVENTS),
        startFromHead: r.boolean('startFromHead'),
      };
    },
    authorize: (input, ctx) => onStream(ctx, 'GetLogEvents', groupOf(input), input.logStreamName),
    run: (input) => {
      const group = groupOf(input);
      if (!store.groupExists(group)) throw logsErrors.groupNotFound();
      if (!store.streamExists(group, input.logStreamName)) throw logsErrors.streamNotFound();
      const token = input.nextToken !== undefined ? parseEventToken(input.nextToken) : undefined;
      const direction = token?.direction ?? (input.startFromHead ? 'forward' : 'backward');
      const from = token?.cursor ?? (direction === 'forward' ? HEAD : TAIL);
      const events = store.events(group, {
        from,
        direction,
        startTime: input.startTime,
        endTime: input.endTime,
        limit: input.limit ?? MAX_EVENTS,
        streams: [input.logStreamName],
      });
      const firstEvent = events[0];
      const lastEvent = events[events.length - 1];
      let forward: EventCursor;
      let backward: EventCursor;
      if (firstEvent && lastEvent) {
        forward = key(lastEvent);
        backward = key(firstEvent);
      } else if (direction === 'forward') {
        // At the end: the same forward token again; backward reads from here down.
        forward = from;
        backward = { timestamp: from.timestamp, id: from.id + 1 };
      } else {
        // At the start: the same backward token again; forward reads everything from here on
        // (from the head when the read started at the tail of an empty range).
        backward = from;
        forward = from === TAIL ? HEAD : { timestamp: from.timestamp, id: Math.max(0, from.id - 1) };
      }
      return {
        events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: eventToken('f', forward),
        nextBackwardToken: eventToken('b', backward),
      };
    },
  };
}

interface FilterEventsInput extends GroupRef {
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

/** How many events FilterLogEvents reads from the store at a time while matching. */
const SCAN_BATCH = 1000;

export function filterLogEvents(store: LogsStore): Operation<FilterEventsInput, Record<string, unknown>> {
  return {
    input: (r) => {
      r.boolean('interleaved');
      r.boolean('unmask');
      return {
        ...readGroupRef(r),
        logStreamNames: r.stringList('logStreamNames', { ...STREAM_NAME, minItems: 1, maxItems: 100 }),
        logStreamNamePrefix: r.string('logStreamNamePrefix', STREAM_NAME),
        startTime: r.integer('startTime', { min: 0 }),
        endTime: r.integer('endTime', { min: 0 }),
        filterPattern: r.string('filterPattern', { max: 1024 }),
        nextToken: r.string('nextToken', { min: 1 }),
        limit: readLimit(r, MAX_EVENTS),
      };
    },
    authorize: (input, ctx) => onGroup(ctx, 'FilterLogEvents', groupOf(input)),
    run: (input) => {
      const group = groupOf(input);
      if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
        throw logsErrors.bothStreamFilters();
      if (!store.groupExists(group)) throw logsErrors.groupNotFound();
      const matches = compileFilterPattern(input.filterPattern);
      const limit = input.limit ?? MAX_EVENTS;
      let from = input.nextToken !== undefined ? parseCursorToken(input.nextToken) : HEAD;
      const found: StoredEvent[] = [];
      let exhausted = false;
      while (found.length < limit) {
        const batch = store.events(group, {
          from,
          direction: 'forward',
          startTime: input.startTime,
          endTime: input.endTime,
          limit: SCAN_BATCH,
          streams: input.logStreamNames,
          streamPrefix: input.logStreamNamePrefix,
        });
        for (const event of batch) {
          from = key(event);
          if (!matches(event.message)) continue;
          found.push(event);
          if (found.length === limit) break;
        }
        if (batch.length < SCAN_BATCH && found.length < limit) {
          exhausted = true;
          break;
        }
      }
      const searched = input.logStreamNames ?? store.streams(group, input.logStreamNamePrefix).map((s) => s.name);
      return {
        events: found.map((e) => ({
          logStreamName: e.streamName,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: `${String(e.timestamp).padStart(16, '0')}${String(e.id).padStart(40, '0')}`,
        })),
        searchedLogStreams: searched.map((name) => ({ logStreamName: name, searchedCompletely: exhausted })),
        nextToken: exhausted ? undefined : cursorToken(from),
      };
    },
  };
}
