/**
 * The cloud's configuration and where its files live. A data directory holds one cloud:
 *   state.db       SQLite (WAL): every service's state, keys, sessions
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
  /** Fixed when the data directory is first used; undefined means "as stored, else the default". */
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
