/**
 * The cloud's configuration and where its files live. A data directory holds one cloud:
 *   state.db       SQLite (WAL): global state (IAM, keys, sessions, CI) and the home region's
 *   regions/       one SQLite database per other region a call has named (cloud/regions.ts)
 *   admin.json     the admin (root-equivalent) access key, mode 0600
 *   endpoint.json  where the running cloud listens (written once it is ready)
 *   dockyard.pid   the running cloud's pid
 *   dockyard.log   the log of a detached cloud
 *   tls/           the cloud's CA and server certificate (src/tls/cloud-certificates.ts)
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CloudConfig {
  dataDir: string;
  host: string;
  port: number;
  /**
   * Undefined means "as stored, else the default". Stored at the first start; the account id
   * may change later only while no resource carries it (cloud/account-id.ts), the default
   * region at any start (every region is served; cloud/regions.ts).
   */
  accountId?: string;
  region?: string;
  /** The CI OIDC issuer's URL (the `iss` of job tokens). */
  issuer: string;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  // Where AWS tooling already looks for a local endpoint.
  port: 4566,
  accountId: '000000000000',
  region: 'us-east-1',
  issuer: 'https://token.actions.githubusercontent.com',
} as const;

/** --data DIR, else $DOCKYARD_DATA, else ~/.dockyard. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.DOCKYARD_DATA ?? join(homedir(), '.dockyard'));
}

export const dataFiles = (dataDir: string) => ({
  db: join(dataDir, 'state.db'),
  admin: join(dataDir, 'admin.json'),
  endpoint: join(dataDir, 'endpoint.json'),
  pid: join(dataDir, 'dockyard.pid'),
  log: join(dataDir, 'dockyard.log'),
});
