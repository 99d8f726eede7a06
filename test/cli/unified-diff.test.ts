/**
 * unifiedDiff: hunks with three lines of context, merged when their context touches, line
 * numbers shifted by earlier hunks, and a file without a final newline marked as diff marks it.
 * Each case is checked by `git apply`, which must produce the edited file exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unifiedDiff, type LineChange } from '../../src/cli/unified-diff.js';
import { runOk } from '../support/run.js';

function applyChanges(lines: readonly string[], changes: readonly LineChange[]): string[] {
  const out = [...lines];
  for (const change of [...changes].sort((a, b) => b.start - a.start))
    out.splice(change.start, change.end - change.start, ...change.lines);
  return out;
}

async function roundTrip(lines: string[], changes: LineChange[], endsWithNewline: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-diff-'));
  try {
    const text = (l: string[]) => l.join('\n') + (endsWithNewline ? '\n' : '');
    writeFileSync(join(dir, 'f.yml'), text(lines));
    const diff = unifiedDiff('f.yml', lines, changes, endsWithNewline);
    writeFileSync(join(dir, 'f.diff'), diff);
    await runOk('git', ['init', '-q'], { cwd: dir });
    await runOk('git', ['apply', 'f.diff'], { cwd: dir });
    assert.equal(readFileSync(join(dir, 'f.yml'), 'utf8'), text(applyChanges(lines, changes)));
    return diff;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LINES = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);

describe('unifiedDiff', () => {
  it('two distant hunks: the second one’s new line numbers count the first one’s added line', async () => {
    const diff = await roundTrip(
      LINES,
      [
        { start: 2, end: 2, lines: ['inserted'] },
        { start: 20, end: 22, lines: ['replaced'] },
      ],
      true,
    );
    assert.match(diff, /^@@ -1,5 \+1,6 @@$/m);
    assert.match(diff, /^@@ -18,8 \+19,7 @@$/m);
  });

  it('hunks whose context touches are one; adjacent changes print removals before additions', async () => {
    const diff = await roundTrip(
      LINES,
      [
        { start: 5, end: 6, lines: ['a'] },
        { start: 6, end: 7, lines: [] },
        { start: 10, end: 10, lines: ['b'] },
      ],
      true,
    );
    assert.equal((diff.match(/^@@/gm) ?? []).length, 1);
    assert.match(diff, /^-line 6\n-line 7\n\+a$/m);
  });

  it('a file without a final newline: its last line is marked, changed or not', async () => {
    const short = LINES.slice(0, 5);
    assert.match(
      await roundTrip(short, [{ start: 4, end: 5, lines: ['last'] }], false),
      /^-line 5\n\\ No newline at end of file\n\+last\n\\ No newline at end of file\n$/m,
    );
    assert.match(
      await roundTrip(short, [{ start: 2, end: 2, lines: ['x'] }], false),
      / line 5\n\\ No newline at end of file\n$/,
    );
    assert.equal(unifiedDiff('f', short, [], true), '');
  });
});
