/**
 * Log groups and streams: create/describe/delete, retention policies and their expiry with a
 * manual clock, paging, stream ordering, errors and authorization.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ACCOUNT, createHarness, DAY, list, MINUTE, rejectsWith, START, type LogsHarness } from './fixtures.js';

let h: LogsHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

describe('log groups', () => {
  it('CreateLogGroup, DescribeLogGroups with epoch-millisecond times and both ARNs', async () => {
    assert.deepEqual(await h.call('CreateLogGroup', { logGroupName: '/ecs/my-app' }), {});
    await rejectsWith(
      h.call('CreateLogGroup', { logGroupName: '/ecs/my-app' }),
      'ResourceAlreadyExistsException',
      'The specified log group already exists',
    );
    const groups = list(await h.call('DescribeLogGroups'), 'logGroups');
    assert.deepEqual(groups, [
      {
        logGroupName: '/ecs/my-app',
        creationTime: START,
        retentionInDays: undefined,
        metricFilterCount: 0,
        arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/my-app:*`,
        storedBytes: 0,
        logGroupClass: 'STANDARD',
        logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/my-app`,
      },
    ]);
    assert.equal(typeof groups[0]?.creationTime, 'number');
  });

  it('validates names', async () => {
    await rejectsWith(
      h.call('CreateLogGroup', { logGroupName: 'bad name' }),
      'InvalidParameterException',
      /Member must satisfy regular expression pattern/,
    );
    await rejectsWith(
      h.call('CreateLogGroup', {}),
      'InvalidParameterException',
      "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('filters by prefix or pattern and pages with limit/nextToken', async () => {
    for (const name of ['/ecs/a', '/ecs/b', '/ecs/c', '/lambda/x'])
      await h.call('CreateLogGroup', { logGroupName: name });
    assert.deepEqual(
      list(await h.call('DescribeLogGroups', { logGroupNamePrefix: '/ecs/' }), 'logGroups').map((g) => g.logGroupName),
      ['/ecs/a', '/ecs/b', '/ecs/c'],
    );
    assert.deepEqual(
      list(await h.call('DescribeLogGroups', { logGroupNamePattern: 'LAMBDA' }), 'logGroups').map(
        (g) => g.logGroupName,
      ),
      ['/lambda/x'],
    );
    await rejectsWith(
      h.call('DescribeLogGroups', { logGroupNamePrefix: '/ecs', logGroupNamePattern: 'a' }),
      'InvalidParameterException',
    );
    const first = await h.call('DescribeLogGroups', { limit: 3 });
    assert.equal(list(first, 'logGroups').length, 3);
    assert.equal(typeof first.nextToken, 'string');
    const second = await h.call('DescribeLogGroups', { limit: 3, nextToken: first.nextToken });
    assert.deepEqual(
      list(second, 'logGroups').map((g) => g.logGroupName),
      ['/lambda/x'],
    );
    assert.equal(second.nextToken, undefined);
    await rejectsWith(h.call('DescribeLogGroups', { limit: 51 }), 'InvalidParameterException');
    await rejectsWith(h.call('DescribeLogGroups', { nextToken: 'nope' }), 'InvalidParameterException');
  });

  it('DeleteLogGroup removes streams and events', async () => {
    await h.call('CreateLogGroup', { logGroupName: 'g' });
    h.store.append('g', 's', [{ timestamp: START, message: 'hello' }], START);
    await h.call('DeleteLogGroup', { logGroupName: 'g' });
    assert.equal(h.store.groupExists('g'), false);
    assert.deepEqual(h.db.prepare('SELECT COUNT(*) AS n FROM logs_events').get(), { n: 0 });
    await rejectsWith(
      h.call('DeleteLogGroup', { logGroupName: 'g' }),
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });

  it("PutRetentionPolicy accepts only Logs' values; DeleteRetentionPolicy clears it", async () => {
    await h.call('CreateLogGroup', { logGroupName: 'g' });
    await rejectsWith(
      h.call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 4 }),
      'InvalidParameterException',
      /Value '4' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14/,
    );
    await h.call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 7 });
    assert.equal(list(await h.call('DescribeLogGroups'), 'logGroups')[0]?.retentionInDays, 7);
    await h.call('DeleteRetentionPolicy', { logGroupName: 'g' });
    assert.equal(list(await h.call('DescribeLogGroups'), 'logGroups')[0]?.retentionInDays, undefined);
    await rejectsWith(
      h.call('PutRetentionPolicy', { logGroupName: 'missing', retentionInDays: 7 }),
      'ResourceNotFoundException',
    );
  });

  it('expire(now) deletes events older than the retention, by the injected clock', async () => {
    await h.call('CreateLogGroup', { logGroupName: 'kept' });
    await h.call('CreateLogGroup', { logGroupName: 'short' });
    await h.call('PutRetentionPolicy', { logGroupName: 'short', retentionInDays: 1 });
    for (const group of ['kept', 'short']) {
      h.store.append(
        group,
        's',
        [
          { timestamp: START - 2 * MINUTE, message: 'old' },
          { timestamp: START, message: 'new' },
        ],
        START,
      );
    }
    assert.equal(h.store.expire(h.clock.now()), 0);
    h.clock.advance(DAY - MINUTE);
    assert.equal(h.store.expire(h.clock.now()), 1);
    h.clock.advance(2 * MINUTE);
    assert.equal(h.store.expire(h.clock.now()), 1);
    const remaining = await h.call('GetLogEvents', { logGroupName: 'kept', logStreamName: 's' });
    assert.equal(list(remaining, 'events').length, 2);
    assert.equal(list(await h.call('GetLogEvents', { logGroupName: 'short', logStreamName: 's' }), 'events').length, 0);
    assert.equal(
      list(await h.call('DescribeLogGroups', { logGroupNamePrefix: 'kept' }), 'logGroups')[0]?.storedBytes,
      6,
    );
  });
});

describe('log streams', () => {
  beforeEach(async () => {
    await h.call('CreateLogGroup', { logGroupName: '/ecs/app' });
  });

  it('CreateLogStream and its errors', async () => {
    assert.deepEqual(await h.call('CreateLogStream', { logGroupName: '/ecs/app', logStreamName: 'ecs/web/1' }), {});
    await rejectsWith(
      h.call('CreateLogStream', { logGroupName: '/ecs/app', logStreamName: 'ecs/web/1' }),
      'ResourceAlreadyExistsException',
      'The specified log stream already exists',
    );
    await rejectsWith(
      h.call('CreateLogStream', { logGroupName: '/nope', logStreamName: 's' }),
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
    await rejectsWith(
      h.call('CreateLogStream', { logGroupName: '/ecs/app', logStreamName: 'a:b' }),
      'InvalidParameterException',
    );
  });

  it('DescribeLogStreams orders by name or last event time, descending, with prefix and paging', async () => {
    h.store.append('/ecs/app', 'b', [{ timestamp: START + 3000, message: 'x' }], START);
    h.store.append(
      '/ecs/app',
      'a',
      [
        { timestamp: START + 1000, message: 'x' },
        { timestamp: START + 5000, message: 'y' },
      ],
      START + 10,
    );
    h.store.append('/ecs/app', 'c', [{ timestamp: START + 2000, message: 'x' }], START);
    const names = async (input: Record<string, unknown>) =>
      list(await h.call('DescribeLogStreams', { logGroupName: '/ecs/app', ...input }), 'logStreams').map(
        (s) => s.logStreamName,
      );
    assert.deepEqual(await names({}), ['a', 'b', 'c']);
    assert.deepEqual(await names({ descending: true }), ['c', 'b', 'a']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime' }), ['c', 'b', 'a']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime', descending: true }), ['a', 'b', 'c']);
    assert.deepEqual(await names({ logStreamNamePrefix: 'b' }), ['b']);
    await rejectsWith(
      h.call('DescribeLogStreams', { logGroupName: '/ecs/app', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' }),
      'InvalidParameterException',
      'Cannot order by LastEventTime with a logStreamNamePrefix.',
    );
    const first = await h.call('DescribeLogStreams', { logGroupName: '/ecs/app', limit: 2 });
    assert.equal(list(first, 'logStreams').length, 2);
    const second = await h.call('DescribeLogStreams', {
      logGroupName: '/ecs/app',
      limit: 2,
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      list(second, 'logStreams').map((s) => s.logStreamName),
      ['c'],
    );
    const a =
      list(
        await h.call('DescribeLogStreams', {
          logGroupIdentifier: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app`,
          logStreamNamePrefix: 'a',
        }),
        'logStreams',
      )[0] ?? {};
    assert.equal(a.firstEventTimestamp, START + 1000);
    assert.equal(a.lastEventTimestamp, START + 5000);
    assert.equal(a.lastIngestionTime, START + 10);
    assert.equal(a.creationTime, START + 10);
    assert.equal(a.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app:log-stream:a`);
    await rejectsWith(
      h.call('DescribeLogStreams', { logGroupName: '/nope' }),
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });

  it('DeleteLogStream', async () => {
    await h.call('CreateLogStream', { logGroupName: '/ecs/app', logStreamName: 's' });
    await h.call('DeleteLogStream', { logGroupName: '/ecs/app', logStreamName: 's' });
    await rejectsWith(
      h.call('DeleteLogStream', { logGroupName: '/ecs/app', logStreamName: 's' }),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
  });
});

describe('authorization', () => {
  it('authorizes on the group ARN, the stream ARN where Logs does, log-group:* for DescribeLogGroups', async () => {
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/app`;
    assert.deepEqual(await h.authorize('CreateLogGroup', { logGroupName: '/ecs/app' }), [
      { action: 'logs:CreateLogGroup', resource: group },
    ]);
    assert.deepEqual(await h.authorize('DescribeLogGroups'), [
      { action: 'logs:DescribeLogGroups', resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` },
    ]);
    assert.deepEqual(
      await h.authorize('PutLogEvents', {
        logGroupName: '/ecs/app',
        logStreamName: 's',
        logEvents: [{ timestamp: 1, message: 'm' }],
      }),
      [{ action: 'logs:PutLogEvents', resource: `${group}:log-stream:s` }],
    );
    assert.deepEqual(await h.authorize('FilterLogEvents', { logGroupIdentifier: `${group}:*` }), [
      { action: 'logs:FilterLogEvents', resource: group },
    ]);
  });
});
