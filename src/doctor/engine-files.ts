/**
 * The files the container engine needs at run time, read from scripts/engine-files (the one list
 * scripts/setup-engine installs from), and the check that each is there: by file, not by command,
 * so that a purged dependency such as catatonit shows up before a task fails on it.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One needed file: a path, or a command name looked up on PATH. */
export interface EngineFile {
  file: string;
  /** The Debian package that provides it. */
  package: string;
  /** What needs it, in a few words. */
  purpose: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where the list lives in the source tree. */
export const ENGINE_FILES_PATH = join(ROOT, 'scripts', 'engine-files');

/** Parses the list: `FILE PACKAGE PURPOSE…` per line, `#` comments and blank lines skipped. */
export function parseEngineFiles(text: string): EngineFile[] {
  const files: EngineFile[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [file, pkg, ...purpose] = trimmed.split(/\s+/);
    if (!file || !pkg) throw new Error(`scripts/engine-files: a line needs a file and a package: ${trimmed}`);
    files.push({ file, package: pkg, purpose: purpose.join(' ') });
  }
  return files;
}

export function readEngineFiles(path = ENGINE_FILES_PATH): EngineFile[] {
  return parseEngineFiles(readFileSync(path, 'utf8'));
}

/** True when the file exists (a symlink only when its target does) or the command is on PATH. */
export function isPresent(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const candidates = file.includes('/')
    ? [file]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, file));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, file.includes('/') ? constants.F_OK : constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The command that brings a missing file back. `--reinstall` because the package may still be
 * installed without its file (then a plain install does nothing); a deleted configuration file
 * also needs --force-confmiss, or dpkg keeps it deleted.
 */
export function installCommand(missing: EngineFile): string {
  const confmiss = missing.file.startsWith('/etc/') ? ' -o Dpkg::Options::=--force-confmiss' : '';
  return `apt-get install --reinstall${confmiss} ${missing.package}`;
}
