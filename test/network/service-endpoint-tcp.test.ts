/**
 * ServiceEndpoint's TCP mode against real sockets, for apps that do not speak HTTP: a server
 * that speaks first (reached through the sniff window), a client that speaks first, reset when
 * there is no target or every target refuses, and a drain that resets a connection still open
 * when the deregistration delay ends. Also the sniffing rule itself.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { classifyFirstBytes } from '../../src/network/protocol-sniff.js';
import { endpointHarness, received } from './support.js';
import { freePort } from '../support/ports.js';

const h = endpointHarness({ first: 24850, last: 24899 });
beforeEach(h.setup);
afterEach(h.teardown);

function client(port: number): ReturnType<typeof received> & { socket: ReturnType<typeof connect> } {
  const socket = h.track(connect({ host: '127.0.0.1', port }));
  return { socket, ...received(socket) };
}

describe('ServiceEndpoint TCP mode', () => {
  it('connects a client that waits for the server to speak first, after the sniff window', async () => {
    const smtp = await h.tcpTask('smtp', { greeting: true });
    const { endpoint: e, port } = await h.endpoint({ sniffWindowMs: 100 });
    e.setTargets([smtp.target]);
    const started = Date.now();
    const c = client(port);
    await c.until((text) => text === '220 smtp ready\r\n', 'the greeting');
    assert.ok(Date.now() - started >= 90, 'the greeting waited for the sniff window');
    c.socket.write('EHLO me\r\n');
    await c.until((text) => text.endsWith('smtp:EHLO me\r\n'), 'the answer');
  });

  it('splices a client that speaks a non-HTTP protocol first, per connection round-robin', async () => {
    const a = await h.tcpTask('a');
    const b = await h.tcpTask('b');
    const { endpoint: e, port } = await h.endpoint();
    e.setTargets([a.target, b.target]);
    const answers = [];
    for (let i = 0; i < 2; i++) {
      const c = client(port);
      c.socket.write('*1\r\n$4\r\nPING\r\n'); // Redis's RESP
      answers.push(await c.until((text) => text.endsWith('PING\r\n'), 'the answer'));
      c.socket.write('GET key\r\n'); // the same connection stays with its target
      answers.push(await c.until((text) => text.endsWith('GET key\r\n'), 'the second answer'));
    }
    assert.deepEqual(
      answers.map((text) => text.split(':')[0]),
      ['a', 'a', 'b', 'b'],
    );
    assert.deepEqual(
      e.targets().map((t) => t.connections),
      [1, 1],
      'open connections count against their targets',
    );
  });

  it('resets a non-HTTP connection when there is no target or every target refuses', async () => {
    const { endpoint: e, port } = await h.endpoint();
    const none = client(port);
    none.socket.write('hello\r\n');
    await assert.rejects(
      none.until(() => false, 'a reset'),
      { code: 'ECONNRESET' },
    );
    e.setTargets([h.target('dead', await freePort('127.0.0.1'))]);
    const refused = client(port);
    refused.socket.write('hello\r\n');
    await assert.rejects(
      refused.until(() => false, 'a reset'),
      { code: 'ECONNRESET' },
    );
  });

  it('resets a TCP connection still open when the deregistration delay ends, and reports it', async () => {
    const a = await h.tcpTask('a');
    const { endpoint: e, port } = await h.endpoint({ deregistrationDelayMs: 200 });
    e.setTargets([a.target]);
    const c = client(port);
    c.socket.write('hold\r\n');
    await c.until((text) => text === 'a:hold\r\n', 'the connection to be up');
    const started = Date.now();
    assert.deepEqual(await e.drain(a.target.taskArn), { taskArn: a.target.taskArn, reset: 1 });
    assert.ok(Date.now() - started >= 190, 'the drain waited for the delay');
    await assert.rejects(
      c.until(() => false, 'a reset'),
      { code: 'ECONNRESET' },
    );
  });
});

describe('protocol sniffing', () => {
  const http = (text: string, final = false): ReturnType<typeof classifyFirstBytes> =>
    classifyFirstBytes(Buffer.from(text, 'latin1'), final);

  it('takes an HTTP/1.x request line as HTTP, and nothing else', () => {
    assert.equal(http('GET / HTTP/1.1\r\nHost: x\r\n'), 'http');
    assert.equal(http('M-SEARCH * HTTP/1.1\r\n'), 'http');
    assert.equal(http('CONNECT db:5432 HTTP/1.0\n'), 'http');
    assert.equal(http('GET key\r\n'), 'tcp', "Redis's inline command");
    assert.equal(http('get / HTTP/1.1\r\n'), 'tcp', 'methods are case-sensitive');
    assert.equal(http('PRI * HTTP/2.0\r\n'), 'tcp', "HTTP/2's preface");
    assert.equal(http('\x16\x03\x01\x02\x00'), 'tcp', 'a TLS ClientHello');
    assert.equal(http('*1\r\n$4\r\nPING\r\n'), 'tcp');
  });

  it('waits for more bytes while they could still be a request line', () => {
    assert.equal(http('GE'), undefined);
    assert.equal(http('GET'), undefined);
    assert.equal(http('GET /very/long'), undefined);
    assert.equal(http('GE', true), 'tcp', 'the window ended inside a method');
    assert.equal(http('GET /very/long', true), 'http', "the parser's to judge");
    assert.equal(http(`GET /${'a'.repeat(16 * 1024)}`), 'http');
  });
});
