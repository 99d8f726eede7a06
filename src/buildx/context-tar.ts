/**
 * A build context as the tar stream Docker's build endpoint reads, made the way the docker CLI
 * makes it: the directory walked in name order, .dockerignore (or `<Dockerfile>.dockerignore`)
 * applied, the Dockerfile and the ignore file always sent, a Dockerfile from outside the context
 * (or from stdin) added under a generated name, and POSIX ustar headers with PAX records for long
 * names. Streamed, so a large context never sits in memory.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  type Stats,
} from 'node:fs';
import { posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { IgnoreMatcher } from './ignore-patterns.js';
import { BLOCK, entryHeaders, padding } from './tar-format.js';

/** What to send and where the Dockerfile is inside it. */
export interface BuildContext {
  stream: Readable;
  /** The Dockerfile's path inside the context, as the build endpoint's `dockerfile` parameter. */
  dockerfile: string;
}

async function* fileChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let left = size;
    while (left > 0) {
      const chunk = Buffer.alloc(Math.min(left, 1024 * 1024));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) throw new Error(`${path} changed while it was sent (shorter than ${size} bytes)`);
      left -= read;
      yield read === chunk.length ? chunk : chunk.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

interface Walked {
  rel: string;
  abs: string;
  stats: Stats;
}

/** Context files in the order Docker sends them: a directory, then its entries by name. */
function* walk(root: string, ignore: IgnoreMatcher, always: Set<string>): Generator<Walked> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const dir = stack.pop() ?? '';
    const names = readdirSync(dir === '' ? root : resolve(root, dir)).sort();
    const subdirs: string[] = [];
    for (const name of names) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      const abs = resolve(root, rel);
      const stats = lstatSync(abs);
      const excluded = !always.has(rel) && ignore.excludes(rel);
      if (stats.isDirectory()) {
        // An excluded directory is still entered when a `!` pattern or a file always sent may lie below it.
        if (excluded && !ignore.mayIncludeBelow(rel) && ![...always].some((a) => a.startsWith(`${rel}/`))) continue;
        if (!excluded) yield { rel, abs, stats };
        subdirs.push(rel);
        continue;
      }
      if (excluded) continue;
      yield { rel, abs, stats };
    }
    for (const sub of subdirs.reverse()) stack.push(sub);
  }
}

async function* tarStream(
  root: string,
  ignore: IgnoreMatcher,
  always: Set<string>,
  extra: { name: string; content: Buffer } | undefined,
): AsyncGenerator<Buffer> {
  for (const item of walk(root, ignore, always)) {
    const mtime = item.stats.mtimeMs / 1000;
    const mode = item.stats.mode;
    if (item.stats.isDirectory()) {
      yield* entryHeaders(`${item.rel}/`, { size: 0, mode, mtime }, '5');
    } else if (item.stats.isSymbolicLink()) {
      yield* entryHeaders(item.rel, { size: 0, mode, mtime }, '2', readlinkSync(item.abs));
    } else if (item.stats.isFile()) {
      yield* entryHeaders(item.rel, { size: item.stats.size, mode, mtime }, '0');
      yield* fileChunks(item.abs, item.stats.size);
      yield padding(item.stats.size);
    }
    // Sockets, FIFOs and devices are skipped, as the CLI's archiver skips sockets.
  }
  if (extra) {
    yield* entryHeaders(extra.name, { size: extra.content.length, mode: 0o644, mtime: Date.now() / 1000 }, '0');
    yield extra.content;
    yield padding(extra.content.length);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Reads the ignore file that applies: `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's. */
function ignoreFile(root: string, dockerfileAbs: string | undefined): { matcher: IgnoreMatcher; rel?: string } {
  if (dockerfileAbs !== undefined) {
    const specific = `${dockerfileAbs}.dockerignore`;
    if (existsSync(specific)) {
      const rel = relative(root, specific).split(sep).join('/');
      return { matcher: new IgnoreMatcher(readFileSync(specific, 'utf8')), ...(rel.startsWith('..') ? {} : { rel }) };
    }
  }
  const general = resolve(root, '.dockerignore');
  if (existsSync(general)) return { matcher: new IgnoreMatcher(readFileSync(general, 'utf8')), rel: '.dockerignore' };
  return { matcher: new IgnoreMatcher('') };
}

/**
 * The context directory `contextDir` as a tar stream, with `dockerfile` (a path, `-` for
 * `dockerfileText`, or empty for `<context>/Dockerfile`).
 */
export function contextFromDirectory(contextDir: string, dockerfile: string, dockerfileText?: Buffer): BuildContext {
  const root = resolve(contextDir);
  if (!existsSync(root)) throw new Error(`unable to prepare context: path "${contextDir}" not found`);
  if (!lstatSync(root).isDirectory())
    throw new Error(`unable to prepare context: context must be a directory: ${root}`);
  const fromStdin = dockerfile === '-';
  const dockerfileAbs = fromStdin ? undefined : resolve(dockerfile === '' ? resolve(root, 'Dockerfile') : dockerfile);
  if (dockerfileAbs !== undefined && !existsSync(dockerfileAbs)) {
    throw new Error(`failed to read dockerfile: open ${dockerfileAbs}: no such file or directory`);
  }
  const { matcher, rel: ignoreRel } = ignoreFile(root, dockerfileAbs);
  const always = new Set<string>();
  if (ignoreRel) always.add(ignoreRel);
  let extra: { name: string; content: Buffer } | undefined;
  let inside: string;
  const relDockerfile = dockerfileAbs === undefined ? '..' : relative(root, dockerfileAbs).split(sep).join('/');
  if (fromStdin || relDockerfile.startsWith('..') || posix.isAbsolute(relDockerfile)) {
    // As the CLI does: a Dockerfile from outside the context travels inside it under a random name.
    inside = `.dockerfile.${randomBytes(10).toString('hex')}`;
    extra = {
      name: inside,
      content: fromStdin ? (dockerfileText ?? Buffer.alloc(0)) : readFileSync(dockerfileAbs ?? ''),
    };
  } else {
    inside = relDockerfile;
    always.add(relDockerfile);
  }
  return { stream: Readable.from(tarStream(root, matcher, always, extra)), dockerfile: inside };
}
