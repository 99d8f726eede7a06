/**
 * Services' stable endpoints as the CLI finds them: the port each service's endpoint holds is
 * persisted in the cloud's state (allocated once, kept across restarts), so it is read from
 * there, one state open for any number of services.
 */
import { systemClock } from '../core/clock.js';
import { DEFAULTS } from '../cloud/config.js';
import { CloudState } from '../cloud/state.js';
import { EndpointPortPool, NetworkStore } from '../network/index.js';

/** The endpoint port of each service ARN that has one. */
export function endpointPorts(dataDir: string, serviceArns: readonly string[]): Map<string, number> {
  const state = new CloudState({ dataDir, issuer: DEFAULTS.issuer }, systemClock);
  try {
    const pool = new EndpointPortPool(new NetworkStore(state.db), { clock: systemClock });
    const ports = new Map<string, number>();
    for (const arn of serviceArns) {
      const port = pool.portOf(arn);
      if (port !== undefined) ports.set(arn, port);
    }
    return ports;
  } finally {
    state.close();
  }
}

/** The URL a browser opens for an endpoint port. */
export function endpointUrl(port: number): string {
  return `http://127.0.0.1:${port}/`;
}
