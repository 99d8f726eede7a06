/**
 * Upload routes: `POST /v2/<name>/blobs/uploads/` and `GET|PATCH|PUT|DELETE` on a session.
 *
 * Every push mode real clients use: POST then PUT with the body; a single `POST ?digest=`
 * (monolithic, 201); one streamed PATCH without Content-Range (skopeo/podman; with a length
 * or chunked); ranged PATCH chunks `Content-Range: a-b` (202 + `Range: 0-b`, 416 when out of
 * order or retried); the final PUT `?digest=` with or without a body; status (GET, 204) and
 * cancel (DELETE, 204). Cross-repository mount `POST ?mount=&from=` answers 201 when the
 * blob is stored, linked in `from` and pullable from there by the caller, else (never an
 * error) 202 with a fresh session, as the spec requires.
 *
 * IAM: POST needs ecr:InitiateLayerUpload (a monolithic POST also UploadLayerPart and
 * CompleteLayerUpload), PATCH/GET/DELETE ecr:UploadLayerPart, the final PUT
 * ecr:CompleteLayerUpload (plus UploadLayerPart when it carries bytes).
 *
 * Client quirks: `Content-Range` is accepted both as the spec's `a-b` and as
 * `bytes a-b/total` (what older Docker clients send). Locations are relative, which every
 * client resolves against the URL it used (so a proxy rewriting Host stays in the path).
 */
import { parseDigest, formatDigest, type Digest } from './digest.js';
import { registryErrors, uploadRange } from './errors.js';
import { authorizeOn, pathOf, uploadOwner, type Exchange } from './exchange.js';
import { scopeOf } from './scope.js';
import { denial, type RegistryAction } from './authorize.js';
import { isValidName } from './paths.js';
import type { AppendRefusal, UploadSession } from './uploads.js';
import { hasBody, send } from './wire.js';

/** Serves an upload route; `id` is absent for the POST that starts one. */
export async function uploadRoute(x: Exchange, name: string, id: string | undefined): Promise<void> {
  const method = x.req.method;
  if (id === undefined) {
    if (method !== 'POST') throw registryErrors.unsupported(`${method} is not supported on ${name}/blobs/uploads/`);
    return startUpload(x, name);
  }
  const actions: RegistryAction[] =
    method === 'PUT'
      ? hasBody(x.req)
        ? ['ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']
        : ['ecr:CompleteLayerUpload']
      : ['ecr:UploadLayerPart'];
  if (!['GET', 'PATCH', 'PUT', 'DELETE'].includes(method ?? ''))
    throw registryErrors.unsupported(`${method} is not supported on an upload`);
  authorizeOn(x, name, actions);
  const session = x.uploads.get(uploadOwner(x, name), id);
  if (!session) throw registryErrors.blobUploadUnknown(id);
  switch (method) {
    case 'GET':
      return send(x.req, x.res, 204, sessionHeaders(x, name, session));
    case 'DELETE':
      await x.uploads.cancel(session);
      return send(x.req, x.res, 204, {});
    case 'PATCH': {
      const range = contentRange(x);
      const refusal = await x.uploads.append(session, x.req, { ...(range ? { range } : {}), ...declaredLength(x) });
      if (refusal) throw refused(refusal, session);
      return send(x.req, x.res, 202, sessionHeaders(x, name, session));
    }
    default:
      return finishUpload(x, name, session);
  }
}

