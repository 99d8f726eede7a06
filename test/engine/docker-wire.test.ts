/**
 * Unit tests of the Docker Engine API driver's pure parts: endpoint discovery, API version
 * choice, image references, registry auth, the create body and the inspect mappings.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockerApiEngine, chooseApiVersion } from '../../src/engine/docker-api.js';
import {
  fromImageInspect,
  fromInspect,
  fromSummary,
  registryAuthHeader,
  splitImageRef,
  toCreateBody,
} from '../../src/engine/docker-wire.js';
import { discoverEndpoint, parseEndpoint } from '../../src/engine/endpoint.js';
import { EngineError, codeForStatus } from '../../src/engine/errors.js';

const nothing = () => false;

describe('endpoint discovery', () => {
  it('prefers the explicit endpoint, then DOCKER_HOST', () => {
    assert.deepEqual(
      discoverEndpoint({ explicit: '/tmp/e.sock', env: { DOCKER_HOST: 'unix:///x.sock' }, exists: nothing }),
      { kind: 'unix', socketPath: '/tmp/e.sock' },
    );
    assert.deepEqual(discoverEndpoint({ env: { DOCKER_HOST: 'unix:///x.sock' }, exists: nothing }), {
      kind: 'unix',
      socketPath: '/x.sock',
    });
    assert.deepEqual(discoverEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, exists: nothing }), {
      kind: 'tcp',
      host: '127.0.0.1',
      port: 2375,
    });
    assert.deepEqual(parseEndpoint('tcp://[::1]'), { kind: 'tcp', host: '::1', port: 2375 });
  });

  it('tries Podman root, Docker, then rootless Podman sockets in order', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    const only = (path: string) => (p: string) => p === path;
    assert.deepEqual(discoverEndpoint({ env, exists: () => true }), {
      kind: 'unix',
      socketPath: '/run/podman/podman.sock',
    });
    assert.deepEqual(discoverEndpoint({ env, exists: only('/var/run/docker.sock') }), {
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
    });
    assert.deepEqual(discoverEndpoint({ env, exists: only('/run/user/1000/podman/podman.sock') }), {
      kind: 'unix',
      socketPath: '/run/user/1000/podman/podman.sock',
    });
  });

  it('fails loudly when nothing is found or the endpoint cannot be spoken to', () => {
    assert.throws(
      () => discoverEndpoint({ env: {}, exists: nothing }),
      (e: unknown) => e instanceof EngineError && e.code === 'Unavailable' && /podman\.sock/.test(e.message),
    );
    assert.throws(
      () => parseEndpoint('ssh://me@host'),
      (e: unknown) => e instanceof EngineError && e.code === 'Unsupported',
    );
    assert.throws(
      () => discoverEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1' } }),
      (e: unknown) => e instanceof EngineError && e.code === 'Unsupported',
    );
  });

  it('reports an engine that does not answer as Unavailable, naming the socket', async () => {
    const engine = new DockerApiEngine({ endpoint: 'unix:///nonexistent/dockyard-engine.sock' });
    await assert.rejects(
      engine.ping(),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === 'Unavailable' &&
        e.status === 0 &&
        e.message.includes('unix:///nonexistent/dockyard-engine.sock'),
    );
    await engine.close();
  });
});

describe('API version choice', () => {
  it('speaks 1.41 unless the engine refuses it', () => {
    assert.equal(chooseApiVersion({ min: '1.24', max: '1.41' }), '1.41'); // Podman 4.3
    assert.equal(chooseApiVersion({ min: '1.24', max: '1.49' }), '1.41'); // Docker 28
    assert.equal(chooseApiVersion({ min: '1.44', max: '1.52' }), '1.44'); // Docker 29
    assert.equal(chooseApiVersion({}), '1.41');
    assert.throws(() => chooseApiVersion({ max: '1.40' }), EngineError);
  });
});

describe('image references and registry auth', () => {
  it('splits references as the Docker CLI sends a pull', () => {
    assert.deepEqual(splitImageRef('localhost:4566/app:v1'), { name: 'localhost:4566/app', tag: 'v1' });
    assert.deepEqual(splitImageRef('localhost:4566/app'), { name: 'localhost:4566/app', tag: 'latest' });
    assert.deepEqual(splitImageRef('000000000000.dkr.ecr.us-east-1.localhost:4566/a/b@sha256:abc'), {
      name: '000000000000.dkr.ecr.us-east-1.localhost:4566/a/b',
      tag: 'sha256:abc',
    });
  });

  it('encodes X-Registry-Auth as padded base64url JSON', () => {
    const header = registryAuthHeader({ username: 'AWS', password: 'p?>~', serveraddress: 'localhost:4566' });
    assert.doesNotMatch(header, /[+/]/);
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), {
      username: 'AWS',
      password: 'p?>~',
      serveraddress: 'localhost:4566',
    });
  });
});

describe('create body', () => {
  it('maps the spec, with an init by default and no ulimits', () => {
    const body = toCreateBody({
      name: 'n',
      image: 'img',
      env: { A: '1' },
      command: ['run'],
      ports: [
        { containerPort: 80, hostIp: '127.0.0.2', hostPort: 80 },
        { containerPort: 53, protocol: 'udp' },
      ],
      healthcheck: {
        test: ['CMD-SHELL', 'true'],
        intervalSeconds: 5,
        timeoutSeconds: 2,
        retries: 3,
        startPeriodSeconds: 0.5,
      },
      stopTimeoutSeconds: 30,
      cpus: 0.25,
      extraHosts: [{ host: 'h', ip: '10.0.0.1' }],
    });
    assert.equal(body.HostConfig.Init, true);
    assert.deepEqual(body.Env, ['A=1']);
    assert.deepEqual(body.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(body.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.2', HostPort: '80' }],
      '53/udp': [{ HostIp: '', HostPort: '' }],
    });
    assert.deepEqual(body.Healthcheck, {
      Test: ['CMD-SHELL', 'true'],
      Interval: 5e9,
      Timeout: 2e9,
      Retries: 3,
      StartPeriod: 5e8,
    });
    assert.equal(body.StopTimeout, 30);
    assert.equal(body.HostConfig.NanoCpus, 250_000_000);
    assert.deepEqual(body.HostConfig.ExtraHosts, ['h:10.0.0.1']);
    assert.ok(!('Ulimits' in body.HostConfig));
    assert.equal(toCreateBody({ name: 'n', image: 'i', init: false }).HostConfig.Init, false);
  });
});

describe('inspect mapping', () => {
  it('reads Podman-style answers: zero times, the `podman` network, exit codes only once exited', () => {
    const created = fromInspect({
      Id: 'c1',
      Name: '/task-1',
      Image: 'sha256:1',
      Config: { Image: 'img', Labels: null },
      State: {
        Status: 'created',
        Running: false,
        ExitCode: 0,
        StartedAt: '0001-01-01T00:00:00Z',
        FinishedAt: '0001-01-01T00:00:00Z',
      },
      NetworkSettings: { IPAddress: '', Ports: { '80/tcp': null }, Networks: { podman: { IPAddress: '' } } },
    });
    assert.equal(created.name, 'task-1');
    assert.equal(created.exitCode, undefined);
    assert.equal(created.startedAt, undefined);
    assert.equal(created.ipAddress, undefined);
    assert.deepEqual(created.labels, {});
    assert.deepEqual(created.ports, []);
    const exited = fromInspect({
      Id: 'c1',
      State: {
        Status: 'exited',
        ExitCode: 137,
        OOMKilled: true,
        StartedAt: '2026-11-25T18:00:37.042123456Z',
        FinishedAt: '2026-11-25T18:00:38.5Z',
        Health: { Status: 'unhealthy', FailingStreak: 3 },
      },
      NetworkSettings: {
        Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
        Networks: { bridge: { IPAddress: '172.17.0.2' } },
      },
    });
    assert.equal(exited.exitCode, 137);
    assert.equal(exited.oomKilled, true);
    assert.equal(exited.startedAt?.toISOString(), '2026-11-25T18:00:37.042Z');
    assert.equal(exited.finishedAt?.toISOString(), '2026-11-25T18:00:38.500Z');
    assert.equal(exited.ipAddress, '172.17.0.2');
    assert.deepEqual(exited.ports, [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }]);
    assert.deepEqual(exited.health, { status: 'unhealthy', failingStreak: 3 });
    assert.equal(fromSummary({ Id: 'x', Names: ['/a'], State: 'stopped', Created: 1 }).status, 'exited');
  });

  it("reads a prepared container's pid, gateway and process (Podman's init), and maps binds", () => {
    const prepared = fromInspect({
      Id: 'c2',
      Path: '/run/podman-init',
      Args: ['--', '/bin/app', 'serve'],
      Config: { Env: ['HOME=/root', 'PATH=/usr/bin:/bin'], WorkingDir: '' },
      State: { Status: 'created', Pid: 4242 },
      NetworkSettings: { Networks: { podman: { IPAddress: '10.88.0.7', Gateway: '10.88.0.1' } } },
    });
    assert.equal(prepared.pid, 4242);
    assert.equal(prepared.gateway, '10.88.0.1');
    assert.deepEqual(prepared.process, {
      argv: ['/run/podman-init', '--', '/bin/app', 'serve'],
      path: '/usr/bin:/bin',
      workingDir: '/',
    });
    assert.equal(fromInspect({ Id: 'c3', State: { Status: 'exited', Pid: 0 } }).pid, undefined);
    const body = toCreateBody({
      name: 'n',
      image: 'i',
      binds: [{ source: '/host/ca.crt', target: '/etc/dockyard/ca-bundle.crt', readOnly: true }],
    });
    assert.deepEqual(body.HostConfig.Binds, ['/host/ca.crt:/etc/dockyard/ca-bundle.crt:ro']);
  });

  it('maps statuses and Podman 500 messages to error codes', () => {
    assert.equal(codeForStatus(404, ''), 'NotFound');
    assert.equal(codeForStatus(409, ''), 'Conflict');
    assert.equal(codeForStatus(500, 'the container name "x" is already in use by abc'), 'Conflict');
    assert.equal(
      codeForStatus(500, 'can only kill running containers. x is in state exited: container state improper'),
      'Conflict',
    );
    assert.equal(codeForStatus(500, 'disk full'), 'EngineFailure');
  });
});

describe('image inspection', () => {
  it('reads labels from Config (inspect) or the row (list), and Created as text or seconds', () => {
    const inspected = fromImageInspect({
      Id: 'sha256:a',
      RepoTags: ['localhost/dockyard/runner:1'],
      Created: '2025-05-01T10:00:00.123456789Z',
      Size: 585_370_861,
      Config: { Labels: { 'dockyard.runner-image.recipe': '1' } },
    });
    assert.deepEqual(inspected, {
      id: 'sha256:a',
      tags: ['localhost/dockyard/runner:1'],
      labels: { 'dockyard.runner-image.recipe': '1' },
      sizeBytes: 585_370_861,
      createdAt: new Date('2025-05-01T10:00:00.123Z'),
    });
    const listed = fromImageInspect({
      Id: 'sha256:b',
      RepoTags: null,
      Created: 1746093600,
      Size: 7,
      Labels: { k: 'v' },
    });
    assert.deepEqual(listed, {
      id: 'sha256:b',
      tags: [],
      labels: { k: 'v' },
      sizeBytes: 7,
      createdAt: new Date(1746093600 * 1000),
    });
    assert.deepEqual(fromImageInspect({ Id: 'sha256:c', Config: { Labels: null } }), {
      id: 'sha256:c',
      tags: [],
      labels: {},
      sizeBytes: 0,
    });
  });
});
