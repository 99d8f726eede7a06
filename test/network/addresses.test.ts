/**
 * Task addresses and endpoint ports: allocation order, the skipped addresses, release and
 * next-fit reuse, exhaustion, persistence across a restart (reopening the database), and that
 * an allocated address can really be bound on Linux without setup.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  EndpointPortPool,
  NetworkStore,
  TaskAddressPool,
  AddressPoolExhausted,
  taskAddressRangeForPort,
} from '../../src/network/index.js';
import { tempDb, type TempDb } from './support.js';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.dispose());

const arn = (n: number): string => `arn:aws:ecs:us-east-1:000000000000:task/c/${String(n).padStart(32, '0')}`;

describe('TaskAddressPool', () => {
  it('hands out 127.0.10.1, .2, … by default and is idempotent per task', () => {
    const pool = new TaskAddressPool(new NetworkStore(t.open()));
    assert.equal(pool.allocate(arn(1)), '127.0.10.1');
    assert.equal(pool.allocate(arn(2)), '127.0.10.2');
    assert.equal(pool.allocate(arn(1)), '127.0.10.1');
    assert.equal(pool.addressOf(arn(2)), '127.0.10.2');
    assert.equal(pool.addressOf(arn(3)), undefined);
    assert.deepEqual(pool.allocations(), [
      { taskArn: arn(1), address: '127.0.10.1' },
      { taskArn: arn(2), address: '127.0.10.2' },
    ]);
  });

  it("skips host parts .0 and .255 and the host's 127.0.0.x", () => {
    const pool = new TaskAddressPool(new NetworkStore(t.open()), {
      range: { first: '127.0.0.250', last: '127.0.2.1' },
    });
    const got = Array.from({ length: 255 }, (_, i) => pool.allocate(arn(i)));
    assert.equal(got[0], '127.0.1.1');
    assert.equal(got[253], '127.0.1.254');
    assert.equal(got[254], '127.0.2.1');
    assert.ok(got.every((a) => !/\.(0|255)$/.test(a) && !a.startsWith('127.0.0.')));
    assert.throws(() => pool.allocate(arn(999)), AddressPoolExhausted);
  });

  it('rejects a range outside 127.0.0.0/8', () => {
    const store = new NetworkStore(t.open());
    assert.throws(
      () => new TaskAddressPool(store, { range: { first: '10.0.0.1', last: '10.0.0.9' } }),
      /127\.0\.0\.0\/8/,
    );
    assert.throws(
      () => new TaskAddressPool(store, { range: { first: '127.0.9.1', last: '127.0.8.1' } }),
      /first ≤ last/,
    );
  });

  it('releases addresses and reuses them only after a lap (next-fit)', () => {
    const pool = new TaskAddressPool(new NetworkStore(t.open()), {
      range: { first: '127.0.10.1', last: '127.0.10.3' },
    });
    pool.allocate(arn(1));
    pool.allocate(arn(2));
    assert.equal(pool.release(arn(1)), true);
    assert.equal(pool.release(arn(1)), false);
    assert.equal(pool.addressOf(arn(1)), undefined);
    assert.equal(pool.allocate(arn(3)), '127.0.10.3', 'the freed .1 is not reused at once');
    assert.equal(pool.allocate(arn(4)), '127.0.10.1', 'after the lap it is');
    assert.throws(() => pool.allocate(arn(5)), AddressPoolExhausted);
  });

  it('keeps addresses and the cursor across a restart', () => {
    const first = new TaskAddressPool(new NetworkStore(t.open()));
    first.allocate(arn(1));
    first.allocate(arn(2));
    first.release(arn(1));
    const restarted = new TaskAddressPool(new NetworkStore(t.open()));
    assert.equal(restarted.addressOf(arn(2)), '127.0.10.2', 'an adopted task keeps its address');
    assert.equal(restarted.allocate(arn(2)), '127.0.10.2');
    assert.equal(restarted.allocate(arn(3)), '127.0.10.3', 'allocation continues after the newest');
  });

  it('gives each cloud port its own range, and starts a changed range at its beginning', () => {
    assert.deepEqual(taskAddressRangeForPort(4566), { first: '127.249.0.1', last: '127.249.255.254' });
    assert.deepEqual(taskAddressRangeForPort(45662), { first: '127.197.0.1', last: '127.197.255.254' });
    assert.notDeepEqual(taskAddressRangeForPort(45662), taskAddressRangeForPort(45668));
    assert.deepEqual(taskAddressRangeForPort(0), { first: '127.0.10.1', last: '127.0.255.254' });
    const before = new TaskAddressPool(new NetworkStore(t.open()));
    before.allocate(arn(1));
    // The cloud comes back on another port: the adopted task keeps its address, new ones use the new range.
    const moved = new TaskAddressPool(new NetworkStore(t.open()), { range: taskAddressRangeForPort(4566) });
    assert.equal(moved.addressOf(arn(1)), '127.0.10.1');
    assert.equal(moved.allocate(arn(2)), '127.249.0.1');
  });

  it('allocates addresses Linux lets us bind and reach without setup', async () => {
    const pool = new TaskAddressPool(new NetworkStore(t.open()));
    const address = pool.allocate(arn(1));
    assert.equal(address, '127.0.10.1');
    const server = createServer((socket) => socket.end('hello from 127.0.10.1'));
    try {
      server.listen(0, address);
      await new Promise((resolve) => server.once('listening', resolve));
      const { port, address: bound } = server.address() as AddressInfo;
      assert.equal(bound, '127.0.10.1');
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, address);
        let data = '';
        socket.on('data', (c: Buffer) => (data += c.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.equal(text, 'hello from 127.0.10.1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('EndpointPortPool', () => {
  it('allocates once per service, persists across restarts and skips busy ports', () => {
    const ports = new EndpointPortPool(new NetworkStore(t.open()), { range: { first: 24100, last: 24102 } });
    assert.equal(ports.allocate('svc-a'), 24100);
    assert.equal(ports.allocate('svc-b'), 24101);
    assert.equal(ports.allocate('svc-a'), 24100);
    const restarted = new EndpointPortPool(new NetworkStore(t.open()), { range: { first: 24100, last: 24102 } });
    assert.equal(restarted.portOf('svc-b'), 24101);
    assert.equal(restarted.allocate('svc-a', new Set([24100])), 24102, 'a busy persisted port is replaced');
    assert.equal(restarted.portOf('svc-a'), 24102);
    assert.equal(restarted.allocate('svc-c'), 24100, 'the port svc-a left is free again');
    assert.throws(() => restarted.allocate('svc-d'), /no free endpoint port/);
    assert.equal(restarted.release('svc-b'), true);
    assert.equal(restarted.allocate('svc-d'), 24101);
  });
});
