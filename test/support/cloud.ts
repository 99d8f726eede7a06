/**
 * Starting a real cloud for a test: its own temp data directory, an ephemeral loopback port,
 * optionally a ManualClock. Clients talk to it over HTTP like any other user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cloud } from '../../src/cloud/cloud.js';
import type { Clock } from '../../src/cloud/clock.js';
import type { Logger } from '../../src/cloud/logger.js';
import { ENGINE_CERTS_DIR } from '../../src/tls/engine-trust.js';

export interface TestCloud {
  cloud: Cloud;
  url: string;
  dataDir: string;
  accountId: string;
  region: string;
  admin: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** Ports whose localhost:PORT registries the host set-up marks plain HTTP (scripts/setup-engine). */
export const REGISTRY_TEST_PORTS = Array.from({ length: 20 }, (_, i) => 45660 + i);

/** `engineTrust`: the engine trusts the registry's TLS (certs.d), so it pushes and pulls on any port. */
export async function startTestCloud(options: { clock?: Clock; dataDir?: string; accountId?: string; port?: number; logger?: Logger; engineTrust?: boolean } = {}): Promise<TestCloud> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dockyard-test-'));
  const cloud = await Cloud.start({ dataDir, port: options.port ?? 0, host: '127.0.0.1', clock: options.clock, accountId: options.accountId, logger: options.logger, ...(options.engineTrust ? { engineCertsDir: ENGINE_CERTS_DIR } : {}) });
  await cloud.ready();
  return {
    cloud,
    url: cloud.url,
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
export function sdkConfig(cloud: TestCloud, credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
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
