/**
 * Wires the console (src/console) to the cloud's stores, runner and issuer. Loaded on the
 * console's first request (cloud.ts), so `dockyard up` does not pay for it; the stores it
 * reads are the cloud's own instances, whose change feeds the live pages follow.
 */
import { createConsole, type Console } from '../console/handler.js';
import type { ConsoleDeps } from '../console/deps.js';
import { EndpointPortPool } from '../network/endpoint-ports.js';
import { NetworkStore } from '../network/store.js';
import type { Db } from '../store/database.js';

export interface CloudConsoleDeps extends Omit<ConsoleDeps, 'endpointPort'> {
  /** The cloud's database, where the runtime keeps each service's endpoint port. */
  db: Db;
}

export function createCloudConsole(deps: CloudConsoleDeps): Console {
  // Read-only use of the ports the runtime allocated and persisted.
  const { db, ...rest } = deps;
  const ports = new EndpointPortPool(new NetworkStore(db));
  return createConsole({ ...rest, endpointPort: (serviceArn) => ports.portOf(serviceArn) });
}
