/**
 * Log groups: CreateLogGroup, DescribeLogGroups, DeleteLogGroup, PutRetentionPolicy and
 * DeleteRetentionPolicy. Times on the wire are epoch milliseconds (numbers), as Logs sends
 * them. A group's `arn` ends in `:*` and `logGroupArn` does not, as in Logs' responses.
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { onGroup } from '../authorization.js';
import { logsErrors } from '../errors.js';
import { GROUP_NAME, RETENTION_DAYS, readGroupName, readLimit } from '../input-rules.js';
import { logGroupArn, type LogGroup, type LogsStore } from '../store.js';
import { pageByOffset } from '../tokens.js';

interface CreateGroupInput {
  logGroupName: string;
  tags?: Record<string, string>;
  kmsKeyId?: string;
  logGroupClass?: string;
}

export function createLogGroup(store: LogsStore): Operation<CreateGroupInput, Record<string, never>> {
  return {
    input: (r) => ({
      logGroupName: readGroupName(r),
      tags: r.stringMap('tags'),
      kmsKeyId: r.string('kmsKeyId', { max: 256 }),
      logGroupClass: r.string('logGroupClass', { oneOf: ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'] }),
    }),
    authorize: (input, ctx) => onGroup(ctx, 'CreateLogGroup', input.logGroupName),
    run: (input, ctx) => {
      if (input.kmsKeyId !== undefined)
        throw logsErrors.invalidParameter("dockyard's CloudWatch Logs does not support kmsKeyId");
      if (input.logGroupClass !== undefined && input.logGroupClass !== 'STANDARD') {
        throw logsErrors.invalidParameter(`dockyard's CloudWatch Logs supports only the STANDARD log group class`);
      }
      if (!store.createGroup(input.logGroupName, ctx.clock.now().getTime(), input.tags)) throw logsErrors.groupExists();
      return {};
    },
  };
}

function groupOutput(group: LogGroup, ctx: RequestContext): Record<string, unknown> {
  const arn = logGroupArn(ctx.region, ctx.accountId, group.name);
  return {
    logGroupName: group.name,
    creationTime: group.createdAt,
    retentionInDays: group.retentionInDays,
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: group.storedBytes,
    logGroupClass: 'STANDARD',
    logGroupArn: arn,
  };
}

interface DescribeGroupsInput {
  prefix?: string;
  pattern?: string;
  nextToken?: string;
  limit?: number;
}

export function describeLogGroups(store: LogsStore): Operation<DescribeGroupsInput, Record<string, unknown>> {
  return {
    input: (r) => {
      r.boolean('includeLinkedAccounts');
      return {
        prefix: r.string('logGroupNamePrefix', GROUP_NAME),
        pattern: r.string('logGroupNamePattern', {
          max: 512,
          pattern: /[.\-_/#A-Za-z0-9]*/,
          patternText: '[\\.\\-_/#A-Za-z0-9]*',
        }),
        nextToken: r.string('nextToken', { min: 1 }),
        limit: readLimit(r, 50),
      };
    },
    authorize: (_input, ctx) => onGroup(ctx, 'DescribeLogGroups', '*'),
    run: (input, ctx) => {
      if (input.prefix !== undefined && input.pattern !== undefined) throw logsErrors.bothGroupFilters();
      let groups = store.groups(input.prefix);
      // logGroupNamePattern: a case-insensitive substring match (API reference).
      const pattern = input.pattern?.toLowerCase();
      if (pattern) groups = groups.filter((g) => g.name.toLowerCase().includes(pattern));
      const page = pageByOffset(groups, input.limit ?? 50, input.nextToken);
      return { logGroups: page.items.map((g) => groupOutput(g, ctx)), nextToken: page.nextToken };
    },
  };
}

export function deleteLogGroup(store: LogsStore): Operation<{ logGroupName: string }, Record<string, never>> {
  return {
    input: (r) => ({ logGroupName: readGroupName(r) }),
    authorize: (input, ctx) => onGroup(ctx, 'DeleteLogGroup', input.logGroupName),
    run: (input) => {
      if (!store.deleteGroup(input.logGroupName)) throw logsErrors.groupNotFound();
      return {};
    },
  };
}

export function putRetentionPolicy(
  store: LogsStore,
): Operation<{ logGroupName: string; retentionInDays: number }, Record<string, never>> {
  return {
    input: (r) => {
      const logGroupName = readGroupName(r);
      const retentionInDays = r.integer('retentionInDays', { required: true });
      if (r.has('retentionInDays') && !RETENTION_DAYS.includes(retentionInDays)) {
        r.violate(
          'retentionInDays',
          `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
          String(retentionInDays),
        );
      }
      return { logGroupName, retentionInDays };
    },
    authorize: (input, ctx) => onGroup(ctx, 'PutRetentionPolicy', input.logGroupName),
    run: (input) => {
      if (!store.groupExists(input.logGroupName)) throw logsErrors.groupNotFound();
      store.setRetention(input.logGroupName, input.retentionInDays);
      return {};
    },
  };
}

export function deleteRetentionPolicy(store: LogsStore): Operation<{ logGroupName: string }, Record<string, never>> {
  return {
    input: (r) => ({ logGroupName: readGroupName(r) }),
    authorize: (input, ctx) => onGroup(ctx, 'DeleteRetentionPolicy', input.logGroupName),
    run: (input) => {
      if (!store.groupExists(input.logGroupName)) throw logsErrors.groupNotFound();
      store.setRetention(input.logGroupName, undefined);
      return {};
    },
  };
}
