/**
 * A registry client for what buildx does against registries itself (imagetools, the image index
 * of a multi-platform push): manifests read and written over the OCI distribution API, with the
 * docker CLI's credentials, Basic or Bearer authentication as the registry's challenge asks.
 * HTTPS first; plain HTTP only for loopback registries (Docker treats localhost registries as
 * insecure), as the engine does.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { credentialFor, type RegistryCredential } from './docker-config.js';
import type { ImageReference } from './reference.js';

/** Media types of manifests and indexes a client accepts. */
export const MANIFEST_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const ACCEPT = Object.values(MANIFEST_TYPES).join(', ');
/** The most a manifest may weigh (the distribution spec suggests 4 MiB). */
const MAX_MANIFEST = 4 * 1024 * 1024;

/** A manifest as fetched. */
export interface FetchedManifest {
  mediaType: string;
  digest: string;
  size: number;
  body: Buffer;
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || name.endsWith('.localhost') || /^127\./.test(name) || name === '::1';
}

/** Docker Hub's API host. */
function apiHost(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

function send(url: URL, method: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requester(
      url,
      { method, headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) }, timeout: 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_MANIFEST) {
            req.destroy(new Error(`${url.host}: the answer is larger than ${MAX_MANIFEST} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url.host}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function challengeParams(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z]+)="([^"]*)"/g))
    params[(match[1] ?? '').toLowerCase()] = match[2] ?? '';
  return { scheme, params };
}

/** Talks to registries as one docker client configuration. */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly schemes = new Map<string, 'https:' | 'http:'>();

  constructor(private readonly configDir: string) {}

  /** Reads a manifest or index by tag or digest. */
  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const answer = await this.call(ref, 'GET', `/v2/${ref.path}/manifests/${reference}`, { Accept: ACCEPT });
    if (answer.status === 404) throw new Error(`${ref.host}/${ref.path}:${reference}: not found`);
    if (answer.status >= 300) throw new Error(`${ref.host}/${ref.path}:${reference}: ${registryMessage(answer)}`);
    const digest = `sha256:${createHash('sha256').update(answer.body).digest('hex')}`;
    const mediaType =
      String(answer.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() || mediaTypeOf(answer.body);
    return { mediaType, digest, size: answer.body.length, body: answer.body };
  }

  /** Writes a manifest or index under `reference` (a tag or its digest); returns its digest. */
  async putManifest(ref: ImageReference, reference: string, mediaType: string, body: Buffer): Promise<string> {
    const answer = await this.call(
      ref,
      'PUT',
      `/v2/${ref.path}/manifests/${reference}`,
      { 'Content-Type': mediaType },
      body,
    );
    if (answer.status >= 300)
      throw new Error(`failed to push ${ref.host}/${ref.path}:${reference}: ${registryMessage(answer)}`);
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  /** Reads a small JSON blob (an image config). */
  async getBlobJson(ref: ImageReference, digest: string): Promise<unknown> {
    const answer = await this.call(ref, 'GET', `/v2/${ref.path}/blobs/${digest}`, {});
    if (answer.status >= 300) throw new Error(`${ref.host}/${ref.path}@${digest}: ${registryMessage(answer)}`);
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  }

  /** Makes the manifest `digest` of `from` (its config and layers mounted) exist in `to`'s repository. */
  async copyManifest(from: ImageReference, to: ImageReference, digest: string): Promise<void> {
    const manifest = await this.getManifest({ ...from, tag: undefined, digest });
    const parsed = JSON.parse(manifest.body.toString('utf8')) as {
      config?: { digest?: string };
      layers?: { digest?: string }[];
      manifests?: { digest?: string }[];
    };
    for (const child of parsed.manifests ?? []) if (child.digest) await this.copyManifest(from, to, child.digest);
    for (const blob of [parsed.config?.digest, ...(parsed.layers ?? []).map((l) => l.digest)]) {
      if (blob && !(await this.mountBlob(from, to, blob)))
        throw new Error(`could not mount ${blob} from ${from.host}/${from.path} into ${to.path}`);
    }
    await this.putManifest(to, digest, manifest.mediaType, manifest.body);
  }

  /** Copies a blob into another repository of the same registry (cross-repository mount). */
  async mountBlob(from: ImageReference, to: ImageReference, digest: string): Promise<boolean> {
    if (from.host !== to.host) return false;
    const answer = await this.call(
      to,
      'POST',
      `/v2/${to.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.path)}`,
      {},
      Buffer.alloc(0),
      `repository:${to.path}:pull,push repository:${from.path}:pull`,
    );
    return answer.status === 201;
  }

  private async call(
    ref: ImageReference,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
    scope?: string,
  ): Promise<Answer> {
    const host = apiHost(ref.host);
    const wantScope = scope ?? `repository:${ref.path}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}`;
    const credential = credentialFor(this.configDir, ref.host);
    const tokenKey = `${host} ${wantScope}`;
    const withAuth = () => {
      const token = this.tokens.get(tokenKey);
      return token ? { ...headers, Authorization: token } : headers;
    };
    let answer = await this.sendTo(host, path, method, withAuth(), body);
    if (answer.status === 401) {
      await this.authenticate(host, answer, credential, wantScope, tokenKey);
      answer = await this.sendTo(host, path, method, withAuth(), body);
    }
    return answer;
  }

  private async sendTo(
    host: string,
    path: string,
    method: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<Answer> {
    const known = this.schemes.get(host);
    if (known) return send(new URL(`${known}//${host}${path}`), method, headers, body);
    try {
      const answer = await send(new URL(`https://${host}${path}`), method, headers, body);
      this.schemes.set(host, 'https:');
      return answer;
    } catch (error) {
      if (!isLoopback(host)) throw new Error(`${host}: ${error instanceof Error ? error.message : String(error)}`);
      const answer = await send(new URL(`http://${host}${path}`), method, headers, body);
      this.schemes.set(host, 'http:');
      return answer;
    }
  }

  private async authenticate(
    host: string,
    challenge: Answer,
    credential: RegistryCredential | undefined,
    scope: string,
    tokenKey: string,
  ): Promise<void> {
    const header = String(challenge.headers['www-authenticate'] ?? '');
    const { scheme, params } = challengeParams(header);
    const basic =
      credential?.username !== undefined
        ? `Basic ${Buffer.from(`${credential.username}:${credential.password ?? ''}`).toString('base64')}`
        : undefined;
    if (scheme === 'basic') {
      if (!basic)
        throw new Error(
          `${host}: authentication required (no credentials in the docker configuration: docker login ${host})`,
        );
      this.tokens.set(tokenKey, basic);
      return;
    }
    if (scheme !== 'bearer' || !params.realm)
      throw new Error(`${host}: unsupported authentication challenge ${JSON.stringify(header.slice(0, 200))}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of scope.split(' ')) url.searchParams.append('scope', s);
    const answer = await send(url, 'GET', basic ? { Authorization: basic } : {});
    if (answer.status >= 300) throw new Error(`${host}: token request failed: ${registryMessage(answer)}`);
    const parsed = JSON.parse(answer.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new Error(`${host}: the token service answered no token`);
    this.tokens.set(tokenKey, `Bearer ${token}`);
  }
}

function mediaTypeOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    return parsed.mediaType ?? (parsed.manifests ? MANIFEST_TYPES.ociIndex : MANIFEST_TYPES.ociManifest);
  } catch {
    return 'application/octet-stream';
  }
}

function registryMessage(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first) return `${first.code ?? ''}: ${first.message ?? ''}`.trim();
  } catch {
    // not JSON
  }
  return `HTTP ${answer.status}`;
}
