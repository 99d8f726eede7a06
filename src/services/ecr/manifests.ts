/**
 * Reading a pushed manifest: which of the four media types it is, and what it references.
 * Docker v2 schema 2 and OCI image manifests reference a config and layers (blobs); Docker
 * manifest lists and OCI indexes reference child manifests. An OCI manifest or index may name
 * a `subject` (the referrers API) and an `artifactType`.
 *
 * Schema 1 manifests (deprecated, signed JWS) are refused, as Docker Hub and recent
 * distribution releases refuse them.
 */

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export const MANIFEST_MEDIA_TYPES: readonly string[] = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX];

/** Foreign (non-distributable) layers live elsewhere (their `urls`); registries do not hold them. */
const FOREIGN_LAYERS = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

/** sha256:<64 hex>, or another registered algorithm (the OCI digest grammar). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

/** What a manifest says about itself and what it needs to exist. */
export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** For images: the config descriptor. */
  config?: Descriptor;
  /** For images: the layers the registry must hold (foreign layers left out). */
  layers: Descriptor[];
  /** For indexes: the child manifests. */
  manifests: Descriptor[];
  artifactType?: string;
  subjectDigest?: string;
}

export type ManifestParse = { ok: true; manifest: ParsedManifest } | { ok: false; message: string };

/** True for a digest in the OCI grammar. */
export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

/**
 * Parses `content` as a manifest. The media type is the body's `mediaType` when it has one,
 * otherwise `declared` (the request's Content-Type or imageManifestMediaType).
 */
export function parseManifest(content: Buffer, declared: string | undefined): ManifestParse {
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, message: 'Invalid JSON syntax' };
  }
  if (!isObject(raw)) return { ok: false, message: 'Invalid JSON syntax' };
  const request = declared?.split(';')[0]?.trim() || undefined;
  const body = typeof raw.mediaType === 'string' ? raw.mediaType : undefined;
  if (body !== undefined && request !== undefined && body !== request && MANIFEST_MEDIA_TYPES.includes(request)) {
    return { ok: false, message: `Manifest media type '${body}' does not match the declared media type '${request}'` };
  }
  // ECR's words when neither the manifest nor the request names a media type (aws/aws-sdk#193).
  const mediaType = body ?? request;
  if (mediaType === undefined) return { ok: false, message: 'Invalid JSON syntax' };
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType))
    return { ok: false, message: `Unsupported manifest media type '${mediaType}'` };
  if (raw.schemaVersion !== 2) return { ok: false, message: 'Manifest schemaVersion must be 2' };

  const artifactType = typeof raw.artifactType === 'string' ? raw.artifactType : undefined;
  const subject = raw.subject === undefined ? undefined : readDescriptor(raw.subject, 'subject');
  if (typeof subject === 'string') return { ok: false, message: subject };

  if (mediaType === DOCKER_MANIFEST_LIST || mediaType === OCI_INDEX) {
    const manifests = readDescriptors(raw.manifests, 'manifests');
    if (typeof manifests === 'string') return { ok: false, message: manifests };
    return {
      ok: true,
      manifest: { mediaType, kind: 'index', layers: [], manifests, artifactType, subjectDigest: subject?.digest },
    };
  }
  const config = readDescriptor(raw.config, 'config');
  if (typeof config === 'string') return { ok: false, message: config };
  const layers = readDescriptors(raw.layers, 'layers');
  if (typeof layers === 'string') return { ok: false, message: layers };
  return {
    ok: true,
    manifest: {
      mediaType,
      kind: 'image',
      config,
      layers: layers.filter((l) => l.mediaType === undefined || !FOREIGN_LAYERS.has(l.mediaType)),
      manifests: [],
      // OCI: an image manifest without artifactType is typed by its config's media type.
      artifactType: artifactType ?? config.mediaType,
      subjectDigest: subject?.digest,
    },
  };
}

function readDescriptors(value: unknown, field: string): Descriptor[] | string {
  if (!Array.isArray(value)) return `Manifest field '${field}' must be a list of descriptors`;
  const out: Descriptor[] = [];
  for (const [index, item] of value.entries()) {
    const descriptor = readDescriptor(item, `${field}[${index}]`);
    if (typeof descriptor === 'string') return descriptor;
    out.push(descriptor);
  }
  return out;
}

function readDescriptor(value: unknown, field: string): Descriptor | string {
  if (!isObject(value)) return `Manifest field '${field}' must be a descriptor`;
  const { digest, size, mediaType } = value;
  if (typeof digest !== 'string' || !isDigest(digest)) return `Manifest field '${field}' has an invalid digest`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return `Manifest field '${field}' has an invalid size`;
  if (mediaType !== undefined && typeof mediaType !== 'string')
    return `Manifest field '${field}' has an invalid mediaType`;
  return mediaType === undefined ? { digest, size } : { digest, size, mediaType };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
