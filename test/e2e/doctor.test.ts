/**
 * Acceptance: `dockyard doctor --json` on this machine, with a cloud running on its data
 * directory: every file the engine needs is there, a real container runs the way ECS runs a task
 * (pushed to a throwaway registry, pulled with ECR credentials, an init as PID 1, its published
 * port answering), and the running cloud's health, signed AWS API, ECS runtime and OIDC issuer
 * all check out. Nothing of the probe is left behind. `--setup` records the pass and reuses it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Check } from '../../src/doctor/check.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { dockyard } from '../support/dockyard-cli.js';

interface Report {
  ok: boolean;
  cloud: string | null;
  checks: Check[];
}

describe('dockyard doctor', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-doctor-e2e-'));
  // The --setup stamp goes here, not into this machine's cache.
  const cache = mkdtempSync(join(tmpdir(), 'dockyard-doctor-cache-'));
  const env = { DOCKYARD_DATA: dataDir, XDG_CACHE_HOME: cache };
  const probeDirs = () =>
    readdirSync(tmpdir()).filter(
      (name) =>
        name.startsWith('dockyard-doctor-') &&
        !name.startsWith('dockyard-doctor-e2e-') &&
        !name.startsWith('dockyard-doctor-cache-'),
    );

  before(async () => {
    const up = await dockyard(['up', '--detach', '--port', '0'], env);
    assert.equal(up.status, 0, up.stderr);
  });
  after(async () => {
    await dockyard(['down'], env);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('passes every check on this machine, the running cloud included, and leaves nothing behind', async () => {
    const before = new Set(probeDirs());
    const out = await dockyard(['doctor', '--json'], env);
    const report = JSON.parse(out.stdout) as Report;
    const failed = report.checks.filter((c) => c.status !== 'pass');
    assert.deepEqual(failed, [], `checks that did not pass:\n${JSON.stringify(failed, null, 2)}\n${out.stderr}`);
    assert.equal(out.status, 0);
    assert.equal(report.ok, true);
    const endpoint = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { url: string };
    assert.equal(report.cloud, endpoint.url);
    assert.deepEqual(
      report.checks.map((c) => c.id),
      [
        'host.files',
        'host.firewall',
        'engine.api',
        'engine.host',
        'registry.push',
        'registry.pull',
        'container.run',
        'container.port',
        'cloud.health',
        'cloud.aws',
        'cloud.ecs',
        'cloud.oidc',
      ],
    );
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    assert.match(byId.get('container.run')?.detail ?? '', /PID 1 is \/run\/podman-init|PID 1 is \/sbin\/docker-init/);
    assert.match(byId.get('container.port')?.detail ?? '', /^127\.0\.0\.1:\d+ → .*:8080 answered from the host$/);
    assert.match(byId.get('cloud.aws')?.detail ?? '', /arn:aws:iam::000000000000:root/);
    // The test host runs as root with iptables and nsenter.
    assert.match(byId.get('host.firewall')?.detail ?? '', /^enforced by the kernel/);
    assert.match(byId.get('cloud.ecs')?.detail ?? '', /^running; it reaches /);

    // The probe's container, its image and its temporary directory are gone.
    const engine = new DockerApiEngine();
    try {
      assert.deepEqual(
        await engine
          .listContainers({ labels: { 'dockyard.doctor': true } })
          .then((l) => l.filter((c) => Date.now() - c.createdAt.getTime() < 60_000)),
        [],
      );
    } finally {
      await engine.close();
    }
    assert.deepEqual(
      probeDirs().filter((d) => !before.has(d)),
      [],
    );
  });

  it('--setup skips the cloud, records the pass and reuses it on the next run', async () => {
    // The run above recorded its pass too: start from none.
    rmSync(join(cache, 'dockyard'), { recursive: true, force: true });
    const first = await dockyard(['doctor', '--setup', '--json'], env);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const firstReport = JSON.parse(first.stdout) as Report;
    assert.equal(
      firstReport.checks.some((c) => c.group === 'cloud'),
      false,
    );
    assert.equal(
      firstReport.checks.some((c) => c.cached),
      false,
    );

    const second = await dockyard(['doctor', '--setup'], env);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^\[setup\] self-check: 8 checks passed in \d+\.\d s\n$/);
    const again = JSON.parse((await dockyard(['doctor', '--setup', '--json'], env)).stdout) as Report;
    assert.deepEqual(
      again.checks.filter((c) => c.cached).map((c) => c.id),
      ['registry.push', 'registry.pull', 'container.run', 'container.port'],
    );

    // On demand, the container run is real again.
    const onDemand = JSON.parse((await dockyard(['doctor', '--json'], env)).stdout) as Report;
    assert.equal(
      onDemand.checks.some((c) => c.cached),
      false,
    );
  });

  it('prints its usage with --help and refuses unknown flags', async () => {
    const help = await dockyard(['doctor', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: dockyard doctor \[--json\] \[--setup\] \[--data DIR\]/);
    const bad = await dockyard(['doctor', '--nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown option '--nope'/);
  });
});
