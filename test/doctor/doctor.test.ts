/**
 * A missing or broken piece is reported as which piece and how to fix it: missing files through
 * an injected list (nothing is purged on this machine), Podman's own messages for each missing
 * binary or file, a real Podman API service whose CNI plugins are missing (a second service on
 * its own socket, with an empty plugin directory), and a running cloud whose ECS runtime cannot
 * reach its engine.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cloud } from '../../src/cloud/cloud.js';
import { checkCloud } from '../../src/doctor/cloud-health.js';
import { probeContainer } from '../../src/doctor/container-probe.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import { checkFiles, checkFirewall, runDoctor } from '../../src/doctor/doctor.js';
import { parseEngineFiles, readEngineFiles } from '../../src/doctor/engine-files.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { waitFor } from '../support/wait-for.js';

const MISSING_CATATONIT = {
  file: '/nonexistent/dockyard-doctor-test/catatonit',
  package: 'catatonit',
  purpose: 'the init of --init containers',
};

describe('doctor: required files', () => {
  it('reads scripts/engine-files: every binary Podman executes for a task, by file', () => {
    const files = readEngineFiles();
    const byFile = new Map(files.map((f) => [f.file, f.package]));
    assert.equal(byFile.get('/usr/libexec/podman/catatonit'), 'catatonit');
    assert.equal(byFile.get('/usr/bin/conmon'), 'conmon');
    assert.equal(byFile.get('/usr/bin/runc'), 'runc');
    for (const plugin of ['bridge', 'host-local', 'portmap', 'firewall', 'tuning'])
      assert.equal(byFile.get(`/usr/lib/cni/${plugin}`), 'containernetworking-plugins');
    assert.equal(byFile.get('/usr/sbin/iptables'), 'iptables');
    assert.equal(byFile.get('/etc/containers/policy.json'), 'golang-github-containers-common');
    assert.throws(() => parseEngineFiles('/usr/bin/podman\n'), /a line needs a file and a package/);
  });

  it('reports each missing file with the package command that brings it back', () => {
    const checks = checkFiles([
      { file: '/bin/sh', package: 'dash', purpose: 'present' },
      MISSING_CATATONIT,
      {
        file: '/nonexistent/dockyard-doctor-test/etc/containers/policy.json',
        package: 'golang-github-containers-common',
        purpose: 'image trust policy',
      },
      { file: 'dockyard-doctor-test-no-such-command', package: 'docker.io', purpose: 'the docker client' },
    ]);
    assert.deepEqual(
      checks.map((c) => [c.status, c.name, c.fix]),
      [
        ['fail', 'catatonit', 'apt-get install --reinstall catatonit'],
        ['fail', 'policy.json', 'apt-get install --reinstall golang-github-containers-common'],
        ['fail', 'dockyard-doctor-test-no-such-command', 'apt-get install --reinstall docker.io'],
      ],
    );
    assert.match(
      checks[0]?.detail ?? '',
      /^\/nonexistent\/dockyard-doctor-test\/catatonit is missing: the init of --init containers$/,
    );
    assert.match(checks[2]?.detail ?? '', /\(on PATH\) is missing/);
    // A deleted configuration file needs --force-confmiss, or dpkg keeps it deleted.
    assert.equal(
      checkFiles([
        { file: '/etc/dockyard-doctor-test/policy.json', package: 'golang-github-containers-common', purpose: 'x' },
      ])[0]?.fix,
      'apt-get install --reinstall -o Dpkg::Options::=--force-confmiss golang-github-containers-common',
    );
  });

  it('fails the whole report (exit 1 in the CLI) when one file is missing', async () => {
    const seen: string[] = [];
    const report = await runDoctor({
      files: [{ file: '/bin/sh', package: 'dash', purpose: 'x' }, MISSING_CATATONIT],
      probe: 'never',
      onCheck: (c) => seen.push(c.id),
    });
    assert.equal(report.ok, false);
    assert.deepEqual(
      seen,
      report.checks.map((c) => c.id),
    );
    const catatonit = report.checks.find((c) => c.name === 'catatonit');
    assert.equal(catatonit?.status, 'fail');
    assert.equal(catatonit?.fix, 'apt-get install --reinstall catatonit');
    assert.equal(report.checks.find((c) => c.id === 'engine.api')?.status, 'pass');
  });
});

describe('doctor: security groups', () => {
  it('says when tasks fall back to per-port proxies, and why', async () => {
    const check = await checkFirewall({ DOCKYARD_TASK_FIREWALL: 'proxy' });
    assert.equal(check.id, 'host.firewall');
    assert.equal(check.status, 'pass');
    assert.match(check.detail, /^enforced by a proxy per task port \(fallback: DOCKYARD_TASK_FIREWALL=proxy\)/);
  });
});

describe('doctor: engine messages', () => {
  // Each message is what Podman 4.3 printed here when pointed at the missing piece.
  const cases: [string, RegExp, string][] = [
    [
      'container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory',
      /^catatonit missing/,
      'apt-get install --reinstall catatonit',
    ],
    [
      'no valid executable found for OCI runtime runc: invalid argument',
      /OCI runtime runc is missing/,
      'apt-get install --reinstall runc',
    ],
    [
      'could not find a working conmon binary (configured options: [/usr/bin/conmon]): invalid argument',
      /conmon/,
      'apt-get install --reinstall conmon',
    ],
    [
      'plugin type="bridge" failed (add): failed to find plugin "bridge" in path [/usr/lib/cni]',
      /CNI network plugin bridge/,
      'apt-get install --reinstall containernetworking-plugins',
    ],
    [
      'plugin type="bridge" failed (add): cni plugin bridge failed: failed to locate iptables: exec: "iptables": executable file not found in $PATH',
      /iptables is missing/,
      'apt-get install --reinstall iptables',
    ],
    [
      'open /etc/containers/policy.json: no such file or directory',
      /trust policy/,
      'apt-get install --reinstall golang-github-containers-common -o Dpkg::Options::=--force-confmiss',
    ],
    [
      'initializing source docker://localhost:4567/x:1: pinging container registry localhost:4567: Get "https://localhost:4567/v2/": http: server gave HTTP response to HTTPS client',
      /localhost:4567 as a plain-HTTP registry/,
      'bash scripts/setup-engine',
    ],
    [
      'initializing source docker://localhost:45171/probe:1: pinging container registry localhost:45171: Get "https://localhost:45171/v2/": x509: certificate signed by unknown authority',
      /does not trust dockyard's CA for localhost:45171/,
      'run dockyard as root',
    ],
    [
      'ping: cannot reach the container engine at unix:///run/podman/podman.sock: connect ENOENT /run/podman/podman.sock',
      /Podman API service is not answering/,
      'bash scripts/setup-engine',
    ],
  ];
  for (const [message, what, fix] of cases) {
    it(`names the piece: ${message.slice(0, 60)}…`, () => {
      const found = diagnose(message);
      assert.match(found?.what ?? '', what);
      assert.ok(found?.fix.startsWith(fix), `${found?.fix} should start with ${fix}`);
    });
  }
  it('names nothing for a message it does not know', () => {
    assert.equal(diagnose('something else went wrong'), undefined);
  });
});

describe('doctor: a real engine without its CNI plugins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-doctor-broken-'));
  const socket = join(dir, 'podman.sock');
  let service: ChildProcess;
  let engine: DockerApiEngine;

  before(async () => {
    // The machine's engine settings, but an empty plugin directory; its own socket, so the shared
    // service is not touched.
    mkdirSync(join(dir, 'cni'));
    writeFileSync(
      join(dir, 'containers.conf'),
      `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n\n[network]\ncni_plugin_dirs = ["${join(dir, 'cni')}"]\n\n[engine]\nruntime = "runc"\n`,
    );
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
      env: { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') },
      stdio: 'ignore',
    });
    engine = new DockerApiEngine({ endpoint: `unix://${socket}` });
    await waitFor(
      'the second Podman API service',
      async () =>
        existsSync(socket)
          ? engine.ping().then(
              () => true,
              () => undefined,
            )
          : undefined,
      { timeoutMs: 30_000 },
    );
  });
  after(async () => {
    await engine.close();
    service.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the CNI plugins are missing and how to install them, and removes its container', async () => {
    const checks = await probeContainer({ engine });
    assert.deepEqual(
      checks.map((c) => [c.id, c.status]),
      [
        ['registry.push', 'pass'],
        ['registry.pull', 'pass'],
        ['container.run', 'fail'],
        ['container.port', 'skip'],
      ],
    );
    const run = checks[2];
    assert.equal(run?.detail, 'the CNI network plugin bridge is missing');
    assert.equal(run?.fix, 'apt-get install --reinstall containernetworking-plugins');
    assert.match(run?.error ?? '', /failed to find plugin "bridge"/);
    assert.equal(checks[3]?.detail, 'not run: container run failed');
    const left = await engine.listContainers({ labels: { 'dockyard.doctor': true } });
    assert.deepEqual(
      left.filter((c) => Date.now() - c.createdAt.getTime() < 60_000),
      [],
    );
  });
});

describe('doctor: a running cloud whose ECS runtime has no engine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-doctor-cloud-'));
  let cloud: Cloud;

  before(async () => {
    // A real driver pointed at a socket nobody serves: `dockyard up` on a machine without the service.
    const engine = new DockerApiEngine({ endpoint: `unix://${join(dataDir, 'no-engine.sock')}` });
    cloud = await Cloud.start({ dataDir, port: 0, host: '127.0.0.1', runtime: { engine, background: true } });
    await cloud.ready();
  });
  after(async () => {
    await cloud.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports the runtime that did not start, and the rest of the cloud as healthy', async () => {
    const health = await waitFor(
      'the runtime to give up',
      async () => {
        const body = (await (await fetch(`${cloud.url}/_dockyard/health?engine=1`)).json()) as {
          ecsRuntime: { state: string; error?: string };
          engine: { reachable: boolean; error?: string };
        };
        return body.ecsRuntime.state === 'starting' ? undefined : body;
      },
      { timeoutMs: 10_000 },
    );
    assert.equal(health.ecsRuntime.state, 'failed');
    assert.equal(health.engine.reachable, false);
    assert.match(health.engine.error ?? '', /cannot reach the container engine/);
    // Without ?engine=1 the route does no I/O.
    assert.deepEqual(await (await fetch(`${cloud.url}/_dockyard/health`)).json(), {
      status: 'ok',
      ecsRuntime: health.ecsRuntime,
    });

    const checks = await checkCloud({
      url: cloud.url,
      pid: process.pid,
      region: cloud.region,
      credentials: cloud.state.admin,
      log: join(dataDir, 'dockyard.log'),
      dataFlag: '',
    });
    assert.deepEqual(
      checks.map((c) => [c.id, c.status]),
      [
        ['cloud.health', 'pass'],
        ['cloud.aws', 'pass'],
        ['cloud.ecs', 'fail'],
        ['cloud.oidc', 'pass'],
      ],
    );
    const ecs = checks[2];
    assert.equal(ecs?.detail, 'the ECS runtime did not start: no task will run');
    assert.match(ecs?.fix ?? '', /^bash scripts\/setup-engine, then dockyard down && dockyard up --detach/);
  });
});
