/**
 * EndpointPortPool: the port of each service's stable endpoint (127.0.0.1:<port>), chosen once
 * and persisted (NetworkStore) so the URL `dockyard endpoint` prints survives restarts.
 *
 * Ports come from a fixed range below Linux's ephemeral range (32768–60999 by default), so the
 * kernel never hands one to an outgoing connection and a restarted cloud can bind it again.
 * When a persisted port is held by another process anyway, the endpoint asks for another one
 * (`allocate(key, busy)`) and the new port is persisted instead.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { NetworkStore } from './store.js';

/** The default range for endpoint ports (inclusive). */
export const DEFAULT_ENDPOINT_PORT_RANGE = { first: 24000, last: 24999 } as const;

export interface EndpointPortPoolOptions {
  range?: { first: number; last: number };
  clock?: Clock;
}

/** Allocates, persists and releases endpoint ports keyed by service (e.g. its ARN). */
export class EndpointPortPool {
  private readonly range: { first: number; last: number };
  private readonly clock: Clock;

  constructor(
    private readonly store: NetworkStore,
    options: EndpointPortPoolOptions = {},
  ) {
    this.range = options.range ?? DEFAULT_ENDPOINT_PORT_RANGE;
    this.clock = options.clock ?? systemClock;
    const { first, last } = this.range;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 65535 || first > last) {
      throw new Error(`invalid endpoint port range ${first}–${last}`);
    }
  }

  /**
   * The service's port, allocating one the first time. A persisted port listed in `busy` (it
   * could not be bound) is replaced by a free one. Throws when the range has none left.
   */
  allocate(serviceKey: string, busy: ReadonlySet<number> = new Set()): number {
    const existing = this.portOf(serviceKey);
    if (existing !== undefined && !busy.has(existing)) return existing;
    const taken = new Set(this.store.list<number>('endpoint-port').map((a) => a.value));
    for (let port = this.range.first; port <= this.range.last; port++) {
      if (taken.has(port) || busy.has(port)) continue;
      this.store.put('endpoint-port', serviceKey, port, this.clock.now());
      return port;
    }
    throw new Error(`no free endpoint port in ${this.range.first}–${this.range.last}`);
  }

  /** The service's port, if it has one. */
  portOf(serviceKey: string): number | undefined {
    return this.store.get<number>('endpoint-port', serviceKey);
  }

  /** Frees the service's port (when the service is deleted); false when it had none. */
  release(serviceKey: string): boolean {
    return this.store.delete('endpoint-port', serviceKey);
  }
}
