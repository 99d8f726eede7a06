/**
 * An arm64 image made offline, for the runtimePlatform ARM64 tests: Debian's statically linked
 * busybox for arm64 (package busybox-static, fetched from Debian's archive by apt-get with a
 * state directory of its own, so the host's apt configuration and dpkg architectures stay as
 * they are), with the applets the tests use linked under /bin. The binary is cached in the
 * temp directory across test runs.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The applets linked under /bin. */
const APPLETS = ['sh', 'uname', 'httpd', 'mkdir', 'sleep', 'cat', 'echo'];

const CACHE = join(tmpdir(), 'dockyard-test-cache', 'busybox-static-arm64');

/** The arm64 busybox binary's path on this host, downloading it on first use. */
export function arm64Busybox(): string {
  if (existsSync(CACHE)) return CACHE;
  const work = mkdtempSync(join(tmpdir(), 'dockyard-arm64-apt-'));
  try {
    mkdirSync(join(work, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(work, 'cache', 'archives', 'partial'), { recursive: true });
    writeFileSync(join(work, 'status'), '');
    const options = [
      '-qq',
      '-o',
      `Dir::State::Lists=${join(work, 'lists')}`,
      '-o',
      `Dir::State::Status=${join(work, 'status')}`,
      '-o',
      `Dir::Cache=${join(work, 'cache')}`,
      '-o',
      'APT::Architecture=arm64',
      '-o',
      'APT::Architectures=arm64',
      '-o',
      'Debug::NoLocking=1',
      // The download lands in the working directory, which the _apt user cannot write.
      '-o',
      'APT::Sandbox::User=root',
    ];
    execFileSync('apt-get', [...options, 'update'], { stdio: 'pipe', timeout: 120_000 });
    execFileSync('apt-get', [...options, 'download', 'busybox-static:arm64'], {
      cwd: work,
      stdio: 'pipe',
      timeout: 120_000,
    });
    const deb = readdirSync(work).find((f) => f.endsWith('_arm64.deb'));
    if (!deb) throw new Error('apt-get download busybox-static:arm64 left no .deb');
    execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
    mkdirSync(join(CACHE, '..'), { recursive: true });
    renameSync(join(work, 'root', 'bin', 'busybox'), `${CACHE}.${process.pid}`);
    renameSync(`${CACHE}.${process.pid}`, CACHE);
    return CACHE;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The image's root filesystem as a tarball: /bin/busybox, its applets, /tmp. */
export function arm64BusyboxTar(): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'dockyard-arm64-root-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'tmp'));
    execFileSync('cp', [arm64Busybox(), join(root, 'bin', 'busybox')]);
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    return execFileSync('tar', ['-C', root, '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
