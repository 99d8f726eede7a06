/**
 * ServiceEndpoint against real sockets: http servers on 127.0.0.1 stand in for the tasks
 * (targets). Covers round-robin per request, only the registered (healthy) targets, a target
 * that is gone or dies mid-response, draining with a slow in-flight request, rolling swaps
 * with zero failed requests (a connection per request, and keep-alive clients), and the port
 * surviving a restart. HTTP-specific answers are in service-endpoint-http.test.ts, TCP mode
 * in service-endpoint-tcp.test.ts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EndpointPortPool, NetworkStore } from '../../src/network/index.js';
import { endpointHarness, failureCode, httpRequest } from './support.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/ports.js';

const PORTS = { first: 24700, last: 24799 };
const h = endpointHarness(PORTS);
beforeEach(h.setup);
afterEach(h.teardown);

const text = async (url: string, agent?: Agent): Promise<string> => (await httpRequest(url, { agent })).body.toString();

describe('ServiceEndpoint routing', () => {
  it('balances requests round-robin over the targets set, also on one keep-alive connection', async () => {
    const a = await h.task('a');
    const b = await h.task('b');
    const unhealthy = await h.task('unhealthy');
    const { endpoint: e, url } = await h.endpoint();
    // The runtime registers only RUNNING, healthy tasks: `unhealthy` is left out.
    e.setTargets([a.target, b.target]);
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await text(`${url}/`));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 4; i++) seen.push(await text(`${url}/`, agent));
    } finally {
      agent.destroy();
    }
    assert.deepEqual(seen, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    assert.equal(unhealthy.upstream.hits, 0);
    assert.match(url, /^http:\/\/127\.0\.0\.1:247\d\d$/);
  });

  it('skips a target whose container is gone, and answers 502 when every target is gone', async () => {
    const a = await h.task('a');
    const deadPort = await freePort('127.0.0.1');
    const { endpoint: e, url } = await h.endpoint();
    e.setTargets([h.target('dead', deadPort), a.target]);
    for (let i = 0; i < 4; i++) assert.equal(await text(`${url}/`), 'a');
    e.setTargets([h.target('dead', deadPort)]);
    const reply = await httpRequest(`${url}/`);
    assert.equal(reply.status, 502);
    assert.match(reply.body.toString(), /502 Bad Gateway/);
  });

  it('retries a request on the next target when its target goes away before answering', async () => {
    const a = await h.task('a');
    const b = await h.task('b');
    const { endpoint: e, url } = await h.endpoint();
    e.setTargets([a.target, b.target]);
    const inFlight = httpRequest(`${url}/slow?ms=2000`); // goes to a
    await waitFor('the slow request to reach a', () => a.upstream.hits === 1);
    e.setTargets([b.target]);
    await a.upstream.close(); // the container dies with the request open, no response byte sent
    assert.equal((await inFlight).body.toString(), 'b');
    await waitFor('the dead target to be forgotten', () => e.targets().length === 1);
  });

  it('resets the client connection when a target dies mid-response', async () => {
    const a = await h.task('a');
    const b = await h.task('b');
    const { endpoint: e, url } = await h.endpoint();
    e.setTargets([a.target, b.target]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const cut = failureCode(httpRequest(`${url}/partial`, { agent })); // goes to a: head and 4 of 100 bytes
      await waitFor('the request to reach a', () => a.upstream.hits === 1);
      await a.upstream.close();
      assert.match(await cut, /ECONNRESET|aborted/);
      assert.equal(await text(`${url}/`, agent), 'b', 'the endpoint still serves');
    } finally {
      agent.destroy();
    }
  });
});

describe('ServiceEndpoint draining', () => {
  it('lets an in-flight slow request finish, sends new requests elsewhere, then resolves', async () => {
    const a = await h.task('a');
    const b = await h.task('b');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 3_000 });
    e.setTargets([a.target, b.target]);
    const slow = httpRequest(`${url}/slow?ms=300`); // round-robin starts with a
    await waitFor('the slow request to reach a', () => a.upstream.hits === 1);
    const started = Date.now();
    let drainedAt = 0;
    const drained = e.drain(a.target.taskArn).then((r) => ((drainedAt = Date.now()), r));
    for (let i = 0; i < 5; i++) assert.equal(await text(`${url}/`), 'b');
    assert.equal(drainedAt, 0, 'the drain waits for the slow request');
    assert.equal(
      e.targets().find((t) => t.taskArn === a.target.taskArn)?.connections,
      1,
      'the in-flight request counts',
    );
    assert.equal((await slow).body.toString(), 'a');
    assert.deepEqual(await drained, { taskArn: a.target.taskArn, reset: 0 });
    assert.ok(drainedAt - started < 2_000, 'resolves when the request is done, not at the delay');
    assert.deepEqual(
      e.targets().map((x) => [x.taskArn, x.state]),
      [[b.target.taskArn, 'active']],
    );
    e.setTargets([a.target, b.target]);
    assert.equal(e.targets().length, 1, 'a drained task is not routed to again');
  });

  it('resets a request still in flight when the deregistration delay ends', async () => {
    const a = await h.task('a');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 200 });
    e.setTargets([a.target]);
    const stuck = failureCode(httpRequest(`${url}/slow?ms=5000`));
    await waitFor('the request to reach a', () => a.upstream.hits === 1);
    assert.deepEqual(await e.drain(a.target.taskArn), { taskArn: a.target.taskArn, reset: 1 });
    assert.equal(await stuck, 'ECONNRESET');
    assert.deepEqual(await e.drain('unknown'), { taskArn: 'unknown', reset: 0 });
  });

  it('swaps targets under ~300 requests/s for 2 s with zero failed requests (rolling deployment)', async () => {
    const old = await h.task('old');
    const fresh = await h.task('new');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 2_000 });
    e.setTargets([old.target]);
    const results: string[] = [];
    const failures: string[] = [];
    const pending: Promise<void>[] = [];
    const fire = (): void => {
      pending.push(
        httpRequest(`${url}/slow?ms=20`).then(
          (r) => void results.push(r.body.toString()),
          (error: NodeJS.ErrnoException) => void failures.push(error.code ?? String(error)),
        ),
      );
    };
    // The load: 3 requests every 10 ms for 2 s (≈300/s), each its own connection, 20 ms of work each.
    const load = (async () => {
      for (let tick = 0; tick < 200; tick++) {
        for (let i = 0; i < 3; i++) fire();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    // The deployment, while the load runs: the new task becomes healthy, the old one drains and stops.
    await waitFor('load to be flowing', () => results.length > 50, { timeoutMs: 5_000 });
    e.setTargets([old.target, fresh.target]);
    await waitFor('the new task to take traffic', () => fresh.upstream.hits > 20, { timeoutMs: 5_000 });
    const drain = await e.drain(old.target.taskArn);
    e.setTargets([fresh.target]);
    const oldHitsAtStop = old.upstream.hits;
    await old.upstream.close(); // the runtime stops the container only after draining
    await load;
    await Promise.all(pending);
    assert.deepEqual(failures, []);
    assert.equal(drain.reset, 0);
    assert.equal(results.length, 600);
    assert.equal(old.upstream.hits, oldHitsAtStop, 'nothing reached the old task after the drain');
    assert.ok(results.includes('old') && results.at(-1) === 'new');
  });

  it('swaps targets under keep-alive clients with zero failed requests, and drains at once', async () => {
    const a = await h.task('a');
    const b = await h.task('b');
    const { endpoint: e, url } = await h.endpoint({ deregistrationDelayMs: 5_000 });
    e.setTargets([a.target]);
    // Four clients in a loop over two pooled connections, as a keep-alive load generator does.
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const results: { body: string; afterDrain: boolean; localPort: number | undefined }[] = [];
    const failures: string[] = [];
    let draining = false;
    let running = true;
    const client = async (): Promise<void> => {
      while (running) {
        const afterDrain = draining;
        try {
          const reply = await httpRequest(`${url}/slow?ms=2`, { agent });
          results.push({ body: reply.body.toString(), afterDrain, localPort: reply.localPort });
        } catch (error) {
          failures.push((error as NodeJS.ErrnoException).code ?? String(error));
        }
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);
    try {
      await waitFor('load to be flowing', () => results.length > 50);
      e.setTargets([a.target, b.target]);
      await waitFor('b to take traffic', () => b.upstream.hits > 20);
      const started = Date.now();
      draining = true;
      const drain = await e.drain(a.target.taskArn);
      const drainMs = Date.now() - started;
      e.setTargets([b.target]);
      await a.upstream.close(); // the container stops after the drain
      const countAtStop = results.length;
      await waitFor('more requests after the stop', () => results.length > countAtStop + 50);
      running = false;
      await clients;
      assert.deepEqual(failures, []);
      assert.equal(drain.reset, 0);
      assert.ok(
        drainMs < 1_000,
        `the drain took ${drainMs} ms: it should end with the requests in flight, not at the delay`,
      );
      assert.deepEqual(
        [...new Set(results.filter((r) => r.afterDrain).map((r) => r.body))],
        ['b'],
        'requests after the drain began all reach b',
      );
      assert.equal(
        new Set(results.map((r) => r.localPort)).size,
        2,
        'the clients kept their two connections throughout',
      );
    } finally {
      running = false;
      await clients;
      agent.destroy();
    }
  });
});

describe('ServiceEndpoint port', () => {
  it('keeps its port across a restart of the cloud', async () => {
    const a = await h.task('a');
    const first = await h.endpoint();
    const port = first.endpoint.port;
    await first.endpoint.close();
    const again = await h.endpoint();
    assert.equal(again.endpoint.port, port);
    again.endpoint.setTargets([a.target]);
    assert.equal(await text(`${again.url}/`), 'a');
  });

  it('moves to another port, and remembers it, when its port is taken by another process', async () => {
    const first = await h.endpoint();
    const port = first.endpoint.port;
    await first.endpoint.close();
    const squatter = createServer();
    squatter.listen(port, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const moved = await h.endpoint();
      assert.notEqual(moved.endpoint.port, port);
      const ports = new EndpointPortPool(new NetworkStore(h.db().open()), { range: PORTS });
      assert.equal(ports.portOf('arn:aws:ecs:us-east-1:000000000000:service/c/web'), moved.endpoint.port);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
