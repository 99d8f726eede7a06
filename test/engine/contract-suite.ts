/**
 * The shared contract suite every `ContainerEngine` implementation passes, run against a real
 * engine. The fixture provides the engine and loads the tiny offline image (sh, sleep, cat,
 * perl); everything the suite creates is labelled `dockyard.test=1` plus a per-run label and
 * removed in `after`, image included. No fixed sleeps: conditions are polled with deadlines.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import type { ContainerEngine, ContainerSpec, LogLine } from '../../src/engine/contract.js';
import { EngineError, isNotFound } from '../../src/engine/errors.js';
import { tinyHttpServerScript } from '../../src/images/tiny-image.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/ports.js';

/** What an implementation's test file hands the suite. */
export interface EngineFixture {
  engine: ContainerEngine;
  /** Makes the tiny image available as `ref`; resolves to a function removing it again. */
  loadTinyImage(ref: string): Promise<() => Promise<void>>;
}

/** GET http://host:port/ → body, or undefined while nothing answers. */
export function httpGet(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** An HTTP server in perl built-ins only: answers `hello` on `port` (all addresses). */
function perlServer(port: number): string[] {
  return ['/bin/perl', '-e', tinyHttpServerScript(port)];
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

const text = (lines: LogLine[], stream: LogLine['stream']) =>
  lines.filter((l) => l.stream === stream).map((l) => l.line);

/** Registers the contract suite for one engine implementation. */
export function containerEngineContract(
  name: string,
  setup: () => Promise<EngineFixture>,
  options: { skip?: string } = {},
): void {
  describe(`ContainerEngine contract: ${name}`, { skip: options.skip }, () => {
    const run = randomUUID().slice(0, 8);
    const image = `localhost/dockyard-test/tiny:${run}`;
    const runLabels = { 'dockyard.test': '1', 'dockyard.test.run': run };
    let engine: ContainerEngine;
    let removeImage: (() => Promise<void>) | undefined;
    let counter = 0;

    /** Creates a labelled container from the tiny image. */
    const create = (spec: Partial<ContainerSpec> & { command: string[] }) =>
      engine.createContainer({
        ...spec,
        name: `dockyard-test-${run}-${++counter}`,
        image,
        labels: { ...runLabels, ...spec.labels },
      });
    const sh = (script: string) => ['/bin/sh', '-c', script];
    const exited = (id: string) =>
      waitFor(`container ${id.slice(0, 12)} to exit`, async () => {
        const details = await engine.inspectContainer(id);
        return details.status === 'exited' ? details : undefined;
      });

    before(async () => {
      const fixture = await setup();
      engine = fixture.engine;
      removeImage = await fixture.loadTinyImage(image);
    });

    after(async () => {
      if (!engine) return;
      for (const c of await engine.listContainers({ labels: { 'dockyard.test.run': run } })) {
        await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
      }
      await removeImage?.();
      await engine.close();
    });

    it('pings and reports the engine and API version', async () => {
      await engine.ping();
      const info = await engine.info();
      assert.match(info.name, /podman|docker|engine/i);
      assert.match(info.apiVersion, /^1\.\d+$/);
      assert.ok(info.version.length > 0);
    });

    it('creates, starts and inspects a container with labels, an address and timestamps', async () => {
      const id = await create({ command: ['/bin/sleep', '300'], labels: { 'dockyard.task': 'abc' } });
      const created = await engine.inspectContainer(id);
      assert.equal(created.status, 'created');
      assert.equal(created.running, false);
      assert.equal(created.exitCode, undefined);
      assert.equal(created.labels['dockyard.task'], 'abc');
      assert.equal(created.labels['dockyard.test.run'], run);
      await engine.startContainer(id);
      await engine.startContainer(id); // starting a running container is not an error
      const running = await engine.inspectContainer(id);
      assert.equal(running.status, 'running');
      assert.equal(running.running, true);
      assert.ok(running.startedAt && Math.abs(running.startedAt.getTime() - Date.now()) < 60_000, 'startedAt is now');
      assert.match(running.ipAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/);
      assert.equal(running.oomKilled, false);
      assert.equal(running.id, id);
      await engine.removeContainer(id, { force: true });
    });

    it('stops gracefully: SIGTERM reaches the app through the init, well within the timeout', async () => {
      // sleep has no handler: the default action ends it (128 + 15). Without an init it would be PID 1 and ignore SIGTERM.
      const plain = await create({ command: ['/bin/sleep', '300'] });
      const trapping = await create({ command: sh('trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done') });
      await engine.startContainer(plain);
      await engine.startContainer(trapping);
      // Stop only once the trap is set: on a loaded machine the shell may not have run it yet.
      for await (const entry of engine.logs(trapping, { follow: true, signal: AbortSignal.timeout(15_000) }))
        if (entry.line === 'ready') break;
      const started = Date.now();
      await Promise.all([engine.stopContainer(plain, 20), engine.stopContainer(trapping, 20)]);
      assert.ok(Date.now() - started < 10_000, `stop took ${Date.now() - started} ms`);
      assert.equal((await engine.inspectContainer(plain)).exitCode, 143);
      assert.equal((await engine.inspectContainer(trapping)).exitCode, 3);
      await engine.stopContainer(trapping, 20); // stopping a stopped container is not an error
    });

    it('escalates to SIGKILL when the app ignores SIGTERM past the timeout (exit 137)', async () => {
      const id = await create({ command: sh('trap "" TERM; echo ready; while :; do sleep 0.1; done') });
      await engine.startContainer(id);
      // Stop only once the trap is set: on a loaded machine the shell may not have run it yet.
      for await (const entry of engine.logs(id, { follow: true, signal: AbortSignal.timeout(15_000) }))
        if (entry.line === 'ready') break;
      const started = Date.now();
      await engine.stopContainer(id, 1);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 900 && elapsed < 10_000, `stop took ${elapsed} ms`);
      const details = await engine.inspectContainer(id);
      assert.equal(details.status, 'exited');
      assert.equal(details.exitCode, 137);
    });

    it('reports exit codes through wait and inspect', async () => {
      const id = await create({ command: sh('sleep 0.3; exit 7') });
      await engine.startContainer(id);
      assert.equal(await engine.waitContainer(id, AbortSignal.timeout(15_000)), 7);
      const details = await engine.inspectContainer(id);
      assert.equal(details.status, 'exited');
      assert.equal(details.running, false);
      assert.equal(details.exitCode, 7);
      assert.ok(details.startedAt && details.finishedAt && details.finishedAt >= details.startedAt);
      assert.equal(await engine.waitContainer(id), 7, 'wait on an exited container answers at once');
    });

    it('streams die events with exit codes for labelled containers', async () => {
      const abort = new AbortController();
      const events = await engine.containerEvents({ labels: runLabels, signal: abort.signal });
      const id = await create({ command: sh('sleep 0.3; exit 5') });
      await engine.startContainer(id);
      let died: { exitCode?: number } | undefined;
      for await (const event of events) {
        if (event.id === id && event.action === 'die') {
          died = event;
          break;
        }
      }
      abort.abort();
      assert.equal(died?.exitCode, 5);
    });

    it('kills with a chosen signal', async () => {
      const id = await create({ command: ['/bin/sleep', '300'] });
      await engine.startContainer(id);
      await engine.killContainer(id, 'SIGINT');
      assert.equal(await engine.waitContainer(id, AbortSignal.timeout(15_000)), 130);
      await assert.rejects(engine.killContainer(id), (e: unknown) => e instanceof EngineError && e.code === 'Conflict');
    });

    it('passes env, entrypoint, command and extra hosts', async () => {
      const id = await create({
        entrypoint: ['/bin/sh', '-c'],
        command: ['echo "FOO=$FOO"; cat /etc/hosts'],
        env: { FOO: 'bar baz' },
        extraHosts: [{ host: 'registry.dockyard.test', ip: '10.1.2.3' }],
      });
      await engine.startContainer(id);
      await exited(id);
      const out = text(await collect(engine.logs(id)), 'stdout');
      assert.ok(out.includes('FOO=bar baz'), out.join('\n'));
      assert.ok(
        out.some((l) => /^10\.1\.2\.3\s+registry\.dockyard\.test$/.test(l)),
        out.join('\n'),
      );
    });

    it('demultiplexes logs: stdout vs stderr, multi-line output, partial lines, UTF-8, timestamps', async () => {
      const id = await create({
        command: sh(
          'echo out1; echo err1 >&2; printf "part"; sleep 0.2; echo "ial"; printf "a\\nb\\nc\\n"; echo "héllo ✓"; printf "e1\\ne2\\n" >&2; printf "no newline"',
        ),
      });
      const before = Date.now();
      await engine.startContainer(id);
      await exited(id);
      const lines = await collect(engine.logs(id, { timestamps: true }));
      assert.deepEqual(text(lines, 'stdout'), ['out1', 'partial', 'a', 'b', 'c', 'héllo ✓', 'no newline']);
      assert.deepEqual(text(lines, 'stderr'), ['err1', 'e1', 'e2']);
      for (const line of lines) {
        assert.ok(line.time, `a time for ${line.line}`);
        assert.ok(
          Math.abs(line.time.getTime() - before) < 60_000,
          `time of ${line.line} is ${line.time.toISOString()}`,
        );
      }
      const plain = await collect(engine.logs(id));
      assert.equal(plain[0]?.time, undefined);
      assert.equal((await collect(engine.logs(id, { tail: 1 }))).length, 1);
    });

    it('follows logs until the container exits', async () => {
      const id = await create({ command: sh('i=0; while [ $i -lt 4 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done') });
      await engine.startContainer(id);
      const lines = await collect(engine.logs(id, { follow: true, signal: AbortSignal.timeout(20_000) }));
      assert.deepEqual(text(lines, 'stdout'), ['tick 0', 'tick 1', 'tick 2', 'tick 3']);
    });

    it('stops following on break and on abort', async () => {
      const id = await create({ command: sh('i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done') });
      await engine.startContainer(id);
      const seen: string[] = [];
      for await (const line of engine.logs(id, { follow: true, signal: AbortSignal.timeout(20_000) })) {
        seen.push(line.line);
        if (seen.length === 3) break;
      }
      assert.deepEqual(seen, ['tick 0', 'tick 1', 'tick 2']);
      const controller = new AbortController();
      let received = 0;
      await assert.rejects(
        (async () => {
          for await (const _line of engine.logs(id, { follow: true, signal: controller.signal })) {
            if (++received === 2) controller.abort();
          }
        })(),
        (e: unknown) => e instanceof Error && e.name === 'AbortError',
      );
      await engine.removeContainer(id, { force: true });
    });

    it('lists containers in every state by label, for adoption after a crash', async () => {
      const group = randomUUID().slice(0, 8);
      const idle = await create({ command: ['/bin/sleep', '300'], labels: { 'dockyard.test.group': group } });
      const done = await create({ command: sh('exit 0'), labels: { 'dockyard.test.group': group } });
      await engine.startContainer(done);
      await exited(done);
      const listed = await engine.listContainers({
        labels: { 'dockyard.test.run': run, 'dockyard.test.group': group },
      });
      assert.deepEqual(listed.map((c) => c.id).sort(), [idle, done].sort());
      const byId = new Map(listed.map((c) => [c.id, c]));
      assert.equal(byId.get(idle)?.status, 'created');
      assert.equal(byId.get(done)?.status, 'exited');
      assert.equal(byId.get(idle)?.labels['dockyard.test.group'], group);
      assert.match(byId.get(idle)?.name ?? '', new RegExp(`^dockyard-test-${run}-`));
      assert.ok((byId.get(idle)?.createdAt.getTime() ?? 0) > Date.now() - 60_000);
      assert.equal(
        (await engine.listContainers({ labels: { 'dockyard.test.group': true, 'dockyard.test.run': run } })).length >=
          2,
        true,
      );
      assert.deepEqual(await engine.listContainers({ labels: { 'dockyard.test.group': 'no-such-group' } }), []);
    });

    it('publishes a container port on 127.0.0.1 and reports the binding', async () => {
      const hostPort = await freePort();
      const id = await create({
        command: perlServer(8080),
        ports: [{ containerPort: 8080, hostIp: '127.0.0.1', hostPort }],
      });
      await engine.startContainer(id);
      const details = await engine.inspectContainer(id);
      assert.deepEqual(details.ports, [{ containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort }]);
      assert.equal(await waitFor('the published port to answer', () => httpGet('127.0.0.1', hostPort)), 'hello');
      await engine.removeContainer(id, { force: true });
    });

    it('runs on the host network when asked', async () => {
      const port = await freePort();
      const id = await create({ command: perlServer(port), network: 'host' });
      await engine.startContainer(id);
      assert.equal(await waitFor('the host-network server to answer', () => httpGet('127.0.0.1', port)), 'hello');
      assert.equal((await engine.inspectContainer(id)).ipAddress, undefined);
      await engine.removeContainer(id, { force: true });
    });

    it('runs exec commands and reports their exit codes and output', async () => {
      const id = await create({ command: ['/bin/sleep', '300'] });
      await engine.startContainer(id);
      const ok = await engine.exec(id, ['/bin/sh', '-c', 'exit 0']);
      assert.deepEqual(ok, { exitCode: 0, output: '' });
      const failing = await engine.exec(id, ['/bin/sh', '-c', 'echo hi; echo oops >&2; exit 4'], { env: { X: 'y' } });
      assert.equal(failing.exitCode, 4);
      assert.match(failing.output, /hi\n/);
      assert.match(failing.output, /oops\n/);
      const env = await engine.exec(id, ['/bin/sh', '-c', 'echo "$X"'], { env: { X: 'from-exec' } });
      assert.equal(env.output.trim(), 'from-exec');
      const missing = await engine.exec(id, ['/no/such/binary']).then(
        (r) => r.exitCode,
        (e: unknown) => e,
      );
      assert.ok(
        missing instanceof EngineError || (typeof missing === 'number' && missing !== 0),
        `a missing binary fails: ${String(missing)}`,
      );
      await assert.rejects(
        engine.exec(id, ['/bin/sleep', '30'], { signal: AbortSignal.timeout(200) }),
        (e: unknown) => e instanceof Error && /Abort|Timeout/.test(e.name),
      );
      await engine.removeContainer(id, { force: true });
    });

    it('applies memory and CPU limits', async () => {
      const id = await create({
        memoryBytes: 64 * 1024 * 1024,
        cpus: 0.5,
        command: sh(
          'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us',
        ),
      });
      await engine.startContainer(id);
      await exited(id);
      const out = text(await collect(engine.logs(id)), 'stdout');
      assert.equal(out[0], String(64 * 1024 * 1024));
      assert.match(out[1] ?? '', /^50000\b/);
    });

    it('accepts an engine health check (the status is at least reported)', async () => {
      const id = await create({
        command: ['/bin/sleep', '300'],
        healthcheck: {
          test: ['CMD-SHELL', 'exit 0'],
          intervalSeconds: 1,
          timeoutSeconds: 1,
          retries: 2,
          startPeriodSeconds: 0,
        },
      });
      await engine.startContainer(id);
      // Docker runs it (→ healthy); Podman without systemd never schedules it (stays starting).
      const health = (await engine.inspectContainer(id)).health;
      assert.ok(health && ['starting', 'healthy'].includes(health.status), JSON.stringify(health));
      await engine.removeContainer(id, { force: true });
    });

    it('reports the image id (and the registry digest when there is one)', async () => {
      const digest = await engine.imageDigest(image);
      assert.match(digest.id, /^(sha256:)?[0-9a-f]{64}$/);
      if (digest.digest !== undefined) assert.match(digest.digest, /^sha256:[0-9a-f]{64}$/);
    });

    it('rejects a failed pull with the engine message', async () => {
      const error = await engine.pullImage('localhost:1/none:x', { signal: AbortSignal.timeout(30_000) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof EngineError, `rejected with an EngineError, got ${String(error)}`);
      assert.equal(error.code, 'PullFailed');
      assert.ok(error.engineMessage.length > 0);
      assert.match(error.message, /localhost:1/);
    });

    it('answers NotFound for missing containers and images', async () => {
      const missing = `dockyard-test-${run}-missing`;
      const notFound = (e: unknown) =>
        isNotFound(e) && e instanceof EngineError && e.status === 404 && e.engineMessage.length > 0;
      await assert.rejects(engine.inspectContainer(missing), notFound);
      await assert.rejects(engine.startContainer(missing), notFound);
      await assert.rejects(engine.stopContainer(missing, 1), notFound);
      await assert.rejects(engine.killContainer(missing), notFound);
      await assert.rejects(engine.removeContainer(missing, { force: true }), notFound);
      await assert.rejects(engine.waitContainer(missing), notFound);
      await assert.rejects(collect(engine.logs(missing)), notFound);
      await assert.rejects(engine.exec(missing, ['/bin/sh']), notFound);
      await assert.rejects(engine.imageDigest(`localhost/dockyard-test/absent:${run}`), notFound);
      await assert.rejects(engine.removeImage(`localhost/dockyard-test/absent:${run}`), notFound);
      await assert.rejects(
        engine.createContainer({ name: missing, image: `localhost/dockyard-test/absent:${run}`, command: ['/bin/sh'] }),
        notFound,
      );
    });

    it('refuses a duplicate name and removing a running container without force', async () => {
      const id = await create({ command: ['/bin/sleep', '300'] });
      const { name } = await engine.inspectContainer(id);
      await assert.rejects(
        engine.createContainer({ name, image, command: ['/bin/sh'], labels: runLabels }),
        (e: unknown) => e instanceof EngineError && e.code === 'Conflict',
      );
      await engine.startContainer(id);
      await assert.rejects(
        engine.removeContainer(id),
        (e: unknown) => e instanceof EngineError && e.code === 'Conflict',
      );
      await engine.removeContainer(id, { force: true });
      await assert.rejects(engine.inspectContainer(id), isNotFound);
      assert.ok(!(await engine.listContainers({ labels: { 'dockyard.test.run': run } })).some((c) => c.id === id));
    });
  });
}
