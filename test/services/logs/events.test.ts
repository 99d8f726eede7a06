/**
 * Log events: PutLogEvents' ordering rules and rejected events, GetLogEvents forward and
 * backward with its f/ and b/ tokens, FilterLogEvents' patterns, stream selection,
 * interleaving and paging, and the awslogs driver's append.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileFilterPattern } from '../../../src/services/logs/index.js';
import { createHarness, DAY, list, MINUTE, rejectsWith, START, type LogsHarness } from './fixtures.js';

let h: LogsHarness;
beforeEach(async () => {
  h = createHarness();
  await h.call('CreateLogGroup', { logGroupName: 'g' });
  await h.call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
});
afterEach(() => h.dispose());

const put = (events: { timestamp: number; message: string }[], stream = 's') =>
  h.call('PutLogEvents', { logGroupName: 'g', logStreamName: stream, logEvents: events });
const messages = (out: Record<string, unknown>) => list(out, 'events').map((e) => e.message);

describe('PutLogEvents', () => {
  it('stores events and returns a sequence token (sequenceToken is ignored)', async () => {
    const out = await h.call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      sequenceToken: 'whatever',
      logEvents: [{ timestamp: START, message: 'one' }],
    });
    assert.match(String(out.nextSequenceToken), /^\d{56}$/);
    assert.equal(out.rejectedLogEventsInfo, undefined);
    const got = await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's' });
    assert.deepEqual(list(got, 'events'), [{ timestamp: START, message: 'one', ingestionTime: START }]);
  });

  it('requires chronological order and a span of at most 24 hours', async () => {
    await rejectsWith(
      put([
        { timestamp: START, message: 'b' },
        { timestamp: START - 1, message: 'a' },
      ]),
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    );
    await rejectsWith(
      put([
        { timestamp: START - DAY - 1, message: 'a' },
        { timestamp: START, message: 'b' },
      ]),
      'InvalidParameterException',
      /cannot span more than 24 hours/,
    );
    await rejectsWith(put([]), 'InvalidParameterException', /logEvents/);
  });

  it('reports too old, expired and too new events in rejectedLogEventsInfo and stores the rest', async () => {
    await h.call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 1 });
    h.clock.advance(14 * DAY);
    const now = h.clock.now().getTime();
    const expired = await put([
      { timestamp: now - DAY - 1, message: 'expired' },
      { timestamp: now - MINUTE, message: 'kept' },
    ]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    const tooNew = await put([
      { timestamp: now, message: 'kept too' },
      { timestamp: now + 2 * 60 * MINUTE + 1, message: 'too new' },
    ]);
    assert.deepEqual(tooNew.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    const old = await put([
      { timestamp: now - 15 * DAY, message: 'too old' },
      { timestamp: now - 14 * DAY - 1, message: 'too old too' },
    ]);
    assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 2 });
    assert.deepEqual(messages(await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's' })), [
      'kept',
      'kept too',
    ]);
  });

  it('needs an existing group and stream', async () => {
    await rejectsWith(
      put([{ timestamp: START, message: 'x' }], 'other'),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
    await rejectsWith(
      h.call('PutLogEvents', {
        logGroupName: 'nope',
        logStreamName: 's',
        logEvents: [{ timestamp: START, message: 'x' }],
      }),
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });
});

describe('GetLogEvents', () => {
  beforeEach(async () => {
    await put(Array.from({ length: 10 }, (_, i) => ({ timestamp: START + i * 1000, message: `m${i}` })));
  });

  it('reads the newest page by default and the oldest with startFromHead', async () => {
    assert.deepEqual(messages(await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 3 })), [
      'm7',
      'm8',
      'm9',
    ]);
    assert.deepEqual(
      messages(await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 3, startFromHead: true })),
      ['m0', 'm1', 'm2'],
    );
  });

  it('pages forward with f/ tokens and returns the same token at the end', async () => {
    const seen: string[] = [];
    let out = await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 4, startFromHead: true });
    for (;;) {
      seen.push(...messages(out).map(String));
      assert.match(String(out.nextForwardToken), /^f\/\d{36}$/);
      assert.match(String(out.nextBackwardToken), /^b\/\d{36}$/);
      const next = await h.call('GetLogEvents', {
        logGroupName: 'g',
        logStreamName: 's',
        limit: 4,
        nextToken: out.nextForwardToken,
      });
      if (next.nextForwardToken === out.nextForwardToken) {
        assert.deepEqual(list(next, 'events'), []);
        break;
      }
      out = next;
    }
    assert.deepEqual(seen, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    // New events appear after the end token.
    await put([{ timestamp: START + 20000, message: 'late' }]);
    const tail = await h.call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      nextToken: out.nextForwardToken,
    });
    assert.deepEqual(messages(tail), ['late']);
  });

  it('pages backward with b/ tokens, each page in ascending order', async () => {
    const first = await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 4 });
    assert.deepEqual(messages(first), ['m6', 'm7', 'm8', 'm9']);
    const second = await h.call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      limit: 4,
      nextToken: first.nextBackwardToken,
    });
    assert.deepEqual(messages(second), ['m2', 'm3', 'm4', 'm5']);
    const third = await h.call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      limit: 4,
      nextToken: second.nextBackwardToken,
    });
    assert.deepEqual(messages(third), ['m0', 'm1']);
    const end = await h.call('GetLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      limit: 4,
      nextToken: third.nextBackwardToken,
    });
    assert.deepEqual(messages(end), []);
    assert.equal(end.nextBackwardToken, third.nextBackwardToken);
    // Forward from a backward page continues after it.
    assert.deepEqual(
      messages(
        await h.call('GetLogEvents', {
          logGroupName: 'g',
          logStreamName: 's',
          limit: 2,
          nextToken: second.nextForwardToken,
        }),
      ),
      ['m6', 'm7'],
    );
  });

  it('honours startTime (inclusive) and endTime (exclusive); refuses bad tokens and unknown streams', async () => {
    assert.deepEqual(
      messages(
        await h.call('GetLogEvents', {
          logGroupName: 'g',
          logStreamName: 's',
          startTime: START + 2000,
          endTime: START + 5000,
          startFromHead: true,
        }),
      ),
      ['m2', 'm3', 'm4'],
    );
    await rejectsWith(
      h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', nextToken: 'x/1' }),
      'InvalidParameterException',
    );
    await rejectsWith(
      h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 'none' }),
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
  });

  it('answers tokens for an empty stream that pick up later events', async () => {
    await h.call('CreateLogStream', { logGroupName: 'g', logStreamName: 'empty' });
    const out = await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 'empty' });
    assert.deepEqual(list(out, 'events'), []);
    await put([{ timestamp: START, message: 'first' }], 'empty');
    assert.deepEqual(
      messages(
        await h.call('GetLogEvents', { logGroupName: 'g', logStreamName: 'empty', nextToken: out.nextForwardToken }),
      ),
      ['first'],
    );
  });
});

describe('FilterLogEvents', () => {
  beforeEach(async () => {
    await h.call('CreateLogStream', { logGroupName: 'g', logStreamName: 'web/1' });
    await h.call('CreateLogStream', { logGroupName: 'g', logStreamName: 'web/2' });
    await put(
      [
        { timestamp: START + 1, message: 'GET /health 200' },
        { timestamp: START + 4, message: 'ERROR database timeout' },
      ],
      'web/1',
    );
    await put(
      [
        { timestamp: START + 2, message: 'GET / 200' },
        { timestamp: START + 3, message: 'WARN slow request' },
      ],
      'web/2',
    );
    await put([{ timestamp: START, message: 'ERROR Exiting now' }], 's');
  });

  it('interleaves all streams in time order with an empty pattern', async () => {
    const out = await h.call('FilterLogEvents', { logGroupName: 'g' });
    assert.deepEqual(messages(out), [
      'ERROR Exiting now',
      'GET /health 200',
      'GET / 200',
      'WARN slow request',
      'ERROR database timeout',
    ]);
    const event = list(out, 'events')[1] ?? {};
    assert.equal(event.logStreamName, 'web/1');
    assert.equal(event.timestamp, START + 1);
    assert.match(String(event.eventId), /^\d{56}$/);
    assert.equal(out.nextToken, undefined);
  });

  it('matches terms (AND), quoted phrases, ?terms (OR) and -terms (NOT), case-sensitively', async () => {
    const filter = async (filterPattern: string) =>
      messages(await h.call('FilterLogEvents', { logGroupName: 'g', filterPattern }));
    assert.deepEqual(await filter('ERROR'), ['ERROR Exiting now', 'ERROR database timeout']);
    assert.deepEqual(await filter('error'), []);
    assert.deepEqual(await filter('GET 200'), ['GET /health 200', 'GET / 200']);
    assert.deepEqual(await filter('"GET / 200"'), ['GET / 200']);
    assert.deepEqual(await filter('?WARN ?timeout'), ['WARN slow request', 'ERROR database timeout']);
    assert.deepEqual(await filter('ERROR -Exiting'), ['ERROR database timeout']);
    await rejectsWith(filter('{ $.level = "error" }'), 'InvalidParameterException', /does not support/);
    assert.equal(compileFilterPattern('')('anything'), true);
  });

  it('selects streams by name or prefix, and by time', async () => {
    assert.deepEqual(messages(await h.call('FilterLogEvents', { logGroupName: 'g', logStreamNames: ['web/2'] })), [
      'GET / 200',
      'WARN slow request',
    ]);
    assert.deepEqual(
      messages(await h.call('FilterLogEvents', { logGroupName: 'g', logStreamNamePrefix: 'web/' })).length,
      4,
    );
    assert.deepEqual(
      messages(await h.call('FilterLogEvents', { logGroupName: 'g', startTime: START + 2, endTime: START + 4 })),
      ['GET / 200', 'WARN slow request'],
    );
    await rejectsWith(
      h.call('FilterLogEvents', { logGroupName: 'g', logStreamNames: ['s'], logStreamNamePrefix: 'w' }),
      'InvalidParameterException',
    );
    await rejectsWith(
      h.call('FilterLogEvents', { logGroupName: 'nope' }),
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });

  it('pages with limit and nextToken', async () => {
    const seen: unknown[] = [];
    let token: unknown;
    for (let i = 0; i < 10; i++) {
      const out = await h.call('FilterLogEvents', {
        logGroupName: 'g',
        limit: 2,
        ...(token ? { nextToken: token } : {}),
      });
      seen.push(...messages(out));
      token = out.nextToken;
      if (!token) break;
    }
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
  });
});

describe("the awslogs driver's store API", () => {
  it('append creates the stream, sorts events, and needs the group', async () => {
    assert.equal(h.store.groupExists('/ecs/my-app'), false);
    assert.throws(
      () => h.store.append('/ecs/my-app', 'ecs/web/abc', [{ timestamp: START, message: 'x' }], START),
      /does not exist/,
    );
    assert.equal(h.store.createGroup('/ecs/my-app', START), true);
    h.store.append(
      '/ecs/my-app',
      'ecs/web/abc',
      [
        { timestamp: START + 5, message: 'second' },
        { timestamp: START, message: 'first' },
      ],
      START + 10,
    );
    const out = await h.call('GetLogEvents', {
      logGroupName: '/ecs/my-app',
      logStreamName: 'ecs/web/abc',
      startFromHead: true,
    });
    assert.deepEqual(list(out, 'events'), [
      { timestamp: START, message: 'first', ingestionTime: START + 10 },
      { timestamp: START + 5, message: 'second', ingestionTime: START + 10 },
    ]);
    assert.equal(h.store.createStream('/ecs/my-app', 'ecs/web/abc', START), false);
  });
});
