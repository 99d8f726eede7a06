/**
 * Manifest, tag-list and referrers routes. The ImageStore decides everything about content
 * (references exist, immutability, sizes); this module only speaks the wire.
 *
 * - PUT stores the exact bytes (≤ 4 MiB; 413 beyond) and answers 201 with Location and
 *   Docker-Content-Digest, plus OCI-Subject when the manifest names a subject.
 * - GET/HEAD by tag or digest; HEAD has GET's headers. Content-Type is the stored media type.
 * - Accept negotiation reads every Accept line (containers/image sends six). By design: when
 *   the client sent Accept and none of its entries admits the stored type, the answer is
 *   404 MANIFEST_UNKNOWN, as distribution answers ("manifest found, but accept header does
 *   not support …"); there is no other representation to offer (no schema1 conversion), and
 *   clients treat 404 as "not available in a form I read", while a 406 breaks several.
 * - DELETE by digest: 202. DELETE by tag: 400 UNSUPPORTED (the conformance suite's
 *   expectation; ECR's data plane deletes images only by digest).
 * - `tags/list` with `n`/`last` and a `Link: <…>; rel="next"` header while more remain.
 * - `referrers/<digest>`: an OCI index of the manifests whose subject is the digest,
 *   filtered by `artifactType` (then `OCI-Filters-Applied: artifactType`).
 *
 * IAM: GET/HEAD and referrers need ecr:BatchGetImage, PUT ecr:PutImage, DELETE
 * ecr:BatchDeleteImage, tags/list ecr:ListImages (what ECR requires for each).
 */
import type { ManifestPushFailure, StoredManifest } from '../core/image-store.js';
import { isDigest, parseDigest } from './digest.js';
import { registryErrors, type RegistryError } from './errors.js';
import { authorizeOn, type Exchange } from './exchange.js';
import { isValidTag } from './paths.js';
import { readBody, send } from './wire.js';

/** ECR's (and the spec's minimum) manifest size limit. */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;
const INDEX_TYPE = 'application/vnd.oci.image.index.v1+json';
/** ECR's page size limit for image listings; clients follow Link for more. */
const MAX_PAGE = 1000;

/** Serves `/v2/<name>/manifests/<reference>`. */
export async function manifestRoute(x: Exchange, name: string, reference: string): Promise<void> {
  switch (x.req.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(x, name, reference);
    case 'PUT':
      return putManifest(x, name, reference);
    case 'DELETE':
      return deleteManifest(x, name, reference);
    default:
      throw registryErrors.unsupported(`${x.req.method} is not supported on manifests`);
  }
}

function getManifest(x: Exchange, name: string, reference: string): void {
  authorizeOn(x, name, ['ecr:BatchGetImage']);
  if (!isDigest(reference) && !isValidTag(reference)) throw registryErrors.manifestUnknown(reference.slice(0, 200));
  const manifest = x.deps.images.getManifest(name, reference);
  if (!manifest) throw registryErrors.manifestUnknown(reference);
  const accept = x.req.headersDistinct.accept?.filter((line) => line.trim() !== '');
  if (accept && accept.length > 0 && !accepts(accept, manifest.mediaType)) {
    throw registryErrors.manifestUnknown(
      reference,
      `manifest found, but the Accept header does not admit its media type ${manifest.mediaType}`,
    );
  }
  const etag = `"${manifest.digest}"`;
  const headers = {
    'content-type': manifest.mediaType,
    'docker-content-digest': manifest.digest,
    etag,
    'content-length': String(manifest.content.length),
  };
  if (x.req.method === 'GET') {
    if (x.req.headers['if-none-match'] === etag) return send(x.req, x.res, 304, { ...headers, 'content-length': '0' });
    x.deps.images.recordPull(name, manifest.digest, x.deps.clock.now());
  }
  send(x.req, x.res, 200, headers, manifest.content);
}

async function putManifest(x: Exchange, name: string, reference: string): Promise<void> {
  authorizeOn(x, name, ['ecr:PutImage']);
  const byDigest = isDigest(reference);
  if (!byDigest && !isValidTag(reference)) {
    if (reference.includes(':')) throw registryErrors.digestInvalid('invalid digest', reference.slice(0, 200));
    throw registryErrors.tagInvalid(`invalid tag '${reference.slice(0, 200)}'`);
  }
  const content = await readBody(x.req, MANIFEST_LIMIT + 1);
  if (!content) throw registryErrors.manifestTooLarge(MANIFEST_LIMIT);
  const parsed = parseJson(content);
  const mediaType = contentType(x.req.headers['content-type']) ?? stringField(parsed, 'mediaType');
  if (!mediaType) throw registryErrors.manifestInvalid('the manifest has no mediaType and the request no Content-Type');
  const result = x.deps.images.putManifest({
    repository: name,
    content,
    mediaType,
    ...(byDigest ? { expectedDigest: reference } : { tag: reference }),
    now: x.deps.clock.now(),
  });
  let digest: string;
  if (result.ok) digest = result.digest;
  else if (result.failure.kind === 'alreadyExists') digest = result.failure.digest;
  else throw pushFailure(result.failure, name, x.deps.accountId);
  const subject =
    parsed && typeof parsed === 'object' && 'subject' in parsed ? stringField(parsed.subject, 'digest') : undefined;
  send(x.req, x.res, 201, {
    location: `/v2/${name}/manifests/${digest}`,
    'docker-content-digest': digest,
    ...(subject && isDigest(subject) ? { 'oci-subject': subject } : {}),
  });
}

