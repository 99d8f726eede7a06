/**
 * hashFiles(): the one expression function that reads the disk, synchronously because
 * @actions/expressions calls functions synchronously.
 *
 * GitHub's algorithm (actions/runner's hashFiles): glob the patterns relative to the workspace, skip
 * directories and anything outside the workspace, SHA-256 each matched file, feed each file's binary
 * digest into one outer SHA-256, and return its hex digest; '' when no file matched.
 *
 * By design: files are visited depth-first with each directory's entries sorted by name (GitHub
 * walks in the file system's order), so the same tree always hashes the same. Symbolic links to files
 * are followed; symbolic links to directories are not descended (avoids cycles).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { compileFileGlobs, matchesFileGlobs } from './glob.js';

/** Hashes the files under `workspace` selected by `patterns`; '' without a workspace or a match. */
export function hashFiles(workspace: string | undefined, patterns: readonly string[]): string {
  if (workspace === undefined) return '';
  const globs = compileFileGlobs(patterns.map((pattern) => workspaceRelative(workspace, pattern)));
  if (globs.length === 0 || globs.every((glob) => glob.negated)) return '';
  const outer = createHash('sha256');
  let matched = 0;
  for (const file of filesUnder(workspace, '')) {
    if (!matchesFileGlobs(globs, file)) continue;
    outer.update(
      createHash('sha256')
        .update(readFileSync(join(workspace, file)))
        .digest(),
    );
    matched++;
  }
  return matched === 0 ? '' : outer.digest('hex');
}

/** Patterns may be absolute (`${{ github.workspace }}/src/x`); those inside the workspace become relative. */
function workspaceRelative(workspace: string, pattern: string): string {
  const trimmed = pattern.trim();
  const negation = trimmed.startsWith('!') ? '!' : '';
  const body = negation ? trimmed.slice(1).trim() : trimmed;
  if (!isAbsolute(body)) return `${negation}${body}`;
  const inside = relative(workspace, body);
  // Outside the workspace: GitHub ignores such files, so the pattern can select nothing.
  if (inside.startsWith('..') || isAbsolute(inside)) return '';
  return `${negation}${inside.split(sep).join('/') || '**'}`;
}

/** Workspace-relative paths (with `/`) of the regular files under `directory`, depth-first, sorted. */
function* filesUnder(workspace: string, directory: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(join(workspace, directory), { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory()) {
      yield* filesUnder(workspace, path);
    } else if (entry.isFile()) {
      yield path;
    } else if (entry.isSymbolicLink()) {
      try {
        if (statSync(join(workspace, path)).isFile()) yield path;
      } catch {
        // A dangling link matches nothing.
      }
    }
  }
}
