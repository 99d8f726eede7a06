/**
 * ServiceEndpoint's HTTP mode against real sockets, the answers a client sees as from ALB: 503
 * with no target, X-Forwarded-* and Host, bodies streamed both ways, HEAD, 204/304, repeated
 * Set-Cookie, an Upgrade spliced raw, a retry after a pooled connection is lost, a client that
 * goes away mid-request, and 400 for what Node's parser rejects, without the endpoint going down.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { endpointHarness, httpRequest, received, sha256 } from './support.js';
import { waitFor } from '../support/wait-for.js';

const h = endpointHarness({ first: 24800, last: 24849 });
beforeEach(h.setup);
afterEach(h.teardown);

/** Sends `raw` on a new connection to the endpoint and collects the answer until the endpoint closes. */
async function rawExchange(port: number, raw: string | Buffer): Promise<string> {
  const socket = h.track(connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.write(raw);
  await once(socket, 'end');
  return answer;
}

describe('ServiceEndpoint HTTP answers', () => {
  it('answers 503 Service Temporarily Unavailable, as ALB, when there is no target', async () => {
    const { url } = await h.endpoint();
    const reply = await httpRequest(`${url}/`);
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['content-type'], 'text/html');
    assert.equal(reply.headers.server, 'awselb/2.0');
    assert.match(reply.body.toString(), /<title>503 Service Temporarily Unavailable<\/title>/);
  });

  it('tells the target who asked: X-Forwarded-For/-Proto/-Port, and the client Host', async () => {
    const a = await h.task('a');
    const { endpoint: e, url, port } = await h.endpoint();
    e.setTargets([a.target]);
    const reply = await httpRequest(`${url}/headers`, {
      headers: { 'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https', 'Keep-Alive': 'timeout=1' },
    });
    const seen = JSON.parse(reply.body.toString()) as Record<string, string>;
    assert.equal(seen['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'appended, as ALB does');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], String(port));
    assert.equal(seen.host, `127.0.0.1:${port}`);
    assert.equal(seen['keep-alive'], undefined, 'hop-by-hop headers stay on their hop');
  });

  it('streams a POST body to the target and the answer back while the client is still sending', async () => {
    const a = await h.task('a');
    const { endpoint: e, url } = await h.endpoint();
    e.setTargets([a.target]);
    const first = randomBytes(64 * 1024);
    const rest = randomBytes(4 * 1024 * 1024);
    let res: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    const req = request(`${url}/echo`, { method: 'POST', agent: false }, (r) => {
      res = r;
      r.on('data', (c: Buffer) => chunks.push(c));
    });
    req.write(first);
    // The echo of the first part arrives before the rest is sent: nothing waits for the whole body.
    await waitFor('the first part to come back', () => Buffer.concat(chunks).length >= first.length);
    req.end(rest);
    await waitFor('the whole echo', () => res?.complete === true);
    const body = Buffer.concat(chunks);
    assert.equal(body.length, first.length + rest.length);
    assert.equal(sha256(body), sha256(Buffer.concat([first, rest])));
  });

  it('keeps HEAD, 204 and 304 bodiless, and every Set-Cookie', async () => {
    const a = await h.task('a');
    const { endpoint: e, url } = await h.endpoint();
    e.setTargets([a.target]);
    const head = await httpRequest(`${url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const code of [204, 304]) {
      const reply = await httpRequest(`${url}/status?code=${code}`);
      assert.equal(reply.status, code);
      assert.equal(reply.body.length, 0);
    }
    const cookies = await httpRequest(`${url}/cookies`);
    assert.deepEqual(cookies.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
  });

  it('splices an Upgrade request to one target, which then drains when the client closes', async () => {
    const a = await h.task('a');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 5_000 });
    e.setTargets([a.target]);
    const req = request(`${url}/ws`, { agent: false, headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
    req.end();
    const [res, socket, head] = (await once(req, 'upgrade')) as [IncomingMessage, Socket, Buffer];
    h.track(socket);
    assert.equal(res.statusCode, 101);
    const answer = received(socket);
    socket.write('ping');
    await answer.until((text) => `${head.toString()}${text}` === 'a:ping', 'the greeting and the echo');
    assert.equal(e.targets()[0]?.connections, 1, 'the tunnel counts against its target');
    let drained = false;
    const drain = e.drain(a.target.taskArn).then((r) => ((drained = true), r));
    socket.write('-still-open');
    await answer.until((text) => text.endsWith('-still-open'), 'the echo while draining');
    assert.equal(drained, false, 'the drain waits for the tunnel');
    socket.end();
    assert.deepEqual(await drain, { taskArn: a.target.taskArn, reset: 0 });
  });

  it('retries a request lost on a pooled connection the app was closing, even with one target', async () => {
    // An app that drops every connection on its second request, unanswered: to the endpoint's
    // pool it looks like a keep-alive connection the app closed while it sat idle.
    let served = 0;
    const app = createServer((req, res) => {
      const socket = req.socket as Socket & { requests?: number };
      socket.requests = (socket.requests ?? 0) + 1;
      if (socket.requests > 1) return void socket.destroy();
      served++;
      res.end('app');
    });
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    try {
      const { endpoint: e, url } = await h.endpoint();
      e.setTargets([h.target('app', (app.address() as AddressInfo).port)]);
      for (let i = 0; i < 3; i++) assert.equal((await httpRequest(`${url}/`)).body.toString(), 'app');
      assert.equal(served, 3);
    } finally {
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('stops counting a request whose client goes away, so a drain does not wait for it', async () => {
    const a = await h.task('a');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 5_000 });
    e.setTargets([a.target]);
    const slow = request(`${url}/slow?ms=5000`, { agent: false });
    slow.on('error', () => undefined);
    slow.end();
    const upload = request(`${url}/echo`, { method: 'POST', agent: false });
    upload.on('error', () => undefined);
    upload.write(Buffer.alloc(64 * 1024));
    await waitFor('both requests in flight', () => e.targets()[0]?.connections === 2);
    slow.destroy();
    upload.destroy();
    await waitFor(`both released (${e.targets()[0]?.connections})`, () => e.targets()[0]?.connections === 0);
    const started = Date.now();
    assert.deepEqual(await e.drain(a.target.taskArn), { taskArn: a.target.taskArn, reset: 0 });
    assert.ok(Date.now() - started < 1_000);
  });

  it('answers 400 to malformed and oversized requests and keeps serving', async () => {
    const a = await h.task('a');
    const { endpoint: e, url, port } = await h.endpoint();
    e.setTargets([a.target]);
    const garbage = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*<title>400 Bad Request<\/title>/);
    const oversized = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(80 * 1024)}\r\n\r\n`);
    assert.match(oversized, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const badFraming = await rawExchange(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    );
    assert.match(badFraming, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(a.upstream.hits, 0, 'nothing malformed reached the target');
    assert.equal((await httpRequest(`${url}/`)).body.toString(), 'a');
  });
});
