/**
 * TaskAddressPool: one loopback IPv4 address per task, the local stand-in for an awsvpc ENI's
 * private (and, with assignPublicIp ENABLED, public) address. Linux routes all of 127.0.0.0/8
 * to `lo`, so any address in the range can be bound without setup; 127.0.0.x is left to the
 * host (the cloud's own API listens on 127.0.0.1) and host parts .0 and .255 are skipped so no
 * address looks like a network or broadcast address.
 *
 * Allocation is next-fit: the cursor moves forward past the last address handed out, so a
 * released address is reused only after the whole range has been cycled. A client still
 * holding an old task's address then meets a refused connection, not a different task.
 * Allocations are rows in SQLite (NetworkStore), so a task adopted after a restart keeps its
 * address; `allocations()` lets the runtime release the addresses of tasks that are gone.
 */
import { ipv4Value } from '../services/ec2/addresses.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { NetworkStore } from './store.js';

/** The range when nothing else is known (an ephemeral port): 127.0.10.1 – 127.0.255.254. */
export const DEFAULT_TASK_ADDRESS_RANGE = { first: '127.0.10.1', last: '127.0.255.254' } as const;

/**
 * A cloud's own range, from the port it serves on: 127.K.0.1 – 127.K.255.254 with K = 1 +
 * port mod 254. Two clouds on one machine (two data directories) must not hand out the same
 * address: both would bind the same address and port, and whichever listened first would answer
 * for the other's task. Ports in use are distinct, so clouds collide only when their ports differ
 * by a multiple of 254; 127.0.x.x stays the host's (and the tests' fixed ranges').
 */
export function taskAddressRangeForPort(port: number): { first: string; last: string } {
  if (!Number.isInteger(port) || port <= 0) return DEFAULT_TASK_ADDRESS_RANGE;
  const k = 1 + (port % 254);
  return { first: `127.${k}.0.1`, last: `127.${k}.255.254` };
}

export interface TaskAddressPoolOptions {
  /** First and last address of the range (inclusive), both inside 127.0.0.0/8. */
  range?: { first: string; last: string };
  clock?: Clock;
}

/** Thrown when every address of the range is taken. */
export class AddressPoolExhausted extends Error {
  constructor(range: { first: string; last: string }) {
    super(`no free task address in ${range.first} – ${range.last}`);
    this.name = 'AddressPoolExhausted';
  }
}

/** Dotted form of a 32-bit address. */
export function ipv4String(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

const LOOPBACK_NET = 127 << 24;
const LOOPBACK_MASK = 0xff000000 | 0;
/** 127.0.0.0/24: the host's own loopback addresses. */
const HOST_NET_END = ipv4Value('127.0.0.255') ?? 0;

/** True for addresses the pool may hand out: in 127/8, outside 127.0.0.x, host part not .0/.255. */
function usable(value: number): boolean {
  const last = value & 255;
  return (value & LOOPBACK_MASK) === LOOPBACK_NET && value > HOST_NET_END && last !== 0 && last !== 255;
}

/** Allocates, persists and releases per-task loopback addresses. */
export class TaskAddressPool {
  private readonly first: number;
  private readonly last: number;
  private readonly range: { first: string; last: string };
  private readonly clock: Clock;
  /** The next candidate; starts after the newest persisted allocation. */
  private cursor: number;

  constructor(
    private readonly store: NetworkStore,
    options: TaskAddressPoolOptions = {},
  ) {
    this.range = options.range ?? DEFAULT_TASK_ADDRESS_RANGE;
    this.clock = options.clock ?? systemClock;
    const first = ipv4Value(this.range.first);
    const last = ipv4Value(this.range.last);
    if (
      first === undefined ||
      last === undefined ||
      first > last ||
      (first & LOOPBACK_MASK) !== LOOPBACK_NET ||
      (last & LOOPBACK_MASK) !== LOOPBACK_NET
    ) {
      throw new Error(
        `invalid task address range ${this.range.first} – ${this.range.last}: both ends must be in 127.0.0.0/8, first ≤ last`,
      );
    }
    this.first = first;
    this.last = last;
    const newest = store.list<string>('task-address').at(-1);
    const newestValue = newest ? ipv4Value(newest.value) : undefined;
    // An allocation outside the range (the range changed with the port) does not move the cursor.
    this.cursor =
      newestValue !== undefined && newestValue >= first && newestValue <= last ? this.next(newestValue) : first;
  }

  /** The task's address, allocating one the first time; idempotent. */
  allocate(taskArn: string): string {
    const existing = this.addressOf(taskArn);
    if (existing !== undefined) return existing;
    const taken = new Set(this.store.list<string>('task-address').map((a) => a.value));
    let candidate = this.cursor;
    // Bounded: one lap of the range at most.
    for (let steps = 0; steps <= this.last - this.first; steps++) {
      const address = ipv4String(candidate);
      if (usable(candidate) && !taken.has(address)) {
        this.store.put('task-address', taskArn, address, this.clock.now());
        this.cursor = this.next(candidate);
        return address;
      }
      candidate = this.next(candidate);
    }
    throw new AddressPoolExhausted(this.range);
  }

  /** Frees the task's address; false when it had none. */
  release(taskArn: string): boolean {
    return this.store.delete('task-address', taskArn);
  }

  /** The task's address, if it has one. */
  addressOf(taskArn: string): string | undefined {
    return this.store.get<string>('task-address', taskArn);
  }

  /** Every task that holds an address, oldest first (for reconciliation after a restart). */
  allocations(): { taskArn: string; address: string }[] {
    return this.store.list<string>('task-address').map((a) => ({ taskArn: a.owner, address: a.value }));
  }

  private next(value: number): number {
    return value >= this.last ? this.first : value + 1;
  }
}
