/**
 * dockyard's buildx plugin used the way a `run:` step uses it: the real docker CLI with the
 * plugin in its cli-plugins directory, DOCKER_HOST at the engine (Podman's socket), pushing to
 * a cloud's registry on any port. `docker build` forwarded to it, `buildx build --push/--load`,
 * metadata and iidfiles, builders, a linux/arm64 build under emulation (or the clear error on a
 * host without it), a multi-platform push as an image index, and imagetools inspect/create.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { exitZeroProgram } from '../../src/buildx/probe-binaries.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { DOCKER_HOST, ROOT } from '../actions/support.js';

const BUNDLE = resolve(ROOT, 'dist/buildx/docker-buildx.cjs');
const suffix = Math.random().toString(36).slice(2, 8);
const ARM64 = existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('docker buildx (dockyard plugin) from a shell', () => {
  let cloud: TestCloud;
  let home: string;
  let registry: string;
  const images: string[] = [];

  const docker = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> =>
    new Promise((done) => {
      execFile(
        'docker',
        args,
        {
          cwd: options.cwd ?? home,
          env: { PATH: process.env.PATH ?? '', HOME: home, DOCKER_HOST, ...options.env },
          maxBuffer: 16 * 1024 * 1024,
          timeout: 300_000,
        },
        (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  const ok = async (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) => {
    const run = await docker(args, options);
    assert.equal(run.code, 0, `docker ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
    return run;
  };
  const context = (files: Record<string, string | Buffer>) => {
    const dir = mkdtempSync(join(home, 'ctx-'));
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
      if (name === 'probe') chmodSync(join(dir, name), 0o755);
    }
    return dir;
  };

  before(async () => {
    cloud = await startTestCloud({ engine: true });
    registry = `localhost:${new URL(cloud.url).port}`;
    home = mkdtempSync(join(tmpdir(), 'dockyard-buildx-'));
    const plugins = join(home, '.docker', 'cli-plugins');
    mkdirSync(plugins, { recursive: true });
    writeFileSync(join(plugins, 'docker-buildx'), `#!/bin/sh\nexec ${process.execPath} ${BUNDLE} "$@"\n`);
    chmodSync(join(plugins, 'docker-buildx'), 0o755);
    const ecr = new ECRClient(sdkConfig(cloud));
    for (const name of ['app', 'multi', 'combined'])
      await ecr.send(new CreateRepositoryCommand({ repositoryName: `dx-${suffix}/${name}` }));
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    const password =
      Buffer.from(token.authorizationData?.[0]?.authorizationToken ?? '', 'base64')
        .toString()
        .split(':')[1] ?? '';
    await new Promise<void>((done, fail) => {
      const child = execFile(
        'docker',
        ['login', '-u', 'AWS', '--password-stdin', registry],
        { env: { PATH: process.env.PATH ?? '', HOME: home, DOCKER_HOST } },
        (error) => (error ? fail(error) : done()),
      );
      child.stdin?.end(password);
    });
  });
  after(async () => {
    for (const image of images) await docker(['rmi', '-f', image]);
    await cloud.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is a CLI plugin: docker buildx version, ls and inspect', async () => {
    const version = await ok(['buildx', 'version']);
    assert.match(version.stdout, /^github\.com\/docker\/buildx v0\.\d+\.\d+\+dockyard /);
    const ls = await ok(['buildx', 'ls']);
    assert.match(ls.stdout, /^NAME\/NODE\s+DRIVER\/ENDPOINT\s+STATUS\s+BUILDKIT\s+PLATFORMS/);
    assert.match(ls.stdout, /^default\*\s+docker/m);
    const inspect = await ok(['buildx', 'inspect', '--bootstrap']);
    assert.match(inspect.stdout, /^Driver:\s+docker$/m);
    assert.match(inspect.stdout, /^Platforms:\s+linux\/amd64/m);
    assert.equal(/linux\/arm64/.test(inspect.stdout), ARM64, 'arm64 is listed exactly when the host emulates it');
    const unknown = await docker(['buildx', 'bake']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /ERROR: "docker buildx bake" is not supported by dockyard's buildx/);
  });

  it('docker build goes through the plugin: build args, labels, target, a .dockerignore, --iidfile, and --provenance=false', async () => {
    const dir = context({
      Dockerfile:
        'FROM scratch AS base\nARG NOTE=none\nCOPY . /src/\nLABEL note=$NOTE\nFROM base AS final\nLABEL stage=final\n',
      'keep.txt': 'kept',
      'secret.env': 'no',
      '.dockerignore': '*.env\n',
    });
    const name = `localhost/dx-${suffix}/built:1`;
    images.push(name);
    await ok(
      [
        'build',
        '-t',
        name,
        '--build-arg',
        'NOTE=from-cli',
        '--label',
        'team=ci',
        '--target',
        'base',
        '--provenance',
        'false',
        '--iidfile',
        join(dir, '..', 'iid'),
        '.',
      ],
      { cwd: dir },
    );
    const labels = JSON.parse(
      (await ok(['image', 'inspect', name, '--format', '{{json .Config.Labels}}'])).stdout,
    ) as Record<string, string>;
    assert.equal(labels.note, 'from-cli');
    assert.equal(labels.team, 'ci');
    assert.equal(labels.stage, undefined, '--target stopped at the base stage');
    const id = (await ok(['image', 'inspect', name, '--format', '{{.Id}}'])).stdout.trim();
    assert.equal(readFileSync(join(dir, '..', 'iid'), 'utf8'), `sha256:${id.replace(/^sha256:/, '')}`);
    const container = `dx-${suffix}-files`;
    await ok(['create', '--name', container, name, '/none']);
    try {
      assert.equal((await docker(['cp', `${container}:/src/keep.txt`, join(dir, '..', 'kept')])).code, 0);
      assert.notEqual(
        (await docker(['cp', `${container}:/src/secret.env`, join(dir, '..', 'ignored')])).code,
        0,
        '.dockerignore kept secret.env out of the context',
      );
    } finally {
      await docker(['rm', '-f', container]);
    }
  });

  it('buildx build --push -t (two tags) writes the metadata file with the registry digest; --load keeps it in the engine', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: suffix });
    const tags = [`${registry}/dx-${suffix}/app:1.0`, `${registry}/dx-${suffix}/app:latest`];
    const meta = join(dir, '..', 'meta-push.json');
    await ok(['buildx', 'create', '--name', `dx${suffix}`, '--use']);
    const pushed = await ok([
      'buildx',
      'build',
      '--push',
      ...tags.flatMap((t) => ['-t', t]),
      '--metadata-file',
      meta,
      dir,
    ]);
    const metadata = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>;
    assert.match(metadata['containerimage.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(metadata['image.name'], tags.join(','));
    assert.match(metadata['buildx.build.ref'] ?? '', new RegExp(`^dx${suffix}/dx${suffix}0/[a-z0-9]{25}$`));
    void pushed;
    const inspected = await ok(['buildx', 'imagetools', 'inspect', tags[0] ?? '']);
    assert.match(inspected.stdout, new RegExp(`^Digest:\\s+${metadata['containerimage.digest'] ?? ''}$`, 'm'));
    // A docker-container builder keeps results out of the engine unless --load.
    assert.notEqual((await docker(['image', 'inspect', tags[0] ?? ''])).code, 0);
    await ok(['buildx', 'build', '--load', '-t', tags[0] ?? '', dir]);
    images.push(tags[0] ?? '');
    await ok(['image', 'inspect', tags[0] ?? '']);
    await ok(['buildx', 'rm', `dx${suffix}`]);
  });

  it("refuses what it cannot do, with buildx's messages for the docker driver", async () => {
    const dir = context({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'x' });
    const multi = await docker(['buildx', 'build', '--platform', 'linux/amd64,linux/arm64', dir]);
    assert.match(
      multi.stderr,
      /ERROR: Multi-platform build is not supported for the docker driver\.\nSwitch to a different driver/,
    );
    const cacheTo = await docker(['buildx', 'build', '--cache-to', 'type=gha', dir]);
    assert.match(cacheTo.stderr, /ERROR: Cache export is not supported for the docker driver\./);
    const sbom = await docker(['buildx', 'build', '--sbom=true', dir]);
    assert.match(sbom.stderr, /ERROR: Attestation is not supported for the docker driver\./);
    const secret = await docker(['buildx', 'build', '--secret', 'id=x,src=/etc/hostname', dir]);
    assert.match(secret.stderr, /ERROR: --secret is not supported by dockyard's builder/);
    const noTag = await docker(['buildx', 'build', '--push', dir]);
    assert.match(noTag.stderr, /ERROR: tag is needed when pushing to registry/);
    const bad = await docker(['buildx', 'build', '--frobnicate', dir]);
    assert.match(bad.stderr, /ERROR: unknown flag: --frobnicate/);
  });

  it('builds for linux/arm64 under emulation (RUN executes an arm64 program), or says why not', async () => {
    const dir = context({
      Dockerfile: 'FROM scratch\nCOPY probe /probe\nRUN ["/probe"]\n',
      probe: exitZeroProgram('arm64') ?? Buffer.alloc(0),
    });
    const name = `localhost/dx-${suffix}/arm:1`;
    const run = await docker(['buildx', 'build', '--platform', 'linux/arm64', '--load', '-t', name, dir]);
    if (ARM64) {
      assert.equal(run.code, 0, run.stderr);
      images.push(name);
      assert.equal((await ok(['image', 'inspect', name, '--format', '{{.Architecture}}'])).stdout.trim(), 'arm64');
    } else {
      assert.match(
        run.stderr,
        /ERROR: the engine cannot run linux\/arm64 programs: its host has no emulator registered for arm64 \(binfmt_misc\)\. Install Debian's qemu-user-static/,
      );
    }
    // A program no emulator runs (an ELF for an unknown machine) fails with the same clear reason.
    const alien = Buffer.from(exitZeroProgram('arm64') ?? Buffer.alloc(0));
    alien.writeUInt16LE(0x1234, 18);
    const failing = context({ Dockerfile: 'FROM scratch\nCOPY probe /probe\nRUN ["/probe"]\n', probe: alien });
    const refused = await docker(['buildx', 'build', '--platform', 'linux/riscv64', failing]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /ERROR: the engine cannot run linux\/riscv64 programs: its host has no emulator registered for riscv64/,
    );
  });

  it('a multi-platform push is an image index; imagetools inspect lists the platforms and create combines images', async (t) => {
    if (!ARM64) {
      t.skip('this host has no arm64 emulation: the multi-platform push needs it');
      return;
    }
    const dir = context({
      Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY a /a\nLABEL arch=$TARGETARCH\n',
      a: 'multi',
    });
    await ok(['buildx', 'create', '--name', `mp${suffix}`, '--driver', 'docker-container', '--use']);
    const tag = `${registry}/dx-${suffix}/multi:1`;
    const meta = join(dir, '..', 'meta-multi.json');
    await ok([
      'buildx',
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--push',
      '-t',
      tag,
      '--metadata-file',
      meta,
      dir,
    ]);
    const metadata = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>;
    const descriptor = metadata['containerimage.descriptor'] as { mediaType: string };
    assert.equal(descriptor.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    const inspected = await ok(['buildx', 'imagetools', 'inspect', tag]);
    assert.match(inspected.stdout, /^MediaType: application\/vnd\.docker\.distribution\.manifest\.list\.v2\+json$/m);
    assert.match(inspected.stdout, /Platform:\s+linux\/amd64/);
    assert.match(inspected.stdout, /Platform:\s+linux\/arm64/);
    const raw = JSON.parse((await ok(['buildx', 'imagetools', 'inspect', '--raw', tag])).stdout) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    assert.deepEqual(
      raw.manifests.map((m) => m.platform.architecture),
      ['amd64', 'arm64'],
    );

    // imagetools create: an index of the arm64 image alone, in another repository of the registry.
    const arm = raw.manifests.find((m) => m.platform.architecture === 'arm64')?.digest ?? '';
    const combined = `${registry}/dx-${suffix}/combined:arm`;
    await ok(['buildx', 'imagetools', 'create', '-t', combined, `${registry}/dx-${suffix}/multi@${arm}`]);
    const created = JSON.parse((await ok(['buildx', 'imagetools', 'inspect', '--raw', combined])).stdout) as {
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    assert.deepEqual(
      created.manifests.map((m) => [m.digest, m.platform.architecture]),
      [[arm, 'arm64']],
    );
    await ok(['buildx', 'rm', `mp${suffix}`]);
  });
});
