/**
 * CloudWatch Logs' error catalogue: one factory per situation, named as the SDK's exception
 * classes and worded as Logs words them. Messages marked "unverified" follow Logs' style but
 * were not seen in an AWS response.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';

const error = (code: string, message: string): AwsError => new AwsError(code, message, { status: 400 });

export const logsErrors = {
  groupNotFound: () => error('ResourceNotFoundException', 'The specified log group does not exist.'),
  streamNotFound: () => error('ResourceNotFoundException', 'The specified log stream does not exist.'),
  groupExists: () => error('ResourceAlreadyExistsException', 'The specified log group already exists'),
  streamExists: () => error('ResourceAlreadyExistsException', 'The specified log stream already exists'),
  invalidParameter: (message: string) => error('InvalidParameterException', message),
  /** Unverified wording. */
  invalidToken: () => error('InvalidParameterException', 'The specified nextToken is invalid.'),
  notInOrder: () =>
    error('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.'),
  spansTooLong: () =>
    error(
      'InvalidParameterException',
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    ),
  orderByWithPrefix: () =>
    error('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.'),
  /** Unverified wording. */
  bothGroupRefs: () =>
    error('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.'),
  /** Unverified wording. */
  noGroupRef: () => error('InvalidParameterException', 'Should provide either name or ARN for the log group.'),
  /** Unverified wording. */
  bothStreamFilters: () =>
    error('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.'),
  /** Unverified wording. */
  bothGroupFilters: () =>
    error('InvalidParameterException', 'LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.'),
  /** Our own: a filter pattern syntax this emulator does not evaluate (JSON, space-delimited, regex). */
  unsupportedPattern: (pattern: string) =>
    error(
      'InvalidParameterException',
      `dockyard's CloudWatch Logs does not support this filter pattern syntax yet: ${pattern.slice(0, 100)}`,
    ),
} satisfies ErrorCatalogue;
