/**
 * Environment files (file commands): each step gets fresh GITHUB_ENV, GITHUB_OUTPUT,
 * GITHUB_STATE, GITHUB_PATH and GITHUB_STEP_SUMMARY files; after the step the runner reads them.
 *
 * Reproduced from GitHub: `NAME=value` lines and `NAME<<DELIMITER` heredocs (CRLF or LF);
 * "Invalid format" / "Matching delimiter not found" errors fail the step; GITHUB_ENV refuses
 * NODE_OPTIONS; GITHUB_PATH lines are prepended to PATH, the last line first.
 *
 * The files are the job's to write, but the runner reads them as the cloud: each is created
 * new (never through an existing name) and read back only if it is still a regular file of
 * bounded size, never through a symbolic link. A step that swapped its GITHUB_PATH for a link to
 * the cloud's admin key would otherwise have had the key's lines put on its PATH. The directory
 * itself is the runner's (outside a job container's writable directory, ./container/job-mounts.ts).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';

export type FileCommandKind = 'GITHUB_ENV' | 'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY';

const KINDS: readonly FileCommandKind[] = [
  'GITHUB_ENV',
  'GITHUB_OUTPUT',
  'GITHUB_STATE',
  'GITHUB_PATH',
  'GITHUB_STEP_SUMMARY',
];

/** The most the runner reads of one file (GitHub limits a summary to 1 MiB; the others are smaller in practice). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Creates `file` with `content`, never through an existing name or a symbolic link. */
export function createNewFile(file: string, content: string, mode: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** The five files of one step, created empty. */
export function createFileCommandFiles(dir: string): Record<FileCommandKind, string> {
  makePrivateDir(dir);
  const id = randomUUID();
  const files = {} as Record<FileCommandKind, string>;
  for (const kind of KINDS) {
    const file = join(dir, `${kind.replace('GITHUB_', '').toLowerCase()}_${id}`);
    // A step writes credentials here (configure-aws-credentials exports its keys).
    createNewFile(file, '', PRIVATE_FILE_MODE);
    files[kind] = file;
  }
  return files;
}

/** A file a step wrote, if it is still a regular file (not a link, a FIFO or a device) of bounded size; '' when gone. */
function readStepFile(file: string, kind: FileCommandKind): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new FileCommandError(
      `Unable to process file command '${kind}': the file was replaced by something that is not a file`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new FileCommandError(
        `Unable to process file command '${kind}': the file was replaced by something that is not a file`,
      );
    if (stat.size > MAX_FILE_BYTES)
      throw new FileCommandError(
        `Unable to process file command '${kind}': the file is larger than ${MAX_FILE_BYTES} bytes`,
      );
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A file command the step wrote wrongly; the message is GitHub's. */
export class FileCommandError extends Error {
  override readonly name = 'FileCommandError';
}

/** Parses a GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE file into ordered name/value pairs. */
export function parseKeyValueFile(content: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = content.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (name === '') throw new FileCommandError(`Invalid format '${line}'`);
      pairs.push([name, line.slice(eq + 1)]);
      continue;
    }
    if (heredoc > 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === '') throw new FileCommandError(`Invalid format '${line}'`);
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] as string);
      }
      if (!closed) throw new FileCommandError(`Matching delimiter not found '${delimiter}'`);
      pairs.push([name, body.join('\n')]);
      continue;
    }
    throw new FileCommandError(`Invalid format '${line}'`);
  }
  return pairs;
}

/** What a step's files said. */
export interface FileCommandResults {
  env: [string, string][];
  outputs: [string, string][];
  state: [string, string][];
  /** Directories to prepend to PATH, in the order they should appear (the last written first). */
  path: string[];
  summary: string;
}

/** Reads the files after a step; a malformed file throws FileCommandError. */
export function readFileCommands(files: Record<FileCommandKind, string>): FileCommandResults {
  const read = (kind: FileCommandKind) => readStepFile(files[kind], kind);
  const env = parseKeyValueFile(read('GITHUB_ENV'));
  for (const [name] of env) {
    if (name.toUpperCase() === 'NODE_OPTIONS')
      throw new FileCommandError("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
  }
  const path = read('GITHUB_PATH')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .reverse();
  return {
    env,
    outputs: parseKeyValueFile(read('GITHUB_OUTPUT')),
    state: parseKeyValueFile(read('GITHUB_STATE')),
    path,
    summary: read('GITHUB_STEP_SUMMARY'),
  };
}
