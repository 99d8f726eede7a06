/**
 * Log streams: CreateLogStream, DescribeLogStreams (orderBy LogStreamName or LastEventTime,
 * descending, prefix, paging) and DeleteLogStream. A stream's storedBytes is always 0, as
 * Logs has reported since it deprecated the member.
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { onGroup, onStream } from '../authorization.js';
import { logsErrors } from '../errors.js';
import { STREAM_NAME, groupOf, readGroupName, readGroupRef, readLimit, type GroupRef } from '../input-rules.js';
import { logStreamArn, type LogStream, type LogsStore } from '../store.js';
import { pageByOffset } from '../tokens.js';

interface StreamRef {
  logGroupName: string;
  logStreamName: string;
}

function readStreamRef(r: Parameters<Operation<StreamRef, unknown>['input']>[0]): StreamRef {
  return {
    logGroupName: readGroupName(r),
    logStreamName: r.string('logStreamName', { ...STREAM_NAME, required: true }),
  };
}

export function createLogStream(store: LogsStore): Operation<StreamRef, Record<string, never>> {
  return {
    input: readStreamRef,
    authorize: (input, ctx) => onStream(ctx, 'CreateLogStream', input.logGroupName, input.logStreamName),
    run: (input, ctx) => {
      if (!store.groupExists(input.logGroupName)) throw logsErrors.groupNotFound();
      if (!store.createStream(input.logGroupName, input.logStreamName, ctx.clock.now().getTime()))
        throw logsErrors.streamExists();
      return {};
    },
  };
}

export function deleteLogStream(store: LogsStore): Operation<StreamRef, Record<string, never>> {
  return {
    input: readStreamRef,
    authorize: (input, ctx) => onStream(ctx, 'DeleteLogStream', input.logGroupName, input.logStreamName),
    run: (input) => {
      if (!store.groupExists(input.logGroupName)) throw logsErrors.groupNotFound();
      if (!store.deleteStream(input.logGroupName, input.logStreamName)) throw logsErrors.streamNotFound();
      return {};
    },
  };
}

/** The upload sequence token Logs still returns (and no longer requires). */
export function sequenceToken(sequence: number): string {
  return String(sequence).padStart(56, '0');
}

function streamOutput(stream: LogStream, ctx: RequestContext): Record<string, unknown> {
  return {
    logStreamName: stream.name,
    creationTime: stream.createdAt,
    firstEventTimestamp: stream.firstEventTimestamp,
    lastEventTimestamp: stream.lastEventTimestamp,
    lastIngestionTime: stream.lastIngestionTime,
    uploadSequenceToken: sequenceToken(stream.sequence),
    arn: logStreamArn(ctx.region, ctx.accountId, stream.groupName, stream.name),
    storedBytes: 0,
  };
}

interface DescribeStreamsInput extends GroupRef {
  prefix?: string;
  orderBy?: string;
  descending?: boolean;
  nextToken?: string;
  limit?: number;
}

export function describeLogStreams(store: LogsStore): Operation<DescribeStreamsInput, Record<string, unknown>> {
  return {
    input: (r) => ({
      ...readGroupRef(r),
      prefix: r.string('logStreamNamePrefix', STREAM_NAME),
      orderBy: r.string('orderBy', { oneOf: ['LogStreamName', 'LastEventTime'] }),
      descending: r.boolean('descending'),
      nextToken: r.string('nextToken', { min: 1 }),
      limit: readLimit(r, 50),
    }),
    authorize: (input, ctx) => onGroup(ctx, 'DescribeLogStreams', groupOf(input)),
    run: (input, ctx) => {
      const group = groupOf(input);
      if (input.orderBy === 'LastEventTime' && input.prefix !== undefined) throw logsErrors.orderByWithPrefix();
      if (!store.groupExists(group)) throw logsErrors.groupNotFound();
      const streams = store.streams(group, input.prefix);
      if (input.orderBy === 'LastEventTime') {
        // Streams without events sort first, as if their last event were at time 0.
        streams.sort(
          (a, b) =>
            (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) ||
            (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
        );
      }
      if (input.descending) streams.reverse();
      const page = pageByOffset(streams, input.limit ?? 50, input.nextToken);
      return { logStreams: page.items.map((s) => streamOutput(s, ctx)), nextToken: page.nextToken };
    },
  };
}
