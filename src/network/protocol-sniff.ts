/**
 * Protocol sniffing: which mode a new endpoint connection gets, from its first bytes. On AWS
 * the choice is made ahead, by putting an ALB (HTTP) or an NLB (TCP) in front of the service;
 * here one address serves whatever the app speaks, so the endpoint looks.
 *
 * - HTTP: the connection opens with an HTTP/1.x request line, a method Node's parser knows
 *   (http.METHODS: GET, POST, …, CONNECT) followed by a space, and a first line that ends in
 *   `HTTP/1.0` or `HTTP/1.1`. Checking the whole line keeps a text protocol whose commands
 *   happen to look like methods (Redis's inline `GET key`) in TCP mode.
 * - TCP: anything else (TLS, HTTP/2's `PRI` preface, Postgres, Redis, …), a client that
 *   half-closes before its first line is complete, and a client that says nothing for the
 *   sniff window: server-speaks-first protocols (SMTP, MySQL, a greeting) wait for the server,
 *   so silence means "connect me". They pay the window once per connection.
 * - A request line still incomplete when the window ends (or past ALB's 16 KiB limit) goes
 *   to HTTP, whose parser answers a malformed request with 400.
 */
import { METHODS } from 'node:http';
import type { Socket } from 'node:net';

export type SniffedProtocol = 'http' | 'tcp';

/**
 * The default sniff window. HTTP clients send their request right after the handshake (tens of
 * microseconds later on loopback); 200 ms is far above that even on a loaded machine, and short
 * enough that a server-first protocol's greeting is not noticeably late.
 */
export const DEFAULT_SNIFF_WINDOW_MS = 200;

const METHOD_TOKENS = new Set(METHODS);
const LONGEST_METHOD = Math.max(...METHODS.map((m) => m.length));
/** Every proper and full prefix of a method: what a first chunk may still grow into. */
const METHOD_PREFIXES = new Set(METHODS.flatMap((m) => Array.from({ length: m.length }, (_, i) => m.slice(0, i + 1))));
/** ALB's limit for a request line. */
const MAX_REQUEST_LINE = 16 * 1024;
const SPACE = 0x20;
const LF = 0x0a;
const HTTP_1_VERSION = / HTTP\/1\.[01]\r?$/;

/**
 * Classifies the bytes a client sent so far: 'http', 'tcp', or undefined while more bytes are
 * needed. `final`: no more will be waited for.
 */
export function classifyFirstBytes(head: Buffer, final: boolean): SniffedProtocol | undefined {
  const space = head.indexOf(SPACE);
  if (space === -1 || space > LONGEST_METHOD) {
    const couldBeMethod = !final && head.length <= LONGEST_METHOD && METHOD_PREFIXES.has(head.toString('latin1'));
    return couldBeMethod ? undefined : 'tcp';
  }
  if (!METHOD_TOKENS.has(head.toString('latin1', 0, space))) return 'tcp';
  const lineEnd = head.indexOf(LF, space);
  if (lineEnd === -1) return final || head.length >= MAX_REQUEST_LINE ? 'http' : undefined;
  return HTTP_1_VERSION.test(head.toString('latin1', space, lineEnd)) ? 'http' : 'tcp';
}

/**
 * Reads from `socket` (accepted paused) until its protocol is known, then pauses it again and
 * calls `decided` with the bytes read, which the caller passes on. Nothing is called when the
 * socket closes first.
 */
export function sniffProtocol(
  socket: Socket,
  windowMs: number,
  decided: (protocol: SniffedProtocol, head: Buffer) => void,
): void {
  let head: Buffer = Buffer.alloc(0);
  const finish = (protocol: SniffedProtocol): void => {
    stop();
    socket.pause();
    decided(protocol, head);
  };
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const protocol = classifyFirstBytes(head, false);
    if (protocol) finish(protocol);
  };
  // Once 'end' is emitted the bytes cannot be unshifted for Node's HTTP parser; TCP mode takes
  // them as they are and passes the half-close on.
  const onEnd = (): void => finish('tcp');
  const timer = setTimeout(() => finish(classifyFirstBytes(head, true) ?? 'tcp'), windowMs);
  const stop = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', stop);
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', stop);
  socket.resume();
}
