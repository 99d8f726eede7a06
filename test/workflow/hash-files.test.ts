/**
 * hashFiles(): GitHub's digest of digests over a real temporary workspace, exclusions, directory
 * patterns, absolute patterns, and '' when nothing matches; also through an expression.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateExpression, hashFiles } from '../../src/workflow/index.js';
import { scope } from './helpers.js';

/** The expected hash: SHA-256 over the binary SHA-256 of each file's content, in the given order. */
function expected(...contents: string[]): string {
  const outer = createHash('sha256');
  for (const content of contents) outer.update(createHash('sha256').update(content).digest());
  return outer.digest('hex');
}

describe('hashFiles', () => {
  let workspace = '';
  const files: Record<string, string> = {
    'package-lock.json': 'root lock',
    'app/package-lock.json': 'app lock',
    'app/src/index.ts': 'index',
    'app/src/util.ts': 'util',
    'lib/a.txt': 'a',
    'lib/b.txt': 'b',
    '.github/workflows/ci.yml': 'ci',
    'node_modules/dep/package-lock.json': 'dep lock',
  };

  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'dockyard-hashfiles-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(workspace, path)), { recursive: true });
      writeFileSync(join(workspace, path), content);
    }
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('hashes the digests of the matched files, depth first in name order', () => {
    assert.equal(hashFiles(workspace, ['**/package-lock.json']), expected('app lock', 'dep lock', 'root lock'));
    assert.equal(hashFiles(workspace, ['lib/*.txt']), expected('a', 'b'));
  });

  it('returns the hash of one file for one match', () => {
    assert.equal(hashFiles(workspace, ['package-lock.json']), expected('root lock'));
    assert.equal(hashFiles(workspace, ['./package-lock.json']), expected('root lock'));
  });

  it('excludes with ! patterns, in order', () => {
    assert.equal(hashFiles(workspace, ['**/package-lock.json', '!node_modules/**']), expected('app lock', 'root lock'));
    assert.equal(
      hashFiles(workspace, ['**/package-lock.json', '!**/node_modules/**', '!package-lock.json']),
      expected('app lock'),
    );
    assert.equal(
      hashFiles(workspace, ['**/package-lock.json\n!node_modules/**\n# a comment']),
      expected('app lock', 'root lock'),
    );
  });

  it('matches everything under a directory pattern', () => {
    assert.equal(hashFiles(workspace, ['app/src']), expected('index', 'util'));
    assert.equal(hashFiles(workspace, ['lib/']), expected('a', 'b'));
  });

  it('includes dot-directories', () => {
    assert.equal(hashFiles(workspace, ['**/*.yml']), expected('ci'));
  });

  it('treats ? and [] as within one segment', () => {
    assert.equal(hashFiles(workspace, ['lib/?.txt']), expected('a', 'b'));
    assert.equal(hashFiles(workspace, ['lib/[b].txt']), expected('b'));
    assert.equal(hashFiles(workspace, ['lib/[!b].txt']), expected('a'));
    assert.equal(hashFiles(workspace, ['l?b/a.txt']), expected('a'));
  });

  it('accepts absolute patterns inside the workspace and ignores others', () => {
    assert.equal(hashFiles(workspace, [join(workspace, 'lib', '*.txt')]), expected('a', 'b'));
    assert.equal(hashFiles(workspace, ['/etc/hostname']), '');
  });

  it("returns '' when nothing matches or there is no workspace", () => {
    assert.equal(hashFiles(workspace, ['**/*.nothing']), '');
    assert.equal(hashFiles(workspace, ['!**']), '');
    assert.equal(hashFiles(undefined, ['**']), '');
    assert.equal(hashFiles(join(workspace, 'missing'), ['**']), '');
  });

  it('follows symbolic links to files', () => {
    symlinkSync(join(workspace, 'lib', 'a.txt'), join(workspace, 'linked.txt'));
    try {
      assert.equal(hashFiles(workspace, ['linked.txt']), expected('a'));
    } finally {
      rmSync(join(workspace, 'linked.txt'));
    }
  });

  it('is callable from an expression with several patterns', () => {
    const s = scope({}, 'success', workspace);
    assert.equal(evaluateExpression("hashFiles('lib/a.txt', 'lib/b.txt')", s), expected('a', 'b'));
    assert.equal(
      evaluateExpression("hashFiles('**/package-lock.json', '!node_modules/**')", s),
      expected('app lock', 'root lock'),
    );
    assert.equal(evaluateExpression("hashFiles('nothing')", s), '');
    assert.equal(evaluateExpression("HASHFILES('lib/a.txt')", s), expected('a'));
    assert.equal(evaluateExpression("hashFiles('lib/a.txt')", scope()), '');
  });
});
