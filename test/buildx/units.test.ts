/**
 * The buildx plugin's pure parts: flags as pflag parses them, .dockerignore as moby's pattern
 * matcher reads it, image references, platforms, `buildx build` requests (and what is refused),
 * the context tar stream, and the probe programs' ELF headers.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AttestationError, parseBuildArgs, parseSize } from '../../src/buildx/build-options.js';
import { contextFromDirectory } from '../../src/buildx/context-tar.js';
import { parseFlags, splitSlice, UsageError } from '../../src/buildx/flags.js';
import { IgnoreMatcher } from '../../src/buildx/ignore-patterns.js';
import { formatPlatform, parsePlatform, parsePlatformList } from '../../src/buildx/platforms.js';
import { exitZeroProgram, probeArchitectures } from '../../src/buildx/probe-binaries.js';
import { formatReference, parseReference } from '../../src/buildx/reference.js';

describe('buildx plugin: flags', () => {
  const specs = [
    { name: 'tag', short: 't', kind: 'array' as const },
    { name: 'quiet', short: 'q', kind: 'bool' as const },
    { name: 'file', short: 'f', kind: 'string' as const },
    { name: 'add-host', kind: 'slice' as const },
  ];
  it('long and short forms, = values, combined bools, repeats, -- and positionals', () => {
    const f = parseFlags(
      ['-t', 'a', '--tag=b', '-tc', '-qf', 'Dockerfile.x', '--add-host', 'x:1,"y:2"', '.', '--', '--not-a-flag'],
      specs,
    );
    assert.deepEqual(f.arrays.get('tag'), ['a', 'b', 'c']);
    assert.equal(f.bools.get('quiet'), true);
    assert.equal(f.strings.get('file'), 'Dockerfile.x');
    assert.deepEqual(f.arrays.get('add-host'), ['x:1', 'y:2']);
    assert.deepEqual(f.positional, ['.', '--not-a-flag']);
    assert.deepEqual(splitSlice('a,"b,c"'), ['a', 'b,c']);
  });
  it("pflag's errors", () => {
    assert.throws(() => parseFlags(['--nope'], specs), new UsageError('unknown flag: --nope'));
    assert.throws(() => parseFlags(['-x'], specs), /unknown shorthand flag: 'x' in -x/);
    assert.throws(() => parseFlags(['--file'], specs), /flag needs an argument: --file/);
    assert.throws(() => parseFlags(['--quiet=maybe'], specs), /invalid argument "maybe" for "--quiet" flag/);
  });
});

describe('buildx plugin: .dockerignore', () => {
  it('globs, directories, ** and ! exceptions, last match wins', () => {
    const m = new IgnoreMatcher('# comment\nnode_modules\n*.log\n!keep.log\n**/tmp\n/secrets/*\n!secrets/public.txt\n');
    assert.ok(m.excludes('node_modules'));
    assert.ok(m.excludes('node_modules/x/y.js'));
    assert.ok(m.excludes('a.log'));
    assert.ok(!m.excludes('keep.log'));
    assert.ok(!m.excludes('dir/a.log'), '*.log matches only at the root');
    assert.ok(m.excludes('a/b/tmp/c'));
    assert.ok(m.excludes('secrets/key'));
    assert.ok(!m.excludes('secrets/public.txt'));
    assert.ok(!m.excludes('src/index.ts'));
    assert.ok(new IgnoreMatcher('*\n!Dockerfile\n').excludes('x'));
  });
});

describe('buildx plugin: references and platforms', () => {
  it('parses references as Docker does', () => {
    assert.deepEqual(parseReference('nginx'), { host: 'docker.io', path: 'library/nginx' });
    assert.deepEqual(parseReference('localhost:5000/team/app:1.0'), {
      host: 'localhost:5000',
      path: 'team/app',
      tag: '1.0',
    });
    assert.equal(
      formatReference(parseReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/app')),
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest',
    );
    assert.throws(() => parseReference('Team/App'), /repository name \(Team\/App\) must be lowercase/);
    assert.throws(() => parseReference('app:bad tag'), /invalid reference format/);
  });
  it('normalises platforms as containerd does', () => {
    assert.equal(formatPlatform(parsePlatform('linux/aarch64')), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/arm64/v8')), 'linux/arm64');
    assert.equal(formatPlatform(parsePlatform('linux/arm')), 'linux/arm/v7');
    assert.equal(formatPlatform(parsePlatform('x86_64')), 'linux/amd64');
    assert.deepEqual(parsePlatformList(['linux/amd64,linux/arm64', 'linux/amd64']).map(formatPlatform), [
      'linux/amd64',
      'linux/arm64',
    ]);
    assert.throws(() => parsePlatform('plan9/amd64'), /unknown operating system or architecture/);
  });
});

describe('buildx plugin: build requests', () => {
  it('reads the flags into a request: exports, build args from the environment, sizes', () => {
    const r = parseBuildArgs(
      [
        '--push',
        '--load',
        '-t',
        'a:1',
        '--build-arg',
        'A=1',
        '--build-arg',
        'FROM_ENV',
        '--build-arg',
        'UNSET',
        '--label',
        'x=y',
        '--shm-size',
        '64m',
        '--platform',
        'linux/arm64',
        '-o',
        'type=local,dest=out',
        'ctx',
      ],
      { FROM_ENV: 'e' },
    );
    assert.deepEqual(r.buildArgs, { A: '1', FROM_ENV: 'e' });
    assert.deepEqual(r.labels, { x: 'y' });
    assert.equal(r.shmSize, 64 * 1024 * 1024);
    assert.deepEqual(r.exports, [
      { type: 'local', dest: 'out' },
      { type: 'image', push: true, names: [] },
      { type: 'docker' },
    ]);
    assert.equal(parseSize('2g'), 2 * 1024 ** 3);
  });
  it('accepts disabled attestations and cache flags with a notice; refuses secrets, ssh, build contexts, checks and attestations', () => {
    const ok = parseBuildArgs(
      [
        '--provenance=false',
        '--sbom',
        'false',
        '--attest',
        'type=provenance,disabled=true',
        '--cache-from',
        'type=gha',
        '.',
      ],
      {},
    );
    assert.match(ok.notices.join('\n'), /cache import and export/);
    assert.throws(() => parseBuildArgs(['--provenance=mode=max', '.'], {}), AttestationError);
    assert.throws(() => parseBuildArgs(['--ssh', 'default', '.'], {}), /--ssh is not supported/);
    assert.throws(() => parseBuildArgs(['--build-context', 'x=y', '.'], {}), /--build-context is not supported/);
    assert.throws(() => parseBuildArgs(['--check', '.'], {}), /need BuildKit/);
    assert.throws(() => parseBuildArgs(['-o', 'type=oci,dest=x', '.'], {}), /the oci exporter is not supported/);
    assert.throws(() => parseBuildArgs(['https://github.com/octo/app.git'], {}), /remote build contexts/);
    assert.throws(() => parseBuildArgs([], {}), /requires exactly 1 argument/);
  });
});

describe('buildx plugin: the context stream', () => {
  it('sends the context in name order, ignored files left out, a Dockerfile from outside added under a random name', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dockyard-ctx-'));
    try {
      mkdirSync(join(root, 'ctx', 'sub'), { recursive: true });
      writeFileSync(join(root, 'ctx', 'b.txt'), 'b');
      writeFileSync(join(root, 'ctx', 'a.env'), 'secret');
      writeFileSync(join(root, 'ctx', 'sub', `${'n'.repeat(120)}.txt`), 'long');
      writeFileSync(join(root, 'ctx', '.dockerignore'), '*.env\n');
      writeFileSync(join(root, 'Dockerfile.outside'), 'FROM scratch\n');
      const built = contextFromDirectory(join(root, 'ctx'), join(root, 'Dockerfile.outside'));
      assert.match(built.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
      const chunks: Buffer[] = [];
      for await (const chunk of built.stream) chunks.push(chunk as Buffer);
      const tar = Buffer.concat(chunks);
      const names: string[] = [];
      for (let off = 0; off + 512 <= tar.length;) {
        const name = tar
          .subarray(off, off + 100)
          .toString('utf8')
          .replace(/\0.*$/s, '');
        if (name === '') break;
        const size = parseInt(
          tar
            .subarray(off + 124, off + 136)
            .toString('utf8')
            .replace(/\0.*$/s, '')
            .trim() || '0',
          8,
        );
        names.push(name);
        off += 512 + Math.ceil(size / 512) * 512;
      }
      assert.deepEqual(names.slice(0, 3), ['.dockerignore', 'b.txt', 'sub/']);
      assert.ok(!names.includes('a.env'));
      assert.ok(names.includes('PaxHeader'), 'a long name travels in a PAX header');
      assert.equal(names[names.length - 1], built.dockerfile);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('probe programs are ELF executables for their machines', () => {
    for (const arch of probeArchitectures()) {
      const elf = exitZeroProgram(arch) ?? Buffer.alloc(0);
      assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF', arch);
    }
    assert.equal(exitZeroProgram('mips64le'), undefined);
  });
});