async function startUpload(x: Exchange, name: string): Promise<void> {
  const query = x.query;
  const digestParam = query.get('digest');
  if (digestParam !== null) {
    authorizeOn(x, name, ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']);
    const digest = parseDigest(digestParam);
    if (!digest) throw registryErrors.digestInvalid('invalid digest', digestParam.slice(0, 200));
    const session = await x.uploads.create(uploadOwner(x, name));
    const refusal = await x.uploads.append(session, x.req, declaredLength(x));
    if (refusal) {
      await x.uploads.cancel(session);
      throw refused(refusal, session);
    }
    return complete(x, name, session, digest);
  }
  authorizeOn(x, name, ['ecr:InitiateLayerUpload']);
  const mounted = tryMount(x, name, query.get('mount'), query.get('from'));
  if (mounted) {
    return send(x.req, x.res, 201, {
      location: `${pathOf(x, name)}/blobs/${mounted}`,
      'docker-content-digest': mounted,
    });
  }
  const session = await x.uploads.create(uploadOwner(x, name));
  return send(x.req, x.res, 202, sessionHeaders(x, name, session));
}

/** The digest mounted into `name`, or undefined when the mount cannot happen (then: a session). */
function tryMount(x: Exchange, name: string, mount: string | null, from: string | null): string | undefined {
  const digest = parseDigest(mount);
  if (!digest || !from) return undefined;
  // A mount within one registry only: another region's or account's is another host on AWS.
  const source = scopeOf(x.deps, from, x.req.headers.host);
  const sameRegistry = source.scope.accountId === x.scope.accountId && source.scope.region === x.scope.region;
  if (!sameRegistry || !isValidName(source.name)) return undefined;
  const text = formatDigest(digest);
  const { blobs } = x.deps;
  const { images } = x.scope;
  if (!images.getRepository(source.name) || !blobs.has(text) || !images.isBlobLinked(source.name, text))
    return undefined;
  if (denial(x.ctx, x.deps.authorizer, x.scope, source.name, ['ecr:GetDownloadUrlForLayer'])) return undefined;
  if (denial(x.ctx, x.deps.authorizer, x.scope, name, ['ecr:CompleteLayerUpload'])) return undefined;
  images.linkBlob(name, text);
  blobs.touch(text);
  return text;
}

async function finishUpload(x: Exchange, name: string, session: UploadSession): Promise<void> {
  const digestParam = x.query.get('digest');
  const digest = parseDigest(digestParam);
  if (!digest)
    throw registryErrors.digestInvalid(
      digestParam === null ? 'the digest query parameter is required' : 'invalid digest',
      digestParam?.slice(0, 200),
    );
  if (x.uploads.isBusy(session)) throw registryErrors.rangeInvalid(session.size, session.id);
  if (hasBody(x.req)) {
    const range = contentRange(x);
    const refusal = await x.uploads.append(session, x.req, { ...(range ? { range } : {}), ...declaredLength(x) });
    if (refusal) throw refused(refusal, session);
  }
  return complete(x, name, session, digest);
}

async function complete(x: Exchange, name: string, session: UploadSession, digest: Digest): Promise<void> {
  const text = formatDigest(digest);
  if (!(await x.uploads.complete(session, digest)))
    throw registryErrors.digestInvalid('provided digest did not match uploaded content', text);
  x.scope.images.linkBlob(name, text);
  send(x.req, x.res, 201, { location: `${pathOf(x, name)}/blobs/${text}`, 'docker-content-digest': text });
}

function sessionHeaders(x: Exchange, name: string, session: UploadSession): Record<string, string> {
  return {
    location: `${pathOf(x, name)}/blobs/uploads/${session.id}`,
    range: uploadRange(session.size),
    'docker-upload-uuid': session.id,
  };
}

function refused(refusal: AppendRefusal, session: UploadSession) {
  return refusal === 'aborted'
    ? registryErrors.blobUploadInvalid('the upload body broke off')
    : registryErrors.rangeInvalid(session.size, session.id);
}

/** `Content-Range: a-b` (spec) or `bytes a-b/total` (older Docker); undefined when absent. */
function contentRange(x: Exchange): { start: number; end: number } | undefined {
  const header = x.req.headers['content-range'];
  if (header === undefined) return undefined;
  const match = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/.exec(header.trim());
  if (!match) throw registryErrors.blobUploadInvalid(`invalid Content-Range '${header.slice(0, 100)}'`);
  return { start: Number(match[1]), end: Number(match[2]) };
}

function declaredLength(x: Exchange): { declaredLength?: number } {
  const header = x.req.headers['content-length'];
  return header !== undefined && /^\d{1,15}$/.test(header) ? { declaredLength: Number(header) } : {};
}
