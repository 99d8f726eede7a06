/**
 * A unified diff (as `diff -u` and `git diff` print it, so `git apply` takes it) of a file and
 * the same file with line edits applied. The edits say exactly which lines changed, so no
 * difference algorithm is needed: each edit is a hunk, with three lines of context, and edits
 * whose context touches are one hunk.
 */

/** Lines [start, end) of the old text (0-based) replaced by `lines`. */
export interface LineChange {
  start: number;
  end: number;
  lines: string[];
}

const CONTEXT = 3;

/**
 * @param oldLines the old file's lines, without line endings
 * @param endsWithNewline whether the old (and new) file ends with a line ending
 */
export function unifiedDiff(
  path: string,
  oldLines: readonly string[],
  changes: readonly LineChange[],
  endsWithNewline: boolean,
): string {
  // Adjacent changes print as one: their removed lines, then their added lines.
  const sorted: LineChange[] = [];
  for (const change of [...changes].sort((a, b) => a.start - b.start)) {
    const previous = sorted[sorted.length - 1];
    if (previous && previous.end === change.start)
      sorted[sorted.length - 1] = {
        start: previous.start,
        end: change.end,
        lines: [...previous.lines, ...change.lines],
      };
    else sorted.push(change);
  }
  if (sorted.length === 0) return '';
  const hunks: LineChange[][] = [];
  for (const change of sorted) {
    const current = hunks[hunks.length - 1];
    const previous = current?.[current.length - 1];
    if (current && previous && change.start - previous.end <= 2 * CONTEXT) current.push(change);
    else hunks.push([change]);
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  // New line numbers lag or lead the old ones by what the earlier changes added or removed.
  let shift = 0;
  for (const hunk of hunks) {
    const first = hunk[0] as LineChange;
    const last = hunk[hunk.length - 1] as LineChange;
    const from = Math.max(0, first.start - CONTEXT);
    const to = Math.min(oldLines.length, last.end + CONTEXT);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let cursor = from;
    const context = (until: number) => {
      for (; cursor < until; cursor++) {
        body.push(` ${oldLines[cursor] ?? ''}`);
        oldCount++;
        newCount++;
      }
    };
    let hunkShift = 0;
    const noNewline = '\\ No newline at end of file';
    for (const change of hunk) {
      context(change.start);
      const atEnd = !endsWithNewline && change.end === oldLines.length;
      for (let i = change.start; i < change.end; i++) body.push(`-${oldLines[i] ?? ''}`);
      if (atEnd && change.end > change.start) body.push(noNewline);
      for (const line of change.lines) body.push(`+${line}`);
      if (atEnd && change.lines.length > 0) body.push(noNewline);
      oldCount += change.end - change.start;
      newCount += change.lines.length;
      hunkShift += change.lines.length - (change.end - change.start);
      cursor = change.end;
    }
    context(to);
    const oldStart = oldCount === 0 ? from : from + 1;
    const newStart = newCount === 0 ? from + shift : from + shift + 1;
    // The file's last line without a line ending is marked, as diff marks it.
    if (!endsWithNewline && to === oldLines.length && last.end < oldLines.length) body.push(noNewline);
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body);
    shift += hunkShift;
  }
  return `${out.join('\n')}\n`;
}
