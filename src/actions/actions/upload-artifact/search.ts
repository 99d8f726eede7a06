/**
 * upload-artifact's file search: `path` lines are @actions/glob patterns (`!` excludes), a
 * directory means everything under it, directories themselves are never uploaded, and hidden
 * files (a path segment starting with `.` below the search path) only with include-hidden-files.
 * The artifact's root is the one search path, or the deepest directory common to several;
 * a single file named on its own is uploaded without its directories.
 */
import { statSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { globModule } from '../../shared/toolkit.js';

export interface SearchResult {
  files: string[];
  rootDirectory: string;
}

export async function findFilesToUpload(patterns: string, includeHidden: boolean): Promise<SearchResult> {
  const globber = await globModule().create(patterns, { followSymbolicLinks: true, implicitDescendants: true });
  const searchPaths = globber.getSearchPaths();
  const hidden = (file: string) =>
    searchPaths.some((root) => {
      const inside = relative(root, file);
      return !inside.startsWith('..') && inside.split(sep).some((part) => part.startsWith('.'));
    });
  const files = (await globber.glob()).filter(
    (file) => !statSync(file).isDirectory() && (includeHidden || !hidden(file)),
  );
  const [first = ''] = searchPaths;
  if (searchPaths.length > 1) return { files, rootDirectory: commonAncestor(searchPaths) };
  if (files.length === 1 && files[0] === first) return { files, rootDirectory: dirname(first) };
  return { files, rootDirectory: first };
}

/** The deepest directory every path lies in. */
function commonAncestor(paths: string[]): string {
  const split = paths.map((p) => p.split(sep));
  const shortest = Math.min(...split.map((parts) => parts.length));
  const common: string[] = [];
  for (let i = 0; i < shortest; i++) {
    const part = split[0]?.[i];
    if (part === undefined || split.some((parts) => parts[i] !== part)) break;
    common.push(part);
  }
  return common.join(sep) || sep;
}
