/**
 * Decoding of the Docker Engine API's streamed bodies:
 * - the multiplexed stdout/stderr stream of logs and exec (8-byte frame headers: stream type,
 *   three zero bytes, big-endian payload length), with a fallback to a raw stream when the
 *   container has a TTY and the body carries no headers;
 * - line splitting per stream (partial lines joined across frames, UTF-8 sequences kept whole,
 *   optional RFC 3339 timestamp prefixes parsed off);
 * - newline-delimited JSON progress streams (pull, import).
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from './contract.js';

/** One frame of a multiplexed stream. */
export interface Frame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

const HEADER = 8;

/** True when the 8 bytes at the start of `buf` look like a frame header. */
function isHeader(buf: Buffer): boolean {
  return buf[0] !== undefined && buf[0] <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
}

/** Splits a multiplexed body into frames; a body without frame headers is all stdout. */
export async function* demultiplex(source: AsyncIterable<Buffer | string>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  let raw: boolean | undefined;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (raw) {
      yield { stream: 'stdout', payload: bytes };
      continue;
    }
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    if (raw === undefined) {
      if (pending.length < HEADER) continue;
      raw = !isHeader(pending);
      if (raw) {
        yield { stream: 'stdout', payload: pending };
        pending = Buffer.alloc(0);
        continue;
      }
    }
    while (pending.length >= HEADER) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER + size) break;
      // Type 0 (stdin) only appears with a TTY-less attach of stdin; treat it as stdout.
      const stream = pending[0] === 2 ? 'stderr' : 'stdout';
      yield { stream, payload: pending.subarray(HEADER, HEADER + size) };
      pending = pending.subarray(HEADER + size);
    }
  }
  // A body shorter than one header, or a truncated last frame: deliver what there is.
  if (pending.length > 0) {
    if (raw === false && pending.length > HEADER)
      yield { stream: pending[0] === 2 ? 'stderr' : 'stdout', payload: pending.subarray(HEADER) };
    else if (raw !== false) yield { stream: 'stdout', payload: pending };
  }
}

/** `2026-11-25T17:55:07.123456789Z ` or with a numeric offset, as Docker and Podman prefix lines. */
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) /;

/** Parses an RFC 3339 timestamp with up to nanosecond precision (Date keeps milliseconds). */
export function parseTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(`${text} `);
  if (!match) return undefined;
  const fraction = (match[2] ?? '.000').slice(0, 4).padEnd(4, '0');
  const date = new Date(`${match[1]}${fraction}${match[3]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface StreamState {
  decoder: StringDecoder;
  partial: string;
  time?: Date;
}

/** Turns frames into lines per stream; `timestamps` strips and parses each line's time prefix. */
export async function* splitLines(
  frames: AsyncIterable<Frame>,
  options: { timestamps?: boolean } = {},
): AsyncGenerator<LogLine> {
  const states: Record<Frame['stream'], StreamState> = {
    stdout: { decoder: new StringDecoder('utf8'), partial: '' },
    stderr: { decoder: new StringDecoder('utf8'), partial: '' },
  };
  const emit = (stream: Frame['stream'], state: StreamState, line: string): LogLine => {
    const out: LogLine = { stream, line: line.endsWith('\r') ? line.slice(0, -1) : line };
    if (state.time) out.time = state.time;
    return out;
  };
  for await (const frame of frames) {
    const state = states[frame.stream];
    let text = state.decoder.write(frame.payload);
    let frameStart = true;
    while (text.length > 0) {
      // The engine puts its time in front of every message: each new line, and each piece of a
      // long line it split into several messages (Docker: 16 KiB).
      if (options.timestamps && (state.partial === '' || frameStart)) {
        const match = TIMESTAMP.exec(text);
        if (match) {
          state.time = parseTimestamp(match[0].trimEnd());
          text = text.slice(match[0].length);
        }
      }
      frameStart = false;
      const newline = text.indexOf('\n');
      if (newline < 0) {
        state.partial += text;
        break;
      }
      const line = state.partial + text.slice(0, newline);
      state.partial = '';
      text = text.slice(newline + 1);
      yield emit(frame.stream, state, line);
      // An empty remainder is not a line; a later frame continues with a fresh timestamp.
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const state = states[stream];
    const rest = state.partial + state.decoder.end();
    if (rest !== '') yield emit(stream, state, rest);
  }
}

/** Parses a newline-delimited JSON stream (Docker separates objects with `\r\n`). */
export async function* jsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return { status: line };
    }
  };
  for await (const chunk of source) {
    buffered += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield parse(line);
    }
  }
  const rest = (buffered + decoder.end()).trim();
  if (rest !== '') yield parse(rest);
}
