/**
 * The offline images' pure parts and their file handling, without an engine: the runner
 * recipe's hash, debootstrap's progress, writes into a root filesystem that cannot escape it,
 * the mount table, the machine-wide build lock, and copying host programs with their libraries.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mountsBelow } from '../../src/images/build-dir.js';
import {
  DebootstrapProgressTracker,
  debootstrapLinePhase,
  type DebootstrapProgress,
} from '../../src/images/debootstrap.js';
import { acquireFileLock } from '../../src/images/file-lock.js';
import { addHostProgram, sharedLibraries } from '../../src/images/host-programs.js';
import { formatBytes, formatElapsed } from '../../src/images/offline-image.js';
import { pathInRoot, writeFileInRoot } from '../../src/images/root-paths.js';
import {
  recipeHash,
  RUNNER_PACKAGES,
  runnerImageRef,
  runnerRecipe,
  type RunnerHost,
  type RunnerRecipe,
} from '../../src/images/runner-recipe.js';

const HOST: RunnerHost = {
  node: { path: '/usr/bin/node', version: 'v20.20.2', npm: { dir: '/usr/lib/node_modules/npm', version: '11.19.1' } },
  docker: { path: '/usr/local/bin/docker', version: 'Docker version 28.2.2, build e6534b4' },
  buildx: { path: '/opt/dockyard/dist/buildx/docker-buildx.cjs', sha256: 'a'.repeat(64) },
};

const scratch = mkdtempSync(join(tmpdir(), 'dockyard-images-units-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('runner recipe', () => {
  it('names the image by a hash of everything its content depends on', () => {
    const recipe = runnerRecipe(HOST);
    const hash = recipeHash(recipe);
    assert.match(hash, /^[0-9a-f]{12}$/);
    assert.equal(runnerImageRef(hash), `localhost/dockyard/runner:${hash}`);
    assert.equal(recipeHash(runnerRecipe(HOST)), hash, 'stable for the same inputs');
    assert.equal(
      recipeHash({ ...recipe, packages: [...recipe.packages].reverse() }),
      hash,
      'the package order does not matter',
    );
    const changed: Array<[string, RunnerRecipe]> = [
      ['a package more', { ...recipe, packages: [...recipe.packages, 'make'] }],
      ['the build steps', { ...recipe, build: recipe.build + 1 }],
      ['the host node', runnerRecipe({ ...HOST, node: { ...HOST.node, version: 'v20.20.3' } })],
      ['npm', runnerRecipe({ ...HOST, node: { path: HOST.node.path, version: HOST.node.version } })],
      [
        'the docker client',
        runnerRecipe({ ...HOST, docker: { ...HOST.docker, version: 'Docker version 29.0.0, build 1' } }),
      ],
      ['the buildx plugin', runnerRecipe({ ...HOST, buildx: { ...HOST.buildx, sha256: 'b'.repeat(64) } })],
      ['the image settings', { ...recipe, changes: [...recipe.changes, 'ENV X=1'] }],
      ['the architecture', { ...recipe, arch: 'arm64' }],
    ];
    const hashes = new Set([hash]);
    for (const [what, other] of changed) {
      const otherHash = recipeHash(other);
      assert.notEqual(otherHash, hash, `${what} changes the hash`);
      hashes.add(otherHash);
    }
    assert.equal(hashes.size, changed.length + 1);
    // Where the binaries live does not change what the image holds.
    assert.equal(recipeHash(runnerRecipe({ ...HOST, docker: { ...HOST.docker, path: '/usr/bin/docker' } })), hash);
  });

  it('lists what workflows call, including the provider debootstrap cannot resolve', () => {
    for (const name of [
      'awscli',
      'python3-boto3',
      'python3-cffi-backend',
      'git',
      'curl',
      'jq',
      'unzip',
      'zip',
      'xz-utils',
      'sudo',
      'procps',
      'ca-certificates',
    ]) {
      assert.ok((RUNNER_PACKAGES as readonly string[]).includes(name), name);
    }
  });
});

describe('debootstrap progress', () => {
  it('reads phases from its I: lines, telling package lines from headers', () => {
    assert.deepEqual(debootstrapLinePhase('I: Retrieving Packages '), { phase: 'resolving packages', package: false });
    assert.deepEqual(debootstrapLinePhase('I: Retrieving bash 5.2.15-2+b13'), {
      phase: 'downloading packages',
      package: true,
    });
    assert.deepEqual(debootstrapLinePhase('I: Validating bash 5.2.15-2+b13'), undefined);
    assert.deepEqual(debootstrapLinePhase('I: Unpacking required packages...'), {
      phase: 'unpacking packages',
      package: false,
    });
    assert.deepEqual(debootstrapLinePhase('I: Unpacking libacl1:amd64...'), {
      phase: 'unpacking packages',
      package: true,
    });
    assert.deepEqual(debootstrapLinePhase('I: Configuring the base system...'), {
      phase: 'configuring packages',
      package: false,
    });
    assert.deepEqual(debootstrapLinePhase('I: Configuring python3-boto3...'), {
      phase: 'configuring packages',
      package: true,
    });
    assert.equal(debootstrapLinePhase('W: Failure while configuring base packages.'), undefined);
  });

  it('reports each phase change at once, then every ten seconds, counting against the downloads', () => {
    let now = 0;
    const reports: DebootstrapProgress[] = [];
    const tracker = new DebootstrapProgressTracker(
      (p) => reports.push(p),
      () => now,
    );
    const lines = [
      'I: Retrieving InRelease ',
      'I: Resolving dependencies of required packages...',
      'I: Retrieving a 1',
      'I: Retrieving b 1',
      'I: Retrieving c 1',
      'I: Unpacking required packages...',
      'I: Unpacking a...',
    ];
    for (const line of lines) tracker.line(line);
    now = 10_000;
    tracker.line('I: Unpacking b...');
    tracker.line('I: Configuring a...');
    now = 12_000;
    tracker.line('I: Unpacking c...'); // back to unpacking: a change, reported, counting on
    assert.deepEqual(reports, [
      { phase: 'resolving packages', done: 0 },
      { phase: 'downloading packages', done: 1 },
      { phase: 'unpacking packages', done: 0, total: 3 },
      { phase: 'unpacking packages', done: 2, total: 3 },
      { phase: 'configuring packages', done: 1, total: 3 },
      { phase: 'unpacking packages', done: 3, total: 3 },
    ]);
  });
});

describe('root filesystem paths', () => {
  it('resolves symlinks inside the root, so an absolute link never leads a write onto the host', () => {
    const root = join(scratch, 'root');
    const outside = join(scratch, 'outside');
    mkdirSync(join(root, 'usr', 'lib64'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim'), 'host file');
    symlinkSync('usr/lib64', join(root, 'lib64'));
    // As Debian ships it: an absolute link, meant for inside the root.
    symlinkSync(join(outside, 'victim'), join(root, 'usr', 'lib64', 'ld.so'));
    symlinkSync('../../../../../..', join(root, 'usr', 'up'));
    assert.equal(pathInRoot(root, '/lib64/ld.so'), join(root, outside, 'victim'));
    assert.equal(pathInRoot(root, '/lib64/ld.so', false), join(root, 'usr', 'lib64', 'ld.so'));
    assert.equal(pathInRoot(root, '/usr/up/etc/passwd'), join(root, 'etc', 'passwd'));
    writeFileInRoot(root, '/lib64/ld.so/../written', 'x');
    writeFileInRoot(root, '/usr/up/etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'host file');
    assert.equal(readFileSync(join(root, 'etc', 'passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
    symlinkSync('loop', join(root, 'loop'));
    assert.throws(() => pathInRoot(root, '/loop'), /too many levels of symbolic links/);
  });

  it('copies a host program with the libraries the root lacks, linking the paths it asks for', () => {
    const root = join(scratch, 'program-root');
    mkdirSync(root);
    const sh = execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim();
    addHostProgram(root, sh, '/bin/sh');
    for (const library of sharedLibraries(sh)) {
      assert.ok(existsSync(pathInRoot(root, library)), `${library} is in the root`);
    }
    const loader = sharedLibraries(sh).find((l) => l.includes('ld-linux'));
    if (loader)
      assert.ok(
        lstatSync(pathInRoot(root, loader, false)).isSymbolicLink() ||
          lstatSync(pathInRoot(root, loader, false)).isFile(),
      );
    assert.throws(() => addHostProgram(root, sh, '/bin/sh'), /already in the image's root filesystem/);
    // It runs there.
    assert.equal(execFileSync('chroot', [root, '/bin/sh', '-c', 'echo inside'], { encoding: 'utf8' }).trim(), 'inside');
    if (loader && lstatSync(pathInRoot(root, loader, false)).isSymbolicLink())
      assert.ok(readlinkSync(pathInRoot(root, loader, false)).startsWith('/'));
  });
});

describe('build directories and locks', () => {
  it('finds mounts below a directory from the mount table, deepest first, unescaping names', () => {
    const table = [
      '22 1 0:21 / / rw - ext4 /dev/vda rw',
      '40 22 0:5 / /var/tmp/dockyard-image-build/runner-x/rootfs/proc rw - proc proc rw',
      '41 40 0:6 / /var/tmp/dockyard-image-build/runner-x/rootfs/proc/sys/fs/binfmt_misc rw - binfmt_misc b rw',
      '42 22 0:7 / /var/tmp/dockyard-image-build/runner-x/rootfs/with\\040space rw - tmpfs t rw',
      '43 22 0:8 / /var/tmp/dockyard-image-build/runner-xy/rootfs/proc rw - proc proc rw',
    ].join('\n');
    assert.deepEqual(mountsBelow('/var/tmp/dockyard-image-build/runner-x', table), [
      '/var/tmp/dockyard-image-build/runner-x/rootfs/proc/sys/fs/binfmt_misc',
      '/var/tmp/dockyard-image-build/runner-x/rootfs/with space',
      '/var/tmp/dockyard-image-build/runner-x/rootfs/proc',
    ]);
  });

  it('holds a machine-wide lock until released, and a waiting taker gets it then', async () => {
    const path = join(scratch, 'build.lock');
    const first = await acquireFileLock(path);
    let acquired = false;
    let saidWaiting!: () => void; // assigned by the Promise constructor below
    const waiting = new Promise<void>((resolve) => (saidWaiting = resolve));
    const second = acquireFileLock(path, { onWait: () => saidWaiting() }).then((release) => {
      acquired = true;
      return release;
    });
    await Promise.race([waiting, second]);
    assert.equal(acquired, false, 'the second taker waits while the first holds it');
    // Another process cannot take it either.
    assert.throws(() => execFileSync('flock', ['--nonblock', path, 'true'], { stdio: 'ignore' }));
    await first();
    await (
      await second
    )();
    execFileSync('flock', ['--nonblock', path, 'true']);
    const aborted = acquireFileLock(path, { signal: AbortSignal.abort(new Error('stop')) });
    await assert.rejects(aborted, /stop/);
  });
});

describe('formatting', () => {
  it('prints sizes and durations as the engine CLIs and progress lines do', () => {
    assert.equal(formatBytes(585_370_861), '585.4 MB');
    assert.equal(formatBytes(1_200_000_000), '1.20 GB');
    assert.equal(formatBytes(7_290), '7 kB');
    assert.equal(formatElapsed(118_900), '1:58');
    assert.equal(formatElapsed(5_000), '0:05');
  });
});