function deleteManifest(x: Exchange, name: string, reference: string): void {
  authorizeOn(x, name, ['ecr:BatchDeleteImage']);
  if (!isDigest(reference))
    throw registryErrors.unsupported('manifests are deleted by digest; deleting a tag is not supported', 400);
  if (!x.deps.images.deleteManifest(name, reference)) throw registryErrors.manifestUnknown(reference);
  send(x.req, x.res, 202, {});
}

/** Serves `GET /v2/<name>/tags/list?n=&last=`. */
export function tagsRoute(x: Exchange, name: string): void {
  if (x.req.method !== 'GET' && x.req.method !== 'HEAD')
    throw registryErrors.unsupported(`${x.req.method} is not supported on tags/list`);
  authorizeOn(x, name, ['ecr:ListImages']);
  const query = x.query;
  const nParam = query.get('n');
  const last = query.get('last') ?? undefined;
  if (nParam !== null && !/^\d{1,9}$/.test(nParam))
    throw registryErrors.unsupported(`invalid page size n='${nParam.slice(0, 50)}'`, 400);
  const n = nParam === null ? undefined : Math.min(Number(nParam), MAX_PAGE);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  let tags: string[];
  if (n === undefined) {
    tags = x.deps.images.listTags(name, last === undefined ? {} : { last });
  } else if (n === 0) {
    tags = [];
  } else {
    // One more than asked tells whether a next page exists.
    const page = x.deps.images.listTags(name, { n: n + 1, ...(last === undefined ? {} : { last }) });
    tags = page.slice(0, n);
    const lastTag = tags[tags.length - 1];
    if (page.length > n && lastTag !== undefined)
      headers.link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(lastTag)}>; rel="next"`;
  }
  send(x.req, x.res, 200, headers, JSON.stringify({ name, tags }));
}

/** Serves `GET /v2/<name>/referrers/<digest>?artifactType=`. */
export function referrersRoute(x: Exchange, name: string, digestText: string): void {
  if (x.req.method !== 'GET' && x.req.method !== 'HEAD')
    throw registryErrors.unsupported(`${x.req.method} is not supported on referrers`);
  authorizeOn(x, name, ['ecr:BatchGetImage']);
  const digest = parseDigest(digestText);
  if (!digest) throw registryErrors.digestInvalid('invalid digest', digestText.slice(0, 200));
  const artifactType = x.query.get('artifactType') ?? undefined;
  const referrers = x.deps.images.referrers(name, digestText, artifactType);
  const index = { schemaVersion: 2, mediaType: INDEX_TYPE, manifests: referrers.map(descriptor) };
  send(
    x.req,
    x.res,
    200,
    { 'content-type': INDEX_TYPE, ...(artifactType ? { 'oci-filters-applied': 'artifactType' } : {}) },
    JSON.stringify(index),
  );
}

function descriptor(manifest: StoredManifest): Record<string, unknown> {
  const parsed = parseJson(manifest.content);
  const annotations = parsed && typeof parsed === 'object' && 'annotations' in parsed ? parsed.annotations : undefined;
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.content.length,
    ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
    ...(annotations && typeof annotations === 'object' ? { annotations } : {}),
  };
}

/** The wire error for a refused push. */
export function pushFailure(failure: ManifestPushFailure, name: string, registryId: string): RegistryError {
  switch (failure.kind) {
    case 'repositoryNotFound':
      return registryErrors.nameUnknown(name, registryId);
    case 'invalidManifest':
      return registryErrors.manifestInvalid(failure.message);
    case 'digestMismatch':
      return registryErrors.digestInvalid(failure.message);
    case 'blobUnknown':
    case 'manifestUnknown':
      return registryErrors.manifestBlobUnknown(failure.digest);
    case 'tooLarge':
      return registryErrors.manifestTooLarge(failure.limit);
    case 'tagImmutable':
      return registryErrors.tagImmutable(failure.tag, failure.repository);
    case 'alreadyExists':
      // Not asked for by the data plane (refuseIdenticalTag unset); reported for completeness.
      return registryErrors.tagInvalid(
        `The image tag '${failure.tag ?? ''}' already exists in the '${name}' repository.`,
      );
  }
}

/**
 * Whether any Accept entry, across every Accept line, admits `mediaType`: the type itself,
 * `type/*` or `*\/*`, unless its q is 0.
 */
export function accepts(lines: readonly string[], mediaType: string): boolean {
  const [type] = mediaType.split('/');
  for (const line of lines) {
    for (const entry of line.split(',')) {
      const [range = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
      if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
      if (range === mediaType.toLowerCase() || range === '*/*' || range === `${type?.toLowerCase()}/*`) return true;
    }
  }
  return false;
}

function contentType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim();
  return type ? type : undefined;
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  if (!value || typeof value !== 'object' || !(key in value)) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
