import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/core/clock.js';

describe('ManualClock timers', () => {
  it('fires timers in due order during advance, each at its own time', () => {
    const clock = new ManualClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now().getTime()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now().getTime()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now().getTime()}`), 30);
    clock.advance(25);
    assert.deepEqual(fired, ['a@10', 'b@20']);
    assert.equal(clock.now().getTime(), 25);
    clock.advance(5);
    assert.deepEqual(fired, ['a@10', 'b@20', 'c@30']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('repeats intervals until cleared, and a cleared timer never fires', () => {
    const clock = new ManualClock(1000);
    let ticks = 0;
    const interval = clock.setInterval(() => ticks++, 50);
    const never = clock.setTimeout(() => assert.fail('a cleared timer fired'), 10);
    clock.clearTimer(never);
    clock.advance(500);
    assert.equal(ticks, 10);
    clock.clearTimer(interval);
    clock.advance(500);
    assert.equal(ticks, 10);
    assert.equal(clock.pendingTimers, 0);
  });

  it('fires a timer a callback sets when it falls due within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now().getTime());
      clock.setTimeout(() => fired.push(clock.now().getTime()), 5);
    }, 5);
    clock.advance(20);
    assert.deepEqual(fired, [5, 10]);
  });

  it('set() moves forward like advance and back without firing', () => {
    const clock = new ManualClock(0);
    let fired = 0;
    clock.setTimeout(() => fired++, 100);
    clock.set(new Date(50));
    clock.set(new Date(10));
    assert.equal(fired, 0);
    clock.set(new Date(200));
    assert.equal(fired, 1);
  });
});

describe('systemClock timers', () => {
  it('are Node timers: a timeout fires and a cleared interval stops', async () => {
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
    let ticks = 0;
    const interval = systemClock.setInterval(() => ticks++, 1);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 20));
    systemClock.clearTimer(interval);
    assert.ok(ticks > 0);
  });
});
