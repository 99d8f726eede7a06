/**
 * `docker buildx imagetools inspect | create`: images read and indexes written in registries
 * directly, as buildx does. `create` combines the sources' manifests (an index's entries, or a
 * single manifest with its platform read from its config) into one index pushed under each
 * tag; sources in another repository of the same registry are mounted into the target first.
 * Gaps: copying between registries, annotations, and `--format` templates other than
 * `{{json .Manifest}}` and `{{json .}}`.
 */
import { arrayFlag, boolFlag, parseFlags, stringFlag, UsageError } from './flags.js';
import { formatReference, parseReference, type ImageReference } from './reference.js';
import { MANIFEST_TYPES, RegistryClient, type FetchedManifest } from './registry-client.js';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
}

function isIndex(mediaType: string): boolean {
  return mediaType === MANIFEST_TYPES.dockerList || mediaType === MANIFEST_TYPES.ociIndex;
}

function platformText(p: Descriptor['platform']): string {
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : 'unknown/unknown';
}

/** `imagetools inspect NAME`. */
export async function imagetoolsInspect(configDir: string, args: string[], out: (text: string) => void): Promise<void> {
  const flags = parseFlags(args, [
    { name: 'raw', kind: 'bool' },
    { name: 'format', kind: 'string' },
    { name: 'builder', kind: 'string' },
  ]);
  if (flags.positional.length !== 1)
    throw new UsageError('"docker buildx imagetools inspect" requires exactly 1 argument.');
  const ref = parseReference(flags.positional[0] ?? '');
  const manifest = await new RegistryClient(configDir).getManifest(ref);
  if (boolFlag(flags, 'raw')) {
    out(manifest.body.toString('utf8').replace(/\n?$/, '\n'));
    return;
  }
  const parsed = JSON.parse(manifest.body.toString('utf8')) as { manifests?: Descriptor[] };
  const summary = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
  const format = stringFlag(flags, 'format');
  if (format) {
    const compact = format.replace(/\s+/g, '');
    if (compact === '{{json.Manifest}}')
      out(JSON.stringify({ ...summary, ...(parsed.manifests ? { manifests: parsed.manifests } : {}) }, null, 2) + '\n');
    else if (compact === '{{json.}}')
      out(
        JSON.stringify(
          {
            name: formatReference(ref),
            manifest: { ...summary, ...(parsed.manifests ? { manifests: parsed.manifests } : {}) },
          },
          null,
          2,
        ) + '\n',
      );
    else
      throw new UsageError(
        `--format ${format} is not supported by dockyard's imagetools: use {{json .Manifest}}, {{json .}} or --raw`,
      );
    return;
  }
  const name = formatReference({ ...ref, digest: undefined });
  const lines = [`Name:      ${name}`, `MediaType: ${manifest.mediaType}`, `Digest:    ${manifest.digest}`];
  if (parsed.manifests) {
    lines.push('', 'Manifests:');
    parsed.manifests.forEach((m, i) => {
      if (i > 0) lines.push('');
      lines.push(
        `  Name:        ${formatReference({ ...ref, tag: undefined, digest: m.digest })}`,
        `  MediaType:   ${m.mediaType}`,
        `  Platform:    ${platformText(m.platform)}`,
      );
    });
  }
  out(lines.join('\n') + '\n');
}

async function platformOf(
  client: RegistryClient,
  ref: ImageReference,
  manifest: FetchedManifest,
): Promise<Descriptor['platform']> {
  const parsed = JSON.parse(manifest.body.toString('utf8')) as { config?: { digest?: string } };
  if (!parsed.config?.digest) return undefined;
  const config = await client.getBlobJson(ref, parsed.config.digest);
  const c = config as { architecture?: string; os?: string; variant?: string };
  return { architecture: c.architecture ?? 'amd64', os: c.os ?? 'linux', ...(c.variant ? { variant: c.variant } : {}) };
}

/** `imagetools create -t TAG SOURCE...`. */
export async function imagetoolsCreate(configDir: string, args: string[], out: (text: string) => void): Promise<void> {
  const flags = parseFlags(args, [
    { name: 'tag', short: 't', kind: 'array' },
    { name: 'file', short: 'f', kind: 'array' },
    { name: 'append', kind: 'bool' },
    { name: 'dry-run', kind: 'bool' },
    { name: 'prefer-index', kind: 'bool' },
    { name: 'annotation', kind: 'array' },
    { name: 'progress', kind: 'string' },
    { name: 'builder', kind: 'string' },
  ]);
  if (arrayFlag(flags, 'file').length > 0)
    throw new UsageError("--file is not supported by dockyard's imagetools: name the sources");
  if (arrayFlag(flags, 'annotation').length > 0)
    throw new UsageError("--annotation is not supported by dockyard's imagetools");
  const tags = arrayFlag(flags, 'tag').map(parseReference);
  const sources = flags.positional.map(parseReference);
  if (boolFlag(flags, 'append')) {
    const first = tags[0];
    if (!first) throw new UsageError('--append requires a tag');
    sources.unshift(first);
  }
  if (sources.length === 0) throw new UsageError('no sources specified');
  if (tags.length === 0 && !boolFlag(flags, 'dry-run'))
    throw new UsageError('no tags specified, use --dry-run to print the result');
  const client = new RegistryClient(configDir);
  const entries: { source: ImageReference; descriptor: Descriptor; manifest?: FetchedManifest }[] = [];
  for (const source of sources) {
    const manifest = await client.getManifest(source);
    if (isIndex(manifest.mediaType)) {
      const parsed = JSON.parse(manifest.body.toString('utf8')) as { manifests?: Descriptor[] };
      for (const d of parsed.manifests ?? []) entries.push({ source, descriptor: d });
    } else {
      entries.push({
        source,
        manifest,
        descriptor: {
          mediaType: manifest.mediaType,
          digest: manifest.digest,
          size: manifest.size,
          platform: await platformOf(client, source, manifest),
        },
      });
    }
  }
  const unique = entries.filter((e, i) => entries.findIndex((o) => o.descriptor.digest === e.descriptor.digest) === i);
  const docker = unique.every((e) => e.descriptor.mediaType === MANIFEST_TYPES.dockerManifest);
  const mediaType = docker ? MANIFEST_TYPES.dockerList : MANIFEST_TYPES.ociIndex;
  const body = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType, manifests: unique.map((e) => e.descriptor) }, null, 2),
  );
  if (boolFlag(flags, 'dry-run')) {
    out(body.toString('utf8') + '\n');
    return;
  }
  for (const tag of tags) {
    for (const entry of unique) {
      if (entry.source.host === tag.host && entry.source.path === tag.path) continue;
      if (entry.source.host !== tag.host)
        throw new Error(
          `copying ${formatReference(entry.source)} to another registry (${tag.host}) is not supported by dockyard's imagetools: push the image there first`,
        );
      await client.copyManifest(entry.source, tag, entry.descriptor.digest);
    }
    const digest = await client.putManifest(tag, tag.tag ?? 'latest', mediaType, body);
    out(`pushing ${formatReference(tag)}@${digest}\n`);
  }
}
