/**
 * Unit tests of the Docker Engine API stream decoding: multiplexed frames cut at every byte
 * boundary, the raw (TTY) fallback, line splitting with partial lines, UTF-8 and timestamps,
 * and newline-delimited JSON progress.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../src/engine/contract.js';
import { demultiplex, jsonLines, parseTimestamp, splitLines, type Frame } from '../../src/engine/streams.js';

function frame(type: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function* of(...frames: Frame[]): AsyncGenerator<Frame> {
  yield* frames;
}

const lines = (got: LogLine[]) => got.map((l) => `${l.stream}:${l.line}`);

describe('demultiplex', () => {
  const body = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, ''), frame(1, 'out 2\n')]);

  it('splits frames whatever the chunk boundaries', async () => {
    for (const size of [1, 3, 7, 8, 9, 1000]) {
      const frames = await collect(demultiplex(chunks(body, size)));
      const joined = (stream: string) =>
        Buffer.concat(frames.filter((f) => f.stream === stream).map((f) => f.payload)).toString();
      assert.equal(joined('stdout'), 'out 1\nout 2\n', `chunk size ${size}`);
      assert.equal(joined('stderr'), 'err 1\n', `chunk size ${size}`);
    }
  });

  it('treats a body without frame headers as raw stdout (a TTY container)', async () => {
    const frames = await collect(demultiplex(chunks(Buffer.from('hello tty\nsecond line\n'), 4)));
    assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString(), 'hello tty\nsecond line\n');
    assert.ok(frames.every((f) => f.stream === 'stdout'));
  });

  it('delivers a body shorter than one header', async () => {
    const frames = await collect(demultiplex(chunks(Buffer.from('hi'), 1)));
    assert.equal(Buffer.concat(frames.map((f) => f.payload)).toString(), 'hi');
  });
});

describe('splitLines', () => {
  it('joins partial lines per stream and keeps the streams apart', async () => {
    const got = await collect(
      splitLines(
        of(
          { stream: 'stdout', payload: Buffer.from('par') },
          { stream: 'stderr', payload: Buffer.from('e1\ne') },
          { stream: 'stdout', payload: Buffer.from('tial\r\na\n\nb') },
          { stream: 'stderr', payload: Buffer.from('2\n') },
        ),
      ),
    );
    assert.deepEqual(lines(got), ['stderr:e1', 'stdout:partial', 'stdout:a', 'stdout:', 'stderr:e2', 'stdout:b']);
  });

  it('keeps a UTF-8 character split across frames whole', async () => {
    const bytes = Buffer.from('héllo ✓\n');
    const got = await collect(
      splitLines(of(...[...bytes].map((b) => ({ stream: 'stdout' as const, payload: Buffer.from([b]) })))),
    );
    assert.deepEqual(lines(got), ['stdout:héllo ✓']);
  });

  it('parses timestamps off each message, including the pieces of a long line', async () => {
    const got = await collect(
      splitLines(
        of(
          {
            stream: 'stdout',
            payload: Buffer.from('2026-11-25T17:55:07.123456789Z first\n2026-11-25T17:55:08Z second\n'),
          },
          { stream: 'stdout', payload: Buffer.from('2026-11-25T17:55:09.5+01:00 long ') },
          { stream: 'stdout', payload: Buffer.from('2026-11-25T17:55:09.6+01:00 line\n') },
        ),
        { timestamps: true },
      ),
    );
    assert.deepEqual(lines(got), ['stdout:first', 'stdout:second', 'stdout:long line']);
    assert.equal(got[0]?.time?.toISOString(), '2026-11-25T17:55:07.123Z');
    assert.equal(got[1]?.time?.toISOString(), '2026-11-25T17:55:08.000Z');
    assert.equal(got[2]?.time?.toISOString(), '2026-11-25T16:55:09.600Z');
  });

  it('leaves timestamp-like text alone when timestamps were not asked for', async () => {
    const got = await collect(splitLines(of({ stream: 'stdout', payload: Buffer.from('2026-11-25T17:55:07Z x\n') })));
    assert.deepEqual(lines(got), ['stdout:2026-11-25T17:55:07Z x']);
    assert.equal(got[0]?.time, undefined);
  });

  it('parses RFC 3339 times with nanoseconds and offsets', () => {
    assert.equal(parseTimestamp('2026-01-02T03:04:05.999999999Z')?.toISOString(), '2026-01-02T03:04:05.999Z');
    assert.equal(parseTimestamp('2026-01-02T03:04:05-02:00')?.toISOString(), '2026-01-02T05:04:05.000Z');
    assert.equal(parseTimestamp('yesterday'), undefined);
  });
});

describe('jsonLines', () => {
  it('parses \\r\\n-separated objects across chunk boundaries', async () => {
    const body = Buffer.from(
      '{"status":"Pulling fs layer","id":"a"}\r\n{"status":"Done"}\r\n\r\n{"error":"boom","errorDetail":{"message":"boom"}}',
    );
    for (const size of [1, 5, 1000]) {
      assert.deepEqual(await collect(jsonLines(chunks(body, size))), [
        { status: 'Pulling fs layer', id: 'a' },
        { status: 'Done' },
        { error: 'boom', errorDetail: { message: 'boom' } },
      ]);
    }
  });
});
