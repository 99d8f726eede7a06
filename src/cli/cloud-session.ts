/**
 * What commands that talk to the running cloud need: where it listens, the admin key from
 * admin.json, and an AWS SDK client configuration for both. One place for the "is it running,
 * can I read the key" checks and their messages.
 */
import { readFileSync } from 'node:fs';
import { dataFiles } from '../cloud/config.js';
import type { AdminCredential } from '../control/admin-auth.js';
import { CliError } from './command.js';
import { runningCloud, type RunningCloud } from './running.js';

export interface CloudSession {
  cloud: RunningCloud;
  admin: AdminCredential;
  /** For the AWS SDK clients: the cloud's endpoint and region, the admin key, one attempt. */
  aws: { endpoint: string; region: string; credentials: AdminCredential; maxAttempts: number };
}

/** The session for the cloud running on `dataDir`; a CliError saying how to start it otherwise. */
export function cloudSession(dataDir: string, cloud = runningCloud(dataDir)): CloudSession {
  if (!cloud)
    throw new CliError(
      `dockyard is not running on ${dataDir}; start it with \`dockyard up --detach\` (or \`dockyard demo\`)`,
    );
  const admin = readAdmin(dataDir);
  return { cloud, admin, aws: { endpoint: cloud.url, region: cloud.region, credentials: admin, maxAttempts: 1 } };
}

/** The admin key (admin.json, mode 0600). */
export function readAdmin(dataDir: string): AdminCredential {
  const file = dataFiles(dataDir).admin;
  try {
    const { accessKeyId, secretAccessKey } = JSON.parse(readFileSync(file, 'utf8')) as AdminCredential;
    return { accessKeyId, secretAccessKey };
  } catch (error) {
    throw new CliError(`cannot read the admin key in ${file}: ${(error as Error).message}`);
  }
}
