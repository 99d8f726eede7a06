/**
 * Where a bind source really leads (real directories and symlinks on this host, seen through a
 * job's path mapping), and which links of a real build context (made by GNU tar, ustar, PAX,
 * gzip) lead out of it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BindRoots } from '../../src/docker-guard/bind-paths.js';
import { GuardRefusal } from '../../src/docker-guard/refusal.js';
import { BuildContextScan, escapingLink } from '../../src/docker-guard/tar-scan.js';

function refusedWith(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GuardRefusal && e.status === 403 && pattern.test(e.message));
}

describe('bind sources', () => {
  const base = mkdtempSync(join(tmpdir(), 'dockyard-guard-binds-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const ws = join(base, 'workspace');
  const temp = join(base, 'temp');
  mkdirSync(join(ws, 'src', 'deep'), { recursive: true });
  mkdirSync(temp);
  symlinkSync('/', join(ws, 'root'));
  symlinkSync('/github/workspace/src', join(ws, 'abs-inside')); // absolute, in the job's view
  symlinkSync('src/deep', join(ws, 'rel-inside'));
  symlinkSync('../..', join(ws, 'src', 'up-and-out'));
  symlinkSync('/runner/temp', join(ws, 'to-temp'));
  symlinkSync('loop2', join(ws, 'loop1'));
  symlinkSync('loop1', join(ws, 'loop2'));
  const roots = new BindRoots(
    [
      { hostPath: ws, jobPath: '/github/workspace' },
      { hostPath: temp, jobPath: '/runner/temp' },
    ],
    ['/run/podman/podman.sock'],
    join(temp, 'docker.sock'),
  );

  it('maps paths inside the roots to the host, following links in the job view', () => {
    assert.equal(roots.resolve('/github/workspace'), ws);
    assert.equal(roots.resolve('/github/workspace/src/./deep/'), join(ws, 'src', 'deep'));
    assert.equal(roots.resolve('/github/workspace/abs-inside/deep'), join(ws, 'src', 'deep'));
    assert.equal(roots.resolve('/github/workspace/rel-inside'), join(ws, 'src', 'deep'));
    assert.equal(roots.resolve('/github/workspace/to-temp/x'), join(temp, 'x'));
    assert.equal(
      roots.resolve('/github/workspace/new/dir'),
      join(ws, 'new', 'dir'),
      'a missing source is created by the engine',
    );
    assert.equal(roots.resolve('/runner/temp/../temp'), temp);
  });

  it('refuses what leads out, through .. or links', () => {
    refusedWith(
      () => roots.resolve('/'),
      /bind mount \/: only paths inside the job's directories \(\/github\/workspace, \/runner\/temp\)/,
    );
    refusedWith(() => roots.resolve('/github/workspace/..'), /only paths inside/);
    refusedWith(() => roots.resolve('/github/workspace/root'), /\(it resolves to \/\)/);
    refusedWith(() => roots.resolve('/github/workspace/root/etc/shadow'), /it resolves to \/etc\/shadow/);
    refusedWith(() => roots.resolve('/github/workspace/src/up-and-out/etc'), /it resolves to \/github\/etc/);
    refusedWith(() => roots.resolve('/github/workspace/loop1'), /too many levels of symbolic links/);
    refusedWith(() => roots.resolve(ws), /only paths inside/); // the host path is not a path the job sees
    refusedWith(() => roots.resolve('relative/path'), /must be an absolute path/);
    refusedWith(() => roots.resolve('/run/podman/podman.sock'), /container engine's socket/);
  });

  it("refuses engine sockets inside a root, but not the guard's own socket", async () => {
    const listen = (path: string) =>
      new Promise<() => Promise<void>>((resolve) => {
        const server = createServer().listen(path, () =>
          resolve(() => new Promise((done) => server.close(() => done()))),
        );
      });
    const closeOwn = await listen(join(temp, 'docker.sock'));
    const closeOther = await listen(join(ws, 'docker.sock'));
    try {
      assert.equal(roots.resolve('/runner/temp/docker.sock'), join(temp, 'docker.sock'));
      refusedWith(() => roots.resolve('/github/workspace/docker.sock'), /a container engine socket cannot be mounted/);
    } finally {
      await closeOwn();
      await closeOther();
    }
  });

  it('notices a source that became a link after the check', () => {
    const hostPath = roots.resolve('/github/workspace/swapped');
    mkdirSync(hostPath);
    roots.recheck(hostPath);
    rmSync(hostPath, { recursive: true });
    symlinkSync('/', hostPath);
    refusedWith(() => roots.recheck(hostPath), /became a symbolic link/);
  });
});

describe('build context links', () => {
  const base = mkdtempSync(join(tmpdir(), 'dockyard-guard-context-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  /** Makes a context with GNU tar and scans it in small chunks, as a socket would deliver it. */
  async function scan(files: (dir: string) => void, tarArgs: string[] = [], gzip = false) {
    const dir = mkdtempSync(join(base, 'ctx-'));
    files(dir);
    let tar = execFileSync('tar', ['-C', dir, ...tarArgs, '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
    if (gzip) tar = execFileSync('gzip', ['-c'], { input: tar });
    const scanner = new BuildContextScan();
    for (let i = 0; i < tar.length; i += 777) scanner.push(tar.subarray(i, i + 777));
    return scanner.finish();
  }

  it('finds a Dockerfile that is a link out of the context', async () => {
    const links = await scan((d) => {
      symlinkSync('/data/admin.json', join(d, 'Dockerfile'));
      writeFileSync(join(d, 'app.py'), 'print(1)');
    });
    assert.equal(escapingLink(links, 'Dockerfile'), 'Dockerfile');
    assert.equal(escapingLink(links, 'app.py'), undefined);
  });

  it('follows directories that are links, relative links and .. in them', async () => {
    const links = await scan((d) => {
      mkdirSync(join(d, 'docker'));
      writeFileSync(join(d, 'docker', 'Dockerfile'), 'FROM x');
      symlinkSync('docker', join(d, 'build'));
      symlinkSync('../..', join(d, 'docker', 'up'));
      symlinkSync('docker/Dockerfile', join(d, 'Dockerfile'));
    });
    assert.equal(escapingLink(links, 'Dockerfile'), undefined);
    assert.equal(escapingLink(links, 'build/Dockerfile'), undefined);
    assert.equal(escapingLink(links, 'build/up/etc/shadow'), 'build/up/etc/shadow');
  });

  it('reads long names in GNU and PAX archives, and gzip-compressed contexts', async () => {
    const long = 'd'.repeat(120);
    const files = (d: string) => {
      mkdirSync(join(d, long));
      symlinkSync('/etc', join(d, long, 'etc'));
    };
    for (const args of [[], ['--format=pax'], ['--format=gnu']]) {
      const links = await scan(files, args);
      assert.equal(escapingLink(links, `${long}/etc/passwd`), `${long}/etc`, `format ${args.join(' ') || 'default'}`);
    }
    const gz = await scan(files, [], true);
    assert.equal(escapingLink(gz, `${long}/etc/passwd`), `${long}/etc`);
  });

  it('refuses contexts compressed in ways it cannot read', () => {
    const scanner = new BuildContextScan();
    assert.throws(
      () => scanner.push(Buffer.from('BZh91AY&SY')),
      (e: unknown) => e instanceof GuardRefusal && /bzip2, xz or zstd/.test(e.message),
    );
  });

  it('answers a corrupt gzip stream as a bad request', async () => {
    const scanner = new BuildContextScan();
    scanner.push(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
    await assert.rejects(scanner.finish(), (e: unknown) => e instanceof GuardRefusal && e.status === 400);
  });
});
