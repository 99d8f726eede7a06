/**
 * `docker buildx build` on dockyard's builder: the driver's rules (buildx's own messages for
 * what its docker driver refuses), one engine build per platform, then each export — loaded
 * into the engine (`--load`, the docker driver's default), pushed (`--push`, one image per tag,
 * or per platform plus an image index for a multi-platform build), or copied out as a
 * filesystem (`type=local`, `type=tar`) — and the iidfile and metadata file buildx writes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { EngineHttpClient } from '../engine/http-client.js';
import type { BuilderInstance } from './builders.js';
import { AttestationError, type BuildRequest, type Export } from './build-options.js';
import { contextFromDirectory } from './context-tar.js';
import { engineBuild } from './engine-build.js';
import { enginePush, engineTag, engineUntag } from './engine-push.js';
import { formatPlatform, type Platform } from './platforms.js';
import { parseReference, withDefaultTag } from './reference.js';
import { MANIFEST_TYPES, RegistryClient } from './registry-client.js';

/** Where a build writes and what it may read. */
export interface BuildEnvironment {
  engine: EngineHttpClient;
  configDir: string;
  builder: BuilderInstance;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  progress: (line: string) => void;
  warn: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/** buildx's error for a feature its docker driver lacks (build/utils.go notSupported). */
export function notSupported(feature: string, driver: string, docs: string): Error {
  return new Error(
    `${feature} is not supported for the ${driver} driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\nLearn more at ${docs}`,
  );
}

/** The metadata file's content (buildx's `--metadata-file`). */
export type BuildMetadata = Record<string, unknown>;

function readStdin(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A build reference as buildx records one (`builder/node/id`). */
function buildRef(builder: BuilderInstance): string {
  const id = [...randomBytes(25)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
  return `${builder.name}/${builder.name === 'default' ? 'default' : `${builder.name}0`}/${id}`;
}

/** Checks the request against the builder's driver, and decides the exports. */
function plan(
  request: BuildRequest,
  builder: BuilderInstance,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Export[] {
  const docker = builder.driver === 'docker';
  if (docker && request.platforms.length > 1)
    throw notSupported('Multi-platform build', 'docker', 'https://docs.docker.com/go/build-multi-platform/');
  const outputs = [...request.exports];
  if (outputs.length === 0) {
    if (docker && !/^(1|true)$/i.test(env.BUILDX_NO_DEFAULT_LOAD ?? '')) outputs.push({ type: 'docker' });
    else
      warn(
        `WARNING: No output specified with ${builder.driver} driver. Build result will only remain in the build cache. To push result image into registry use --push or to load image into docker use --load`,
      );
  }
  if (request.platforms.length > 1 && outputs.some((e) => e.type === 'docker'))
    throw new Error('docker exporter does not currently support exporting manifest lists');
  for (const e of outputs) {
    if (e.type === 'image' && e.push && e.names.length === 0 && request.tags.length === 0)
      throw new Error('tag is needed when pushing to registry');
  }
  return outputs;
}

/** Runs a build; resolves with the metadata buildx would write. */
export async function runBuild(
  request: BuildRequest,
  cacheExport: boolean,
  env: BuildEnvironment,
): Promise<BuildMetadata> {
  const { engine, builder } = env;
  if (cacheExport && builder.driver === 'docker')
    throw notSupported('Cache export', 'docker', 'https://docs.docker.com/go/build-cache-backends/');
  for (const notice of request.notices) env.warn(`WARNING: ${notice}`);
  const outputs = plan(request, builder, env.env, env.warn);
  const tags = request.tags.map((t) => {
    parseReference(t);
    return t;
  });
  const dockerfileText = request.file === '-' || request.context === '-' ? await readStdin(env.stdin) : undefined;
  if (request.context === '-')
    throw new Error("a build context from stdin is not supported by dockyard's builder: pass a directory");

  const platforms: (Platform | undefined)[] = request.platforms.length === 0 ? [undefined] : request.platforms;
  const multi = platforms.length > 1;
  const temporary = `dockyard-buildx-${randomBytes(6).toString('hex')}`;
  const images: { platform?: Platform; id: string; name: string }[] = [];
  // The docker driver's image exporter is the engine's own store: what it pushes it also keeps.
  const loads = outputs.some((e) => e.type === 'docker' || (e.type === 'image' && builder.driver === 'docker'));
  try {
    for (const platform of platforms) {
      if (multi && platform) env.progress(`#${images.length + 1} building for ${formatPlatform(platform)}`);
      const context = contextFromDirectory(request.context, request.file, dockerfileText);
      // One platform builds under its tags; each of several under a temporary name, combined on push.
      const name = multi
        ? `localhost/${temporary}:${platform?.architecture ?? 'native'}${platform?.variant ?? ''}`
        : tags[0];
      let id = await engineBuild(engine, {
        request,
        context,
        tags: multi && name ? [name] : tags,
        ...(platform ? { platform } : {}),
        configDir: env.configDir,
        progress: env.progress,
      });
      if (platform && (await imageArchitecture(engine, id)) !== platform.architecture) {
        // Engine quirk: the classic builder's layer cache ignores the platform, so a step cached
        // from another platform's build can carry that platform's config. Built again, uncached.
        env.progress(`the cached result is not ${formatPlatform(platform)}: building it again without the cache`);
        const again = contextFromDirectory(request.context, request.file, dockerfileText);
        id = await engineBuild(engine, {
          request: { ...request, noCache: true },
          context: again,
          tags: multi && name ? [name] : tags,
          platform,
          configDir: env.configDir,
          progress: env.progress,
        });
      }
      images.push({ ...(platform ? { platform } : {}), id, name: name ?? id });
    }

    const metadata: BuildMetadata = { 'buildx.build.ref': buildRef(builder) };
    const single = images.length === 1 ? images[0] : undefined;
    if (single) metadata['containerimage.config.digest'] = single.id;
    let pushedDigest: string | undefined;
    let descriptor: { mediaType: string; digest: string; size: number } | undefined;
    for (const exp of outputs) {
      if (exp.type === 'image') {
        const names = exp.names.length > 0 ? exp.names : tags;
        if (names.length > 0) metadata['image.name'] = names.join(',');
        if (!exp.push) continue;
        const result = multi
          ? await pushIndex(env, images, names)
          : await pushSingle(env, images[0]?.id ?? '', names, tags);
        pushedDigest ??= result.digest;
        descriptor ??= result.descriptor;
      } else if (exp.type === 'docker') {
        if (single && exp.dest) await saveImage(engine, tags.length > 0 ? tags : [single.id], exp.dest);
        if (tags.length > 0) metadata['image.name'] = tags.join(',');
      } else if (single) {
        await exportFilesystem(engine, single.id, exp);
      }
    }
    if (pushedDigest) {
      metadata['containerimage.digest'] = pushedDigest;
      if (descriptor) metadata['containerimage.descriptor'] = descriptor;
    } else if (single && loads) {
      metadata['containerimage.digest'] = single.id;
    }
    if (request.iidFile)
      writeFileSync(request.iidFile, String(metadata['containerimage.config.digest'] ?? pushedDigest ?? ''));
    if (request.metadataFile) writeFileSync(request.metadataFile, JSON.stringify(metadata, null, 2));
    if (request.quiet) env.stdout.write(`${String(metadata['containerimage.config.digest'] ?? pushedDigest ?? '')}\n`);
    return metadata;
  } finally {
    // What was built but not asked to be loaded leaves the engine, as a BuildKit builder's results stay out of it.
    if (multi) for (const image of images) await engineUntag(engine, image.name);
    else if (!loads)
      for (const name of tags.length > 0 ? tags : images.map((i) => i.id)) await engineUntag(engine, name);
  }
}

async function pushSingle(
  env: BuildEnvironment,
  id: string,
  names: string[],
  tags: string[],
): Promise<{ digest: string; descriptor?: { mediaType: string; digest: string; size: number } }> {
  let digest: string | undefined;
  for (const name of names) {
    if (!tags.includes(name)) await engineTag(env.engine, id, name);
    const pushed = await enginePush(env.engine, withDefaultTag(name), env.configDir, env.progress);
    digest ??= pushed;
  }
  if (!digest) throw new Error('tag is needed when pushing to registry');
  let descriptor: { mediaType: string; digest: string; size: number } | undefined;
  try {
    const first = parseReference(names[0] ?? '');
    const manifest = await new RegistryClient(env.configDir).getManifest({
      host: first.host,
      path: first.path,
      digest,
    });
    descriptor = { mediaType: manifest.mediaType, digest, size: manifest.size };
  } catch (error) {
    env.warn(
      `WARNING: could not read back the pushed manifest: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { digest, ...(descriptor ? { descriptor } : {}) };
}

/**
 * A multi-platform push: each platform's image pushed to the repository, then an index naming
 * them, under every tag. Platform images stay in the repository untagged, as BuildKit leaves them.
 */
async function pushIndex(
  env: BuildEnvironment,
  images: { platform?: Platform; id: string; name: string }[],
  names: string[],
): Promise<{ digest: string; descriptor: { mediaType: string; digest: string; size: number } }> {
  const client = new RegistryClient(env.configDir);
  let result: { digest: string; descriptor: { mediaType: string; digest: string; size: number } } | undefined;
  const pushedTo = new Map<string, { mediaType: string; body: Buffer }>();
  for (const name of names) {
    const ref = parseReference(withDefaultTag(name));
    const repository = `${ref.host}/${ref.path}`;
    let index = pushedTo.get(repository);
    if (!index) {
      const entries: { mediaType: string; digest: string; size: number; platform: Record<string, string> }[] = [];
      for (const image of images) {
        await engineTag(env.engine, image.id, withDefaultTag(name));
        const digest = await enginePush(env.engine, withDefaultTag(name), env.configDir, env.progress);
        await engineUntag(env.engine, withDefaultTag(name));
        const manifest = await client.getManifest({ host: ref.host, path: ref.path, digest });
        const p = image.platform;
        entries.push({
          mediaType: manifest.mediaType,
          digest,
          size: manifest.size,
          platform: {
            architecture: p?.architecture ?? 'amd64',
            os: p?.os ?? 'linux',
            ...(p?.variant ? { variant: p.variant } : {}),
          },
        });
      }
      const docker = entries.every((e) => e.mediaType === MANIFEST_TYPES.dockerManifest);
      const mediaType = docker ? MANIFEST_TYPES.dockerList : MANIFEST_TYPES.ociIndex;
      index = {
        mediaType,
        body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }, null, 2)),
      };
      pushedTo.set(repository, index);
    }
    const digest = await client.putManifest(ref, ref.tag ?? 'latest', index.mediaType, index.body);
    env.progress(`pushing manifest list for ${name}@${digest}`);
    result ??= { digest, descriptor: { mediaType: index.mediaType, digest, size: index.body.length } };
  }
  if (!result) throw new Error('tag is needed when pushing to registry');
  return result;
}

async function imageArchitecture(engine: EngineHttpClient, id: string): Promise<string | undefined> {
  const info = await engine.json<{ Architecture?: string }>({
    operation: 'inspect image',
    method: 'GET',
    path: `/images/${encodeURIComponent(id)}/json`,
  });
  return info?.Architecture;
}

async function saveImage(engine: EngineHttpClient, names: string[], dest: string): Promise<void> {
  const res = await engine.stream({ operation: 'save', method: 'GET', path: '/images/get', query: { names } });
  await pipeline(res, createWriteStream(dest));
}

/** `type=local` / `type=tar`: the image's filesystem, from a container made of it and exported. */
async function exportFilesystem(
  engine: EngineHttpClient,
  id: string,
  exp: Extract<Export, { type: 'local' | 'tar' }>,
): Promise<void> {
  const created = await engine.json<{ Id: string }>({
    operation: 'create container',
    method: 'POST',
    path: '/containers/create',
    json: { Image: id, Cmd: ['/'], Entrypoint: [] },
  });
  const container = created?.Id ?? '';
  try {
    const res = await engine.stream({ operation: 'export', method: 'GET', path: `/containers/${container}/export` });
    if (exp.type === 'tar') {
      await pipeline(res, exp.dest === '-' ? process.stdout : createWriteStream(exp.dest));
      return;
    }
    mkdirSync(exp.dest, { recursive: true });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', exp.dest, '--no-same-owner'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    tar.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
    await pipeline(res, tar.stdin);
    if ((await exited) !== 0) throw new Error(`exporting to ${exp.dest} failed: ${stderr.trim()}`);
  } finally {
    await engine
      .text({
        operation: 'remove container',
        method: 'DELETE',
        path: `/containers/${container}`,
        query: { force: '1' },
      })
      .catch(() => undefined);
  }
}

/** Re-exported for the command: attestations are refused with a message per driver. */
export function attestationMessage(error: AttestationError, driver: string): Error {
  if (driver === 'docker') return notSupported('Attestation', 'docker', 'https://docs.docker.com/go/attestations/');
  return error;
}

/** Reads the iidfile a build wrote (for tests and the actions). */
export function readIidFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
