import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { ConcurrencyGroups } from '../../src/runner/concurrency.js';
import { FileCommandError, parseKeyValueFile } from '../../src/runner/file-commands.js';
import { Masker } from '../../src/runner/masker.js';
import { RepoSettings, RepoSettingsError } from '../../src/runner/index.js';
import { join } from 'node:path';
import { loadAction } from '../../src/runner/actions/definition.js';
import { ActionResolver } from '../../src/runner/actions/resolve.js';
import { BuiltinActions, majorOf } from '../../src/runner/actions/builtin-actions.js';
import { DownloadedActions } from '../../src/runner/actions/downloaded-actions.js';
import { ActionCache } from '../../src/runner/action-cache.js';
import { REPO_ROOT } from './support.js';
import { resolveShell, ShellError } from '../../src/runner/shells.js';
import { parseWorkflowCommand } from '../../src/runner/workflow-commands.js';

describe('runner units', () => {
  it('RepoSettings: GitHub name rules and messages, upper-case names, write-only secrets', () => {
    const settings = new RepoSettings(openDatabase(':memory:'));
    settings.setSecret('o/r', 'api_key', 'v1');
    settings.setSecret('o/r', 'API_KEY', 'v2');
    assert.deepEqual(
      settings.listSecrets('o/r').map((secret) => secret.name),
      ['API_KEY'],
    );
    assert.deepEqual(settings.secretValues('o/r'), { API_KEY: 'v2' });
    assert.deepEqual(Object.keys(settings.listSecrets('o/r')[0] ?? {}).sort(), ['name', 'updatedAt']);
    assert.throws(() => settings.setSecret('o/r', 'GITHUB_THING', 'x'), {
      name: 'RepoSettingsError',
      message: 'Secret names must not start with the GITHUB_ prefix.',
    });
    assert.throws(() => settings.setSecret('o/r', '1ABC', 'x'), {
      message: 'Secret names must not start with a number.',
    });
    assert.throws(() => settings.setVariable('o/r', 'HAS SPACE', 'x'), RepoSettingsError);
    assert.throws(
      () => settings.setVariable('o/r', 'dash-ed', 'x'),
      /Variable names can only contain alphanumeric characters/,
    );
    settings.setVariable('o/r', 'region', 'eu');
    assert.deepEqual(
      settings.listVariables('o/r').map(({ name, value }) => ({ name, value })),
      [{ name: 'REGION', value: 'eu' }],
    );
    assert.equal(settings.deleteVariable('o/r', 'Region'), true);
    assert.equal(settings.deleteSecret('o/r', 'nope'), false);
  });

  it('Masker: longest first, multi-line values line by line, blank values ignored', () => {
    const masker = new Masker();
    masker.add('abc');
    masker.add('abcdef');
    masker.add('line-one\nline-two');
    masker.add('   ');
    assert.equal(masker.mask('x abcdef y abc z'), 'x *** y *** z');
    assert.equal(masker.mask('only line-two here'), 'only *** here');
    assert.equal(masker.mask('nothing   here'), 'nothing   here');
    assert.equal(masker.fork().mask('abc'), '***');
  });

  it('parses workflow commands with escaped data and properties', () => {
    assert.deepEqual(parseWorkflowCommand('::error file=a%2Cb.js,line=2::x%25y%0Az'), {
      name: 'error',
      properties: { file: 'a,b.js', line: '2' },
      message: 'x%y\nz',
    });
    assert.deepEqual(parseWorkflowCommand('::add-mask::v'), { name: 'add-mask', properties: {}, message: 'v' });
    assert.equal(parseWorkflowCommand('plain ::error::text'), undefined);
  });

  it("parses environment files: NAME=value, heredocs, GitHub's errors", () => {
    assert.deepEqual(parseKeyValueFile('A=1\nB<<EOF\nx\ny\nEOF\r\nC=a=b\n'), [
      ['A', '1'],
      ['B', 'x\ny'],
      ['C', 'a=b'],
    ]);
    assert.throws(
      () => parseKeyValueFile('A<<EOF\nno end\n'),
      new FileCommandError("Matching delimiter not found 'EOF'"),
    );
    assert.throws(() => parseKeyValueFile('junk\n'), /Invalid format 'junk'/);
  });

  it('resolves shells and action majors', async () => {
    const path = process.env.PATH;
    assert.deepEqual((await resolveShell('sh', (extension) => `/tmp/s${extension}`, path)).args, ['-e', '/tmp/s.sh']);
    assert.deepEqual((await resolveShell('bash', () => '/tmp/s', path)).args, [
      '--noprofile',
      '--norc',
      '-eo',
      'pipefail',
      '/tmp/s',
    ]);
    assert.deepEqual((await resolveShell(undefined, () => '/tmp/s', path)).args, ['-e', '/tmp/s']);
    assert.deepEqual((await resolveShell('perl -w {0}', () => '/tmp/s', path)).args, ['-w', '/tmp/s']);
    await assert.rejects(
      resolveShell('perl -w', () => '/tmp/s', path),
      ShellError,
    );
    await assert.rejects(
      resolveShell('cmd', () => '/tmp/s', path),
      /only available on Windows/,
    );
    assert.equal(majorOf('v4'), 'v4');
    assert.equal(majorOf('v4.2.1'), 'v4');
    assert.equal(majorOf('main'), undefined);
  });

  it('concurrency groups: one running, one pending; a newer request displaces the pending one', async () => {
    const groups = new ConcurrencyGroups();
    const cancelled: string[] = [];
    const holder = (name: string) => ({ cancel: (message: string) => cancelled.push(`${name}: ${message}`) });
    const first = await groups.acquire('k', 'g', false, holder('first'));
    assert.ok('release' in first);
    const second = groups.acquire('k', 'g', false, holder('second'));
    const third = groups.acquire('k', 'g', true, holder('third'));
    assert.deepEqual(await second, { cancelled: "Canceling since a higher priority waiting request for 'g' exists" });
    assert.deepEqual(cancelled, ["first: Canceling since a higher priority waiting request for 'g' exists"]);
    first.release();
    assert.ok('release' in (await third));
  });

  it('reads every built-in action of this repository', async () => {
    const builtins = new BuiltinActions(join(REPO_ROOT, 'builtin-actions'));
    const cache = new ActionCache(join(REPO_ROOT, 'no-such-cache'));
    const resolver = new ActionResolver({
      cache,
      downloads: new DownloadedActions(cache.dir),
      builtins,
      server: () => ({ server: undefined, source: 'setting' }),
      now: () => new Date(),
    });
    const lines: string[] = [];
    for (const spec of builtins.list()) {
      const resolved = await resolver.resolve(spec, {
        workspace: '/nonexistent',
        session: {},
        log: (line) => lines.push(line),
        notice: (line) => lines.push(line),
      });
      assert.equal(resolved.source, 'builtin');
      const definition = await loadAction(resolved.dir, spec);
      assert.ok(definition.runs.using === 'node' || definition.runs.using === 'composite', spec);
    }
  });
});
