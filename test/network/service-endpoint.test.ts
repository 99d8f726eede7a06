/**
 * ServiceEndpoint against real sockets: http servers on 127.0.0.1 stand in for the tasks
 * (targets). Covers round-robin, only the registered (healthy) targets, draining with a slow
 * in-flight request, a rolling swap under a few hundred requests/s with zero failures,
 * keep-alive stickiness, no targets, a target that is gone, and the port surviving a restart.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EndpointPortPool, NetworkStore, ServiceEndpoint, type EndpointTarget, type ServiceEndpointOptions } from '../../src/network/index.js';
import { failureCode, freePort, httpRequest, startUpstream, tempDb, waitFor, type TempDb, type Upstream } from './support.js';

const PORTS = { first: 24700, last: 24799 };
let t: TempDb;
let endpoints: ServiceEndpoint[];
let upstreams: Upstream[];

beforeEach(() => {
  t = tempDb();
  endpoints = [];
  upstreams = [];
});
afterEach(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  await Promise.all(upstreams.map((u) => u.close()));
  t.dispose();
});

async function task(name: string): Promise<{ upstream: Upstream; target: EndpointTarget }> {
  const upstream = await startUpstream(name);
  upstreams.push(upstream);
  return { upstream, target: { taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${name}`, address: '127.0.0.1', port: upstream.port } };
}

async function endpoint(options: Partial<ServiceEndpointOptions> = {}): Promise<{ endpoint: ServiceEndpoint; url: string }> {
  const ports = new EndpointPortPool(new NetworkStore(t.open()), { range: PORTS });
  const e = new ServiceEndpoint({ serviceKey: 'arn:aws:ecs:us-east-1:000000000000:service/c/web', ports, ...options });
  endpoints.push(e);
  await e.start();
  assert.ok(e.url);
  return { endpoint: e, url: e.url };
}

const text = async (url: string, agent?: Agent): Promise<string> => (await httpRequest(url, { agent })).body.toString();

describe('ServiceEndpoint routing', () => {
  it('balances new connections round-robin over the targets set', async () => {
    const a = await task('a');
    const b = await task('b');
    const unhealthy = await task('unhealthy');
    const { endpoint: e, url } = await endpoint();
    // The runtime registers only RUNNING, healthy tasks: `unhealthy` is left out.
    e.setTargets([a.target, b.target]);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await text(`${url}/`));
    assert.deepEqual(seen, ['a', 'b', 'a', 'b', 'a', 'b']);
    assert.equal(unhealthy.upstream.hits, 0);
    assert.match(url, /^http:\/\/127\.0\.0\.1:247\d\d$/);
  });

  it('resets connections when there is no target (ECONNRESET)', async () => {
    const { url } = await endpoint();
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNRESET');
  });

  it('skips a target whose container is gone, and resets only when every target is gone', async () => {
    const a = await task('a');
    const deadPort = await freePort('127.0.0.1');
    const { endpoint: e, url } = await endpoint();
    e.setTargets([{ taskArn: 'dead', address: '127.0.0.1', port: deadPort }, a.target]);
    for (let i = 0; i < 4; i++) assert.equal(await text(`${url}/`), 'a');
    e.setTargets([{ taskArn: 'dead', address: '127.0.0.1', port: deadPort }]);
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNRESET');
  });

  it('survives a target disappearing mid-connection: only that connection is reset', async () => {
    const a = await task('a');
    const b = await task('b');
    const { endpoint: e, url } = await endpoint();
    e.setTargets([a.target, b.target]);
    const inFlight = failureCode(httpRequest(`${url}/slow?ms=2000`)); // goes to a
    await waitFor(() => a.upstream.hits === 1, 'the slow request to reach a');
    e.setTargets([b.target]);
    await a.upstream.close(); // the container dies with the request open
    assert.match(await inFlight, /ECONNRESET|socket hang up/);
    assert.equal(await text(`${url}/`), 'b');
    await waitFor(() => e.targets().length === 1, 'the dead target to be forgotten');
  });

  it('keeps a keep-alive connection on its first target, also while that target drains', async () => {
    const a = await task('a');
    const b = await task('b');
    const { endpoint: e, url } = await endpoint({ deregistrationDelayMs: 5_000 });
    e.setTargets([a.target, b.target]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal(await text(`${url}/`, agent), 'a');
      assert.equal(await text(`${url}/`, agent), 'a', 'same connection, same target');
      const drained = e.drain(a.target.taskArn);
      assert.equal(await text(`${url}/`, agent), 'a', 'the open connection still reaches the draining task');
      assert.equal(await text(`${url}/`), 'b', 'new connections do not');
      agent.destroy(); // the client closes its pooled connection: the drain completes
      assert.deepEqual(await drained, { taskArn: a.target.taskArn, reset: 0 });
    } finally {
      agent.destroy();
    }
  });
});

describe('ServiceEndpoint draining', () => {
  it('lets an in-flight slow request finish, sends new requests elsewhere, then resolves', async () => {
    const a = await task('a');
    const b = await task('b');
    const { endpoint: e, url } = await endpoint({ deregistrationDelayMs: 3_000 });
    e.setTargets([a.target, b.target]);
    const slow = httpRequest(`${url}/slow?ms=300`); // round-robin starts with a
    await waitFor(() => a.upstream.hits === 1, 'the slow request to reach a');
    const started = Date.now();
    let drainedAt = 0;
    const drained = e.drain(a.target.taskArn).then((r) => ((drainedAt = Date.now()), r));
    for (let i = 0; i < 5; i++) assert.equal(await text(`${url}/`), 'b');
    assert.equal(drainedAt, 0, 'the drain waits for the slow request');
    assert.equal((await slow).body.toString(), 'a');
    assert.deepEqual(await drained, { taskArn: a.target.taskArn, reset: 0 });
    assert.ok(drainedAt - started < 2_000, 'resolves when the request is done, not at the delay');
    assert.deepEqual(e.targets().map((x) => [x.taskArn, x.state]), [[b.target.taskArn, 'active']]);
    e.setTargets([a.target, b.target]);
    assert.equal(e.targets().length, 1, 'a drained task is not routed to again');
  });

  it('resets what is still open when the deregistration delay ends', async () => {
    const a = await task('a');
    const { endpoint: e, url } = await endpoint({ deregistrationDelayMs: 200 });
    e.setTargets([a.target]);
    const stuck = failureCode(httpRequest(`${url}/slow?ms=5000`));
    await waitFor(() => a.upstream.hits === 1, 'the request to reach a');
    assert.deepEqual(await e.drain(a.target.taskArn), { taskArn: a.target.taskArn, reset: 1 });
    assert.equal(await stuck, 'ECONNRESET');
    assert.deepEqual(await e.drain('unknown'), { taskArn: 'unknown', reset: 0 });
  });

  it('swaps targets under ~300 requests/s for 2 s with zero failed requests (rolling deployment)', async () => {
    const old = await task('old');
    const fresh = await task('new');
    const { endpoint: e, url } = await endpoint({ deregistrationDelayMs: 2_000 });
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
    await waitFor(() => results.length > 50, 'load to be flowing', 5_000);
    e.setTargets([old.target, fresh.target]);
    await waitFor(() => fresh.upstream.hits > 20, 'the new task to take traffic', 5_000);
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
});

describe('ServiceEndpoint port', () => {
  it('keeps its port across a restart of the cloud', async () => {
    const a = await task('a');
    const first = await endpoint();
    const port = first.endpoint.port;
    await first.endpoint.close();
    const again = await endpoint();
    assert.equal(again.endpoint.port, port);
    again.endpoint.setTargets([a.target]);
    assert.equal(await text(`${again.url}/`), 'a');
  });

  it('moves to another port, and remembers it, when its port is taken by another process', async () => {
    const first = await endpoint();
    const port = first.endpoint.port;
    await first.endpoint.close();
    const squatter = createServer();
    squatter.listen(port, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const moved = await endpoint();
      assert.notEqual(moved.endpoint.port, port);
      const ports = new EndpointPortPool(new NetworkStore(t.open()), { range: PORTS });
      assert.equal(ports.portOf('arn:aws:ecs:us-east-1:000000000000:service/c/web'), moved.endpoint.port);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
