/**
 * TaskPortProxy against real sockets: an http server on 127.0.0.1 is the container's published
 * port, the proxy listens on a task address in 127.0.77.0/24. Covers forwarding both ways with
 * a large body, half-close, refusal by source (reset) and by an empty rule set (refused), the
 * real EC2 store's rules with refresh(), a dead container, and close() with a grace period.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TaskPortProxy, type TaskPortProxyOptions } from '../../src/network/index.js';
import { Ec2Store } from '../../src/services/ec2/store.js';
import { failureCode, httpRequest, sha256, startUpstream, tempDb, type TempDb, type Upstream } from './support.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/ports.js';

let upstream: Upstream;
let proxies: TaskPortProxy[];
let nextHost = 1;

beforeEach(async () => {
  upstream = await startUpstream('task-a');
  proxies = [];
});
afterEach(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await upstream.close();
});

/** A started proxy on a fresh task address; `url` is http://address:port. */
async function proxy(
  options: Partial<TaskPortProxyOptions> = {},
): Promise<{ proxy: TaskPortProxy; url: string; address: string; port: number }> {
  const address = `127.0.77.${nextHost++}`;
  const port = await freePort(address);
  const p = new TaskPortProxy({ address, port, upstream: { port: upstream.port }, allows: () => true, ...options });
  proxies.push(p);
  await p.start();
  return { proxy: p, url: `http://${address}:${port}`, address, port };
}

describe('TaskPortProxy forwarding', () => {
  it('serves the container at <task address>:<container port>', async () => {
    const { url } = await proxy();
    const reply = await httpRequest(`${url}/`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'task-a');
  });

  it('carries a large body both ways intact', async () => {
    const { url } = await proxy();
    const body = randomBytes(8 * 1024 * 1024);
    const reply = await httpRequest(`${url}/echo`, { method: 'POST', body, timeoutMs: 20_000 });
    assert.equal(reply.body.length, body.length);
    assert.equal(sha256(reply.body), sha256(body));
  });

  it('passes a half-close on: the client shuts its write side and still gets the answer', async () => {
    const { address, port } = await proxy();
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: address, port, allowHalfOpen: true });
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.end('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
    });
    assert.match(text, /^HTTP\/1\.1 200 OK/);
    assert.match(text, /task-a$/);
  });

  it('refuses connections until the app in the container listens, then serves (a load balancer skips it meanwhile)', async () => {
    const latePort = await freePort('127.0.0.1');
    const { url, proxy: p } = await proxy({ upstream: { port: latePort } });
    assert.equal(p.listening, false);
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');
    const late = await startUpstream('late-app', latePort);
    try {
      await waitFor('the proxy to notice the app listening', () => p.listening);
      assert.equal((await httpRequest(`${url}/`)).body.toString(), 'late-app');
    } finally {
      await late.close();
    }
  });
});

describe('TaskPortProxy security groups', () => {
  it('resets connections from a source the groups do not admit (ECONNRESET)', async () => {
    const seen: string[] = [];
    const { url, proxy: p } = await proxy({
      allows: (ip) => (seen.push(ip), false),
      opens: () => true,
    });
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNRESET');
    assert.deepEqual(seen, ['127.0.0.1'], 'a host client connects from 127.0.0.1');
    assert.equal(p.refused, 1);
    assert.equal(upstream.hits, 0);
  });

  it('refuses connections while no rule admits the port (ECONNREFUSED) and opens on refresh()', async () => {
    let open = false;
    const { url, proxy: p } = await proxy({ allows: () => open });
    assert.equal(p.listening, false);
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');
    open = true;
    assert.equal(await p.refresh(), true);
    assert.equal((await httpRequest(`${url}/`)).body.toString(), 'task-a');
    open = false;
    assert.equal(await p.refresh(), false);
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');
  });

  describe("with the EC2 store's rules", () => {
    let t: TempDb;
    beforeEach(() => {
      t = tempDb();
    });
    afterEach(() => t.dispose());

    it('follows Authorize/Revoke: the default group refuses, a tcp rule opens, revoking closes again', async () => {
      const ec2 = new Ec2Store(t.open(), { accountId: '000000000000', region: 'us-east-1' });
      const vpcId = ec2.defaultVpc()?.id ?? '';
      const group = ec2.securityGroupByName(vpcId, 'default');
      assert.ok(group);
      const groupIds = [group.id];
      const {
        url,
        port,
        proxy: p,
      } = await proxy({
        allows: (sourceIp, to) => ec2.ingressAllows(groupIds, { protocol: 'tcp', port: to, sourceIp }),
      });
      // The default group only admits its own members: the host is refused.
      assert.equal(p.listening, false);
      assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');

      const [rule] = ec2.addRules([
        {
          groupId: group.id,
          isEgress: false,
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      ]);
      assert.ok(rule);
      await p.refresh();
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        assert.equal((await httpRequest(`${url}/`, { agent })).body.toString(), 'task-a');
        ec2.removeRules([rule.id]);
        await p.refresh();
        // Stateful, as on AWS: the open connection survives the revoke; new ones are refused.
        assert.equal((await httpRequest(`${url}/`, { agent })).body.toString(), 'task-a');
        assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');
      } finally {
        agent.destroy();
      }
    });
  });
});

describe('TaskPortProxy close', () => {
  it('stops listening at once, lets a request finish within the grace period, then resets the rest', async () => {
    const { url, proxy: p } = await proxy();
    const slow = httpRequest(`${url}/slow?ms=150`);
    const stuck = failureCode(httpRequest(`${url}/slow?ms=5000`));
    await waitFor('both requests to be forwarded', () => p.openConnections === 2);
    const closing = p.close(400);
    await waitFor('the listener to close', () => !p.listening);
    assert.equal(await failureCode(httpRequest(`${url}/`)), 'ECONNREFUSED');
    assert.equal((await slow).body.toString(), 'task-a');
    await closing;
    assert.equal(await stuck, 'ECONNRESET');
    assert.equal(p.openConnections, 0);
  });
});
