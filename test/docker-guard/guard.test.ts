/**
 * The Docker API guard against this machine's engine, driven by the real docker CLI through
 * the guard's socket: a job's build, run (detached, attached, with stdin), exec, logs, ps,
 * inspect, stop and rm work; each way out of the job is refused with its message; objects the
 * job did not create are out of reach; garbage and oversized input get clear answers; close()
 * leaves nothing of the job, and the start-up sweep removes what dead jobs left.
 *
 * The job sees its workspace at /github/workspace (a temp directory on the host), as a job in a
 * container would. The base image is the offline tiny image, imported directly into the engine
 * as the runner's images are (so it is not the job's).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerGuard, sweepOrphanedJobObjects, type DockerGuard } from '../../src/docker-guard/guard.js';
import { DockerApiEngine } from '../../src/engine/docker-api.js';
import { buildTinyImageTar, TINY_IMAGE_CHANGES, tinyHttpServerScript } from '../../src/images/tiny-image.js';
import { httpGet } from '../engine/contract-suite.js';
import { listImageNames, removeImages } from '../support/engine-cleanup.js';
import { run, runOk, type RunResult } from '../support/run.js';
import { waitFor } from '../support/wait-for.js';

const ENGINE = 'unix:///run/podman/podman.sock';
const JOB_LABEL = 'dockyard.job';
const CLOUD_LABEL = 'dockyard.cloud';

/** A raw request to a unix socket; the body is read whole. */
export function socketRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { Host: 'docker', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes raw bytes to a unix socket and collects everything until the server closes it. A
 * connection still open after 20 s counts as closed (a server waiting for more is a failure the
 * caller's assertions see, not a hang).
 */
function rawExchange(socketPath: string, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy());
    socket.write(bytes);
  });
}

