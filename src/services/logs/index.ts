/**
 * CloudWatch Logs (awsJson1_1, Logs_20140328): log groups, streams and events — where the
 * ECS awslogs driver sends containers' stdout and stderr (through LogsStore.append, named
 * prefix/container/task-id by ECS) and where `aws logs get-log-events` reads them back.
 * Timestamps on this wire are integer epoch milliseconds (creationTime, timestamp, …), not
 * the epoch seconds other JSON services use: handlers return numbers, never Dates.
 *
 * Fidelity
 * - Gaps: metric filters, subscription filters, Logs Insights queries, live tail, export
 *   tasks, data protection, KMS encryption (kmsKeyId is refused), log group classes other
 *   than STANDARD, tagging operations (CreateLogGroup's tags are stored, not listed),
 *   resource policies, destinations, cross-account identifiers. Filter patterns: terms,
 *   "quoted phrases", ?-terms (OR) and -terms (NOT) only; JSON, space-delimited and regex
 *   patterns are refused with InvalidParameterException. Operations not in
 *   LogsOperationName answer UnknownOperationException from the protocol layer.
 * - By design: storedBytes is the UTF-8 size of the stored messages. Retention deletes events
 *   when `expire(now)` runs (the cloud's schedule, injected clock). DescribeLogGroups/Streams
 *   paging tokens are offsets; FilterLogEvents always interleaves (the `interleaved` flag is
 *   deprecated on AWS too) and reports searchedCompletely per call.
 * - Client quirks: GetLogEvents returns the token it was given when there is nothing more in
 *   that direction, which is how clients detect the end. PutLogEvents accepts and ignores
 *   sequenceToken and still returns nextSequenceToken.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import { filterLogEvents, getLogEvents, putLogEvents } from './operations/events.js';
import {
  createLogGroup,
  deleteLogGroup,
  deleteRetentionPolicy,
  describeLogGroups,
  putRetentionPolicy,
} from './operations/groups.js';
import { createLogStream, deleteLogStream, describeLogStreams } from './operations/streams.js';
import type { LogsStore } from './store.js';

export { LogsStore } from './store.js';
export { compileFilterPattern } from './filter-pattern.js';

/** Every CloudWatch Logs operation dockyard serves, by AWS's name. */
export type LogsOperationName =
  | 'CreateLogGroup'
  | 'DescribeLogGroups'
  | 'DeleteLogGroup'
  | 'PutRetentionPolicy'
  | 'DeleteRetentionPolicy'
  | 'CreateLogStream'
  | 'DescribeLogStreams'
  | 'DeleteLogStream'
  | 'PutLogEvents'
  | 'GetLogEvents'
  | 'FilterLogEvents';

/** The CloudWatch Logs service over `store`. */
export function createLogsService(store: LogsStore): ServiceDefinition {
  const operations: Record<LogsOperationName, AnyOperation> = {
    CreateLogGroup: createLogGroup(store),
    DescribeLogGroups: describeLogGroups(store),
    DeleteLogGroup: deleteLogGroup(store),
    PutRetentionPolicy: putRetentionPolicy(store),
    DeleteRetentionPolicy: deleteRetentionPolicy(store),
    CreateLogStream: createLogStream(store),
    DescribeLogStreams: describeLogStreams(store),
    DeleteLogStream: deleteLogStream(store),
    PutLogEvents: putLogEvents(store),
    GetLogEvents: getLogEvents(store),
    FilterLogEvents: filterLogEvents(store),
  };
  return {
    signingName: 'logs',
    title: 'CloudWatch Logs',
    protocol: 'awsJson1_1',
    targetPrefix: 'Logs_20140328',
    validationErrorCode: 'InvalidParameterException',
    operations,
  };
}
