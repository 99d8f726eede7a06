/**
 * Starting a real cloud for a test: its own temp data directory, a port the kernel picks
 * (test/support/ports.ts), optionally a ManualClock. Clients talk to it over HTTP like any
 * other user; with `engine`, the container engine pushes to and pulls from its registry too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cloud } from '../../src/cloud/cloud.js';
import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import { ENGINE_CERTS_DIR } from '../../src/tls/engine-trust.js';

export interface TestCloud {
  cloud: Cloud;
  url: string;
  /** The port; the engine knows the registry as localhost:PORT. */
  port: number;
  dataDir: string;
  accountId: string;
  region: string;
  admin: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export interface TestCloudOptions {
  clock?: Clock;
  dataDir?: string;
  accountId?: string;
  logger?: Logger;
  /** A restart names the port of the cloud it replaces; otherwise the kernel picks one. */
  port?: number;
  /** The engine pushes and pulls here: the cloud writes its CA into the engine's certs.d for localhost:PORT. */
  engine?: boolean;
  /** Run workflow jobs in containers through the engine (off by default: most tests have no engine). */
  jobContainers?: boolean;
}

export async function startTestCloud(options: TestCloudOptions = {}): Promise<TestCloud> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dockyard-test-'));
  const cloud = await Cloud.start({
    dataDir,
    port: options.port ?? 0,
    host: '127.0.0.1',
    clock: options.clock,
    accountId: options.accountId,
    logger: options.logger,
    jobContainers: options.jobContainers,
    ...(options.engine ? { engineCertsDir: ENGINE_CERTS_DIR } : {}),
  });
  await cloud.ready();
  return {
    cloud,
    url: cloud.url,
    port: Number(new URL(cloud.url).port),
    dataDir,
    accountId: cloud.accountId,
    region: cloud.region,
    admin: { accessKeyId: cloud.state.admin.accessKeyId, secretAccessKey: cloud.state.admin.secretAccessKey },
    async stop() {
      await cloud.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SDK client configuration for a test cloud with the given credentials (admin by default). */
export function sdkConfig(
  cloud: TestCloud,
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
) {
  return { endpoint: cloud.url, region: cloud.region, credentials: credentials ?? cloud.admin, maxAttempts: 1 };
}

/** The seed's trust policy (Step 3.1) for an account. */
export function seedTrustPolicy(accountId: string, sub = 'repo:your-username/ecsapp:ref:refs/heads/main'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringLike: { 'token.actions.githubusercontent.com:sub': sub },
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        },
      },
    ],
  });
}