describe('docker API guard with the docker CLI', () => {
  const tag = randomBytes(4).toString('hex');
  const base = mkdtempSync(join(tmpdir(), 'dockyard-guard-'));
  const workspace = join(base, 'workspace');
  const socketDir = join(base, 'sock');
  const socketPath = join(socketDir, 'docker.sock');
  const jobId = `guard-test-${tag}`;
  const cloud = `guard-test-cloud-${tag}`;
  const baseImage = `localhost/dockyard-guard-base-${tag}:1`;
  const built = `localhost/dockyard-guard-app-${tag}:1`;
  const engine = new DockerApiEngine({ endpoint: ENGINE });
  const foreign = `dockyard-guard-foreign-${tag}`;
  const foreignNetwork = `dockyard-guard-foreign-net-${tag}`;
  let guard: DockerGuard;

  const env = () => ({ DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(base, 'docker-config') });
  const docker = (args: string[], input?: string): Promise<RunResult> =>
    run('docker', args, { env: env(), cwd: workspace, input });
  const dockerOk = (args: string[], input?: string): Promise<RunResult> =>
    runOk('docker', args, { env: env(), cwd: workspace, input });
  /** Runs a docker command that must fail with the guard's message matching `pattern`. */
  async function refusedCli(args: string[], pattern: RegExp): Promise<void> {
    const result = await docker(args);
    assert.notEqual(result.status, 0, `docker ${args.join(' ')} should fail`);
    assert.match(result.stderr, /Error response from daemon: dockyard: /, `docker ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }

  before(async () => {
    mkdirSync(join(workspace, 'data'), { recursive: true });
    mkdirSync(socketDir, { mode: 0o700 });
    writeFileSync(join(workspace, 'data', 'greeting.txt'), 'hello from the workspace\n');
    writeFileSync(
      join(workspace, 'Dockerfile'),
      `FROM ${baseImage}\nCOPY data/greeting.txt /greeting.txt\nCMD ["cat", "/greeting.txt"]\n`,
    );
    await engine.importImage(buildTinyImageTar(), baseImage, {
      changes: TINY_IMAGE_CHANGES,
      signal: AbortSignal.timeout(120_000),
    });
    // Someone else's container and network, straight on the engine.
    await engine.createContainer({
      name: foreign,
      image: baseImage,
      command: ['sleep', '300'],
      labels: { 'dockyard.test': tag },
    });
    await runOk('docker', ['network', 'create', '--label', `dockyard.test=${tag}`, foreignNetwork], {
      env: { DOCKER_HOST: ENGINE },
    });
    guard = await startDockerGuard({
      socketPath,
      engine: ENGINE,
      job: { labelKey: JOB_LABEL, id: jobId },
      labels: { [CLOUD_LABEL]: cloud },
      mounts: [{ hostPath: workspace, jobPath: '/github/workspace' }],
      removeImages: true,
    });
  });

  after(async () => {
    await guard.close().catch(() => undefined);
    await engine.removeContainer(foreign, { force: true }).catch(() => undefined);
    await run('docker', ['network', 'rm', foreignNetwork], { env: { DOCKER_HOST: ENGINE } });
    // By name, never by ID with force: another test's import of the same files may share the ID.
    await removeImages(built);
    await removeImages(baseImage.slice(0, baseImage.lastIndexOf(':')));
    await engine.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves its socket readable and writable by owner and group only', () => {
    assert.equal(statSync(socketPath).mode & 0o777, 0o660);
  });

  it('builds and tags an image from a Dockerfile, and runs it attached (hijacked) and with stdin', async () => {
    const build = await dockerOk(['build', '-t', built, '.']);
    assert.match(build.stdout + build.stderr, /Successfully tagged/);
    await dockerOk(['tag', built, `${built}-again`]);
    const attached = await dockerOk(['run', '--rm', built]);
    assert.equal(attached.stdout, 'hello from the workspace\n');
    const piped = await dockerOk(['run', '--rm', '-i', baseImage, 'cat'], 'through stdin\n');
    assert.equal(piped.stdout, 'through stdin\n');
    const exitCode = await docker(['run', '--rm', baseImage, 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    assert.equal(exitCode.status, 3);
    assert.match(exitCode.stderr, /to-stderr/);
  });

  it("reports only the build's own names when the built image also has others (Podman lists every name of the image)", async () => {
    const other = `localhost/dockyard-guard-other-${tag}:secret`;
    await runOk('docker', ['tag', built, other], { env: { DOCKER_HOST: ENGINE } });
    try {
      const rebuilt = await dockerOk(['build', '-t', `${built}-rebuilt`, '.']);
      const output = rebuilt.stdout + rebuilt.stderr;
      assert.match(output, new RegExp(`Successfully tagged \\S*dockyard-guard-app-${tag}:1-rebuilt`));
      assert.doesNotMatch(output, /dockyard-guard-other/);
    } finally {
      await run('docker', ['rmi', other], { env: { DOCKER_HOST: ENGINE } });
      await run('docker', ['rmi', `${built}-rebuilt`], { env: { DOCKER_HOST: ENGINE } });
    }
  });

  it('runs a detached server with a published port and a workspace bind mount; logs, exec, ps, inspect, stop, rm', async () => {
    const name = `dockyard-guard-web-${tag}`;
    await dockerOk([
      'run',
      '-d',
      '--name',
      name,
      '-p',
      '127.0.0.1::8080',
      '-v',
      '/github/workspace/data:/data:ro',
      '-v',
      '/scratch',
      baseImage,
      'perl',
      '-e',
      tinyHttpServerScript(8080, 'served'),
    ]);
    const port = Number((await dockerOk(['port', name, '8080'])).stdout.trim().split(':').pop());
    assert.equal(
      await waitFor('the published port', () => httpGet('127.0.0.1', port), { timeoutMs: 30_000 }),
      'served',
    );
    assert.match((await dockerOk(['logs', name])).stdout, /listening/);
    assert.equal((await dockerOk(['exec', name, 'cat', '/data/greeting.txt'])).stdout, 'hello from the workspace\n');
    assert.equal((await dockerOk(['exec', '-i', name, 'cat'], 'exec stdin\n')).stdout, 'exec stdin\n');
    await dockerOk(['exec', '-d', name, 'sh', '-c', 'echo detached > /tmp/detached.txt']);
    assert.equal(
      await waitFor(
        'the detached exec',
        async () => (await docker(['exec', name, 'cat', '/tmp/detached.txt'])).stdout || undefined,
      ),
      'detached\n',
    );
    writeFileSync(join(base, 'copied-in.txt'), 'copied\n');
    await dockerOk(['cp', join(base, 'copied-in.txt'), `${name}:/tmp/copied.txt`]);
    assert.equal((await dockerOk(['exec', name, 'cat', '/tmp/copied.txt'])).stdout, 'copied\n');
    assert.match((await dockerOk(['cp', `${name}:/tmp/copied.txt`, '-'])).stdout, /copied\n/, 'a tar holding the file');
    const ps = (await dockerOk(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
    assert.deepEqual(ps, [name], "ps lists only the job's containers");
    const labels = JSON.parse((await dockerOk(['inspect', '-f', '{{json .Config.Labels}}', name])).stdout) as Record<
      string,
      string
    >;
    assert.equal(labels[JOB_LABEL], jobId);
    assert.equal(labels[CLOUD_LABEL], cloud);
    const binds = (await dockerOk(['inspect', '-f', '{{json .HostConfig.Binds}}', name])).stdout;
    assert.match(binds, new RegExp(`${join(workspace, 'data')}:/data:ro`), 'the job path was mapped to the host');
    const anonymous = (
      await dockerOk(['inspect', '-f', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{end}}{{end}}', name])
    ).stdout.trim();
    assert.notEqual(anonymous, '');
    await dockerOk(['stop', '-t', '1', name]);
    await dockerOk(['rm', name]);
    const volume = await run('docker', ['volume', 'inspect', anonymous], { env: { DOCKER_HOST: ENGINE } });
    assert.notEqual(
      volume.status,
      0,
      'the anonymous volume went with its container (the job could not reach it any more)',
    );
    assert.deepEqual((await dockerOk(['ps', '-a', '-q'])).stdout.trim(), '');
  });

  it("streams logs -f until the container ends, and events of the job's containers only", async () => {
    const events = spawn('docker', ['events', '--format', '{{.Actor.Attributes.name}} {{.Action}}'], {
      env: { ...process.env, ...env() },
    });
    let seen = '';
    events.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      // The stream is open once the CLI got its headers; a first event of ours proves it.
      const first = `dockyard-guard-ev1-${tag}`;
      await waitFor(
        'the event stream',
        async () => {
          await docker(['rm', '-f', first]);
          await dockerOk(['create', '--name', first, baseImage, 'sh', '-c', 'exit 0']);
          return seen.includes(`${first} create`) ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );
      // Someone else's container starts first, then ours: had the foreign one passed, it would come before ours.
      await engine.startContainer(foreign);
      const name = `dockyard-guard-logs-${tag}`;
      await dockerOk(['run', '-d', '--name', name, baseImage, 'sh', '-c', 'echo one; sleep 1; echo two']);
      const followed = await dockerOk(['logs', '-f', name]);
      assert.equal(followed.stdout, 'one\ntwo\n');
      await waitFor('our start event', async () => (seen.includes(`${name} start`) ? true : undefined), {
        timeoutMs: 30_000,
      });
      assert.doesNotMatch(seen, /dockyard-guard-foreign-/);
      await dockerOk(['rm', name, first]);
    } finally {
      events.kill();
      await engine.stopContainer(foreign, 0).catch(() => undefined);
    }
  });

  it('refuses each way out of the job, saying what and why', async () => {
    const runArgs = (...flags: string[]) => ['run', '--rm', ...flags, baseImage, 'true'];
    await refusedCli(
      runArgs('--privileged'),
      /privileged containers \(--privileged\) are not allowed in workflow jobs/,
    );
    await refusedCli(
      runArgs('-v', '/:/host'),
      /bind mount \/: only paths inside the job's directories \(\/github\/workspace\)/,
    );
    await refusedCli(runArgs('-v', '/run/podman/podman.sock:/s'), /the container engine's socket cannot be mounted/);
    await refusedCli(runArgs('--pid=host'), /--pid=host/);
    await refusedCli(runArgs('--network=host'), /the host's network \(--network=host\)/);
    await refusedCli(runArgs('--cap-add', 'SYS_ADMIN'), /adding capabilities \(--cap-add CAP_SYS_ADMIN\)/);
    await refusedCli(runArgs('--device', '/dev/null'), /access to host devices/);
    await refusedCli(
      runArgs('--security-opt', 'seccomp=unconfined'),
      /--security-opt seccomp=unconfined is not allowed/,
    );
    await refusedCli(runArgs('-v', '/github/workspace/../..:/up'), /only paths inside the job's directories/);
    await refusedCli(['build', '--network=host', '.'], /building on the host's network/);
    await refusedCli(
      ['exec', '--privileged', foreign, 'true'],
      /container dockyard-guard-foreign-.* was not created by this job/,
    );
  });

  it('keeps the job away from containers, networks and images it did not create', async () => {
    const notOurs =
      /container dockyard-guard-foreign-\w+ was not created by this job; a workflow job can only use its own containers/;
    await refusedCli(['inspect', foreign], notOurs);
    await refusedCli(['rm', '-f', foreign], notOurs);
    await refusedCli(['exec', foreign, 'true'], notOurs);
    await refusedCli(['logs', foreign], notOurs);
    await refusedCli(['run', '--rm', '--volumes-from', foreign, baseImage, 'true'], notOurs);
    await refusedCli(['rmi', baseImage], /the image was not built, pulled or tagged by this job/);
    await refusedCli(
      ['network', 'connect', foreignNetwork, foreign],
      /network dockyard-guard-foreign-net-\w+ was not created by this job/,
    );
    await refusedCli(
      ['run', '--rm', '--network', foreignNetwork, baseImage, 'true'],
      /network dockyard-guard-foreign-net-\w+ was not created by this job/,
    );
    // The foreign container is still there, untouched.
    assert.equal((await engine.inspectContainer(foreign)).labels[JOB_LABEL], undefined);
    // The job's own network works as on Docker.
    const net = `dockyard-guard-net-${tag}`;
    await dockerOk(['network', 'create', net]);
    const onNet = await dockerOk(['run', '--rm', '--network', net, baseImage, 'sh', '-c', 'echo on-net']);
    assert.equal(onNet.stdout, 'on-net\n');
    assert.deepEqual(
      (await dockerOk(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean).sort(),
      ['bridge', net].sort(),
    );
    // Its own images go: the tag it gave, and what it built.
    await dockerOk(['rmi', `${built}-again`]);
  });

  it('refuses the libpod API and unlisted endpoints, naming them', async () => {
    const libpod = await socketRequest(socketPath, 'GET', '/v4.3.1/libpod/containers/json');
    assert.equal(libpod.status, 403);
    assert.deepEqual(JSON.parse(libpod.body), {
      message:
        "dockyard: GET /libpod/containers/json is not allowed: Podman's own API (/libpod) is not available in workflow jobs; use the Docker API",
    });
    const swarm = await socketRequest(socketPath, 'POST', '/v1.41/swarm/init', '{}', {
      'Content-Type': 'application/json',
    });
    assert.equal(swarm.status, 403);
    assert.match(swarm.body, /swarm mode is not available/);
  });

  it('answers garbage, bad JSON and oversized bodies clearly, and keeps serving', async () => {
    const garbage = await rawExchange(
      socketPath,
      Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(' nonsense \r\n\r\n')]),
    );
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    const badJson = await socketRequest(socketPath, 'POST', '/v1.41/containers/create', '{"Image": ', {
      'Content-Type': 'application/json',
    });
    assert.equal(badJson.status, 400);
    assert.match(
      JSON.parse(badJson.body).message as string,
      /^dockyard: container create: the request body is not valid JSON/,
    );
    const huge = await socketRequest(
      socketPath,
      'POST',
      '/v1.41/containers/create',
      Buffer.alloc(2 * 1024 * 1024, 0x20),
      { 'Content-Type': 'application/json' },
    );
    assert.equal(huge.status, 413);
    const filters = await socketRequest(socketPath, 'GET', '/v1.41/containers/json?filters=%7Bnope');
    assert.equal(filters.status, 400);
    assert.match(filters.body, /the filters parameter is not valid JSON/);
    const lowercase = await socketRequest(
      socketPath,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: baseImage, hostconfig: { privileged: true } }),
      { 'Content-Type': 'application/json' },
    );
    assert.equal(lowercase.status, 403, 'the engine reads field names case-insensitively, and so does the guard');
    assert.match(lowercase.body, /privileged containers/);
    const wrongType = await socketRequest(
      socketPath,
      'POST',
      '/v1.41/containers/create',
      JSON.stringify({ Image: baseImage, HostConfig: { Binds: 'x' } }),
      { 'Content-Type': 'application/json' },
    );
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body, /HostConfig.Binds must be an array/);
    assert.equal((await socketRequest(socketPath, 'GET', '/_ping')).body, 'OK');
  });

  it('lets no second request ride on a hijack the engine did not upgrade', async () => {
    const name = `dockyard-guard-smuggle-${tag}`;
    await dockerOk(['run', '-d', '--name', name, baseImage, 'sleep', '300']);
    const exec = JSON.parse(
      (
        await socketRequest(socketPath, 'POST', `/v1.41/containers/${name}/exec`, JSON.stringify({ Cmd: ['sh'] }), {
          'Content-Type': 'application/json',
        })
      ).body,
    ) as { Id: string };
    await dockerOk(['stop', '-t', '0', name]);
    // The exec is the job's, so the start is forwarded; its container is gone, so the engine answers without upgrading.
    const smuggled = `dockyard-guard-smuggled-${tag}`;
    const create = JSON.stringify({ Image: baseImage, Cmd: ['sh'], HostConfig: { Privileged: true } });
    const startBody = '{"Detach":false,"Tty":false}';
    const raw = [
      `POST /v1.41/exec/${exec.Id}/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${startBody.length}\r\n\r\n${startBody}`,
      `POST /v1.41/containers/create?name=${smuggled} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: ${create.length}\r\n\r\n${create}`,
    ].join('');
    const answer = await rawExchange(socketPath, Buffer.from(raw));
    assert.doesNotMatch(answer, /^HTTP\/1\.1 101/);
    assert.equal((answer.match(/HTTP\/1\.1 /g) ?? []).length, 1, `one answer, then the connection closed: ${answer}`);
    await assert.rejects(engine.inspectContainer(smuggled), /no such container/i);
    await dockerOk(['rm', name]);
  });

  it('refuses a build context whose Dockerfile is a link to a host file', async () => {
    const context = join(base, 'evil-context');
    mkdirSync(context);
    writeFileSync(join(base, 'secret.json'), '{"secret": "must not leak"}\n');
    symlinkSync(join(base, 'secret.json'), join(context, 'Dockerfile'));
    const tar = execFileSync('tar', ['-C', context, '-cf', '-', '.']);
    const answer = await socketRequest(
      socketPath,
      'POST',
      `/v1.41/build?dockerfile=Dockerfile&t=${encodeURIComponent(`localhost/dockyard-guard-evil-${tag}`)}`,
      tar,
      { 'Content-Type': 'application/x-tar' },
    );
    assert.equal(answer.status, 403);
    assert.match(answer.body, /build context: Dockerfile leads out of the context through the link Dockerfile/);
    assert.doesNotMatch(answer.body, /must not leak/);
  });

  it('close() removes every container, network and volume of the job, and the socket', async () => {
    await dockerOk([
      'run',
      '-d',
      '--name',
      `dockyard-guard-left-${tag}`,
      '-v',
      `dockyard-guard-vol-${tag}:/v`,
      baseImage,
      'sleep',
      '300',
    ]);
    await dockerOk(['volume', 'create', `dockyard-guard-vol2-${tag}`]);
    // Open streams do not hold close() up: an event stream, and a container attached to.
    const streams = [
      spawn('docker', ['events'], { env: { ...process.env, ...env() } }),
      spawn('docker', ['run', '--rm', '-i', baseImage, 'cat'], { env: { ...process.env, ...env() } }),
    ];
    const ended = streams.map((child) => new Promise<void>((resolve) => child.on('close', () => resolve())));
    await waitFor(
      'the attached container',
      async () => ((await dockerOk(['ps', '-q'])).stdout.trim().split('\n').length === 2 ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const counts = await guard.close();
    await Promise.all(ended);
    // The attached --rm container may remove itself as its connection closes, before close() gets to it.
    assert.ok(counts.containers >= 1, `containers removed: ${counts.containers}`);
    assert.deepEqual({ networks: counts.networks, volumes: counts.volumes }, { networks: 1, volumes: 2 });
    const label = { [JOB_LABEL]: jobId };
    assert.deepEqual(await engine.listContainers({ labels: label }), []);
    const leftovers = await runOk('docker', ['network', 'ls', '-q', '--filter', `label=${JOB_LABEL}=${jobId}`], {
      env: { DOCKER_HOST: ENGINE },
    });
    assert.equal(leftovers.stdout.trim(), '');
    const volumes = await runOk('docker', ['volume', 'ls', '-q', '--filter', `label=${JOB_LABEL}=${jobId}`], {
      env: { DOCKER_HOST: ENGINE },
    });
    assert.equal(volumes.stdout.trim(), '');
    assert.equal(existsSync(socketPath), false);
    const images = { stdout: (await listImageNames(ENGINE)).join('\n') };
    assert.doesNotMatch(images.stdout, new RegExp(`dockyard-guard-app-${tag}`), 'removeImages took the built image');
    assert.match(images.stdout, new RegExp(`dockyard-guard-base-${tag}`), "the base image is not the job's");
  });

  it("sweeps what dead jobs of the cloud left, and keeps a live job's", async () => {
    const make = (job: string) =>
      engine.createContainer({
        name: `dockyard-guard-sweep-${job}-${tag}`,
        image: baseImage,
        command: ['sleep', '1'],
        labels: { [CLOUD_LABEL]: cloud, [JOB_LABEL]: `${job}-${tag}` },
      });
    const dead = await make('dead');
    const live = await make('live');
    try {
      const counts = await sweepOrphanedJobObjects({
        engine: ENGINE,
        cloudLabel: { key: CLOUD_LABEL, value: cloud },
        jobLabelKey: JOB_LABEL,
        isLive: (id) => id === `live-${tag}`,
        logger: { info() {}, warn() {}, error() {} },
      });
      assert.equal(counts.containers, 1);
      const ids = (await engine.listContainers({ labels: { [CLOUD_LABEL]: cloud } })).map((c) => c.id);
      assert.deepEqual(ids, [live]);
      assert.ok(!ids.includes(dead));
    } finally {
      await engine.removeContainer(live, { force: true }).catch(() => undefined);
      await engine.removeContainer(dead, { force: true }).catch(() => undefined);
    }
  });
});
