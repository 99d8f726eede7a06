/**
 * The README's main command: `dockyard demo` starts a cloud, builds the base image if needed,
 * performs the seed's Steps 2 and 3, hosts and pushes the seed's repository, follows the run,
 * prints the app's URL, then pushes a change and shows the rolling deployment. Run twice: the
 * second run reuses the cloud and the AWS resources and resets only its own repository.
 */
import assert from 'node:assert/strict';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { dockyard } from '../support/dockyard-cli.js';
import { deleteServiceAndWait, removeCloudContainers, removeImages } from '../support/engine-cleanup.js';
import { FIXED_PORTS } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';

describe('dockyard demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-demo-'));
  after(async () => {
    // The demo leaves its app running on purpose; a test removes it.
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const ecs = new ECSClient({
      endpoint: `http://127.0.0.1:${FIXED_PORTS.demo}`,
      region: 'us-east-1',
      credentials: admin,
      maxAttempts: 1,
    });
    await deleteServiceAndWait(ecs, 'my-app-cluster', 'my-app-service');
    await dockyard(['down', '--data', dataDir]);
    await removeCloudContainers(dataDir);
    await removeImages(`localhost:${FIXED_PORTS.demo}/my-app`);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'deploys the seed app through git push, then rolls out a change; twice (idempotent)',
    { timeout: 600_000 },
    async () => {
      for (let round = 0; round < 2; round++) {
        const demo = await dockyard(['demo', '--port', String(FIXED_PORTS.demo), '--data', dataDir]);
        assert.equal(demo.status, 0, demo.stderr + demo.stdout);
        assert.match(demo.stderr, /remote: dockyard: all 1 run\(s\) succeeded/);
        assert.match(
          demo.stdout,
          /✓ http:\/\/127\.\d+\.\d+\.\d+\/ → 🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!/,
        );
        assert.match(
          demo.stdout,
          /✓ http:\/\/127\.\d+\.\d+\.\d+\/ → 🚢 Hello again from my-app, redeployed by dockyard/,
        );
        assert.match(demo.stdout, /during the deployment the endpoint answered \d+ requests, 0 failed/);
        assert.match(demo.stdout, /Stop: bin\/dockyard down/);
      }
      const runs = await dockyard(['runs', 'list', '--json', '--data', dataDir]);
      const list = JSON.parse(runs.stdout) as { conclusion: string }[];
      assert.equal(list.length, 4);
      assert.ok(list.every((r) => r.conclusion === 'success'));
      const status = JSON.parse((await dockyard(['status', '--json', '--data', dataDir])).stdout) as {
        services: {
          service: string;
          running: number;
          desired: number;
          deployments: number;
          taskUrl?: string;
          endpoint?: string;
        }[];
      };
      assert.deepEqual(
        status.services.map((s) => [s.service, s.running, s.desired, s.deployments]),
        [['my-app-service', 1, 1, 1]],
      );
      assert.match(status.services[0]?.taskUrl ?? '', /^http:\/\/127\.\d+\.\d+\.\d+\/$/);
      assert.match(status.services[0]?.endpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const logs = await dockyard([
        'logs',
        '--cluster',
        'my-app-cluster',
        '--service',
        'my-app-service',
        '--data',
        dataDir,
      ]);
      assert.equal(logs.status, 0, logs.stderr);
      assert.match(logs.stdout, /^\d\d:\d\d:\d\d\.\d{3} [0-9a-f]{8} .*"GET \/ HTTP\/1\.1" 200/m);

      // The second push changed the greeting; rolling back serves the seed's text again.
      const rollback = await dockyard([
        'rollback',
        '--cluster',
        'my-app-cluster',
        '--service',
        'my-app-service',
        '--data',
        dataDir,
      ]);
      assert.equal(rollback.status, 0, rollback.stderr + rollback.stdout);
      assert.match(
        rollback.stdout,
        /rolling my-app-cluster\/my-app-service back from my-app-task:(\d+) to my-app-task:\d+/,
      );
      assert.match(rollback.stdout, /✓ my-app-service runs my-app-task:\d+/);
      const after = JSON.parse((await dockyard(['status', '--json', '--data', dataDir])).stdout) as {
        services: { taskUrl?: string }[];
      };
      const served = await waitFor(
        'the rolled-back task to answer',
        async () => {
          try {
            return (
              await (
                await fetch(after.services[0]?.taskUrl ?? 'http://127.0.0.1:1/', { signal: AbortSignal.timeout(3000) })
              ).text()
            ).trim();
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(served, '🚀 Hello from my-app on Amazon ECS using Github actions auto deployment!');
    },
  );
});
