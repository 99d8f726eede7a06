/**
 * Image names as a job writes them and as the engine should see them. The cloud serves its
 * registry at `localhost:PORT`, while a workflow names images the AWS way
 * (`<account>.dkr.ecr.<region>.amazonaws.com/app:tag`): the `RegistryMap` hook maps registry
 * hosts, and every image name in a request (paths, `fromImage`, `repo`, `t`, a container's
 * `Image`) and the registry credentials headers are rewritten through it. Responses are not
 * rewritten back (pull progress names the engine-side registry).
 */
import { badRequest } from './refusal.js';

/**
 * Maps a registry host as a job names it to where the engine reaches it; undefined leaves it as
 * is. The answer may go on with a path (`localhost:PORT/<ecr host>`: the cloud serves every
 * region's registry under one host, core/ecr-address.ts): image names take all of it,
 * credentials (keyed by host) its host.
 */
export type RegistryMap = (host: string) => string | undefined;

/** The longest image reference the guard accepts (Docker's own limit on a name is 255 per component). */
const MAX_REFERENCE = 1024;

/** True when the first component of a reference names a registry (Docker's rule). */
function isRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Splits `host/rest` when the reference starts with a registry host. */
function splitHost(reference: string): { host: string; rest: string } | undefined {
  const slash = reference.indexOf('/');
  if (slash <= 0) return undefined;
  const host = reference.slice(0, slash);
  return isRegistryHost(host) ? { host, rest: reference.slice(slash) } : undefined;
}

/** The engine-side name of an image reference (unchanged when its registry is not mapped). */
export function mapImageName(reference: string, map: RegistryMap | undefined): string {
  if (reference.length > MAX_REFERENCE) throw badRequest(`image reference longer than ${MAX_REFERENCE} characters`);
  if (!map) return reference;
  const parts = splitHost(reference);
  if (!parts) return reference;
  const mapped = map(parts.host);
  return mapped ? mapped + parts.rest : reference;
}

/** The engine-side registry host (for credentials keyed by host). */
export function mapRegistryHost(host: string, map: RegistryMap | undefined): string {
  if (!map) return host;
  const hostOf = (name: string) => map(name)?.split('/', 1)[0] ?? name;
  // Credentials may name the registry as a URL (`https://host/v1/`) as docker login stores Docker Hub's.
  const url = /^(https?:\/\/)([^/]+)(.*)$/.exec(host);
  if (url?.[1] !== undefined && url[2] !== undefined) return url[1] + hostOf(url[2]) + (url[3] ?? '');
  return hostOf(host);
}

/**
 * A comparable spelling of a reference the job typed: `:latest` added when it has neither tag
 * nor digest. Used as a key of the names a job assigned; it is never sent to the engine.
 */
export function referenceKey(reference: string): string {
  if (reference.includes('@')) return reference;
  const lastSlash = reference.lastIndexOf('/');
  const lastColon = reference.lastIndexOf(':');
  return lastColon > lastSlash ? reference : `${reference}:latest`;
}

/** Joins `fromImage`/`repo` with a separate `tag` parameter as the engine does. */
export function joinTag(name: string, tag: string | null): string {
  if (!tag) return name;
  return tag.startsWith('sha256:') ? `${name}@${tag}` : `${name}:${tag}`;
}

/** Decodes a base64 or base64url JSON header value (X-Registry-Auth, X-Registry-Config). */
function decodeHeaderJson(value: string, header: string): unknown {
  try {
    return JSON.parse(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    throw badRequest(`the ${header} header is not base64-encoded JSON`);
  }
}

/** Padded base64url, as Go's base64.URLEncoding (the engine's decoder) requires. */
function encodeHeaderJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** X-Registry-Auth (one credential): its `serveraddress` mapped. */
export function mapRegistryAuth(value: string, map: RegistryMap | undefined): string {
  if (!map || value.trim() === '') return value;
  const auth = decodeHeaderJson(value, 'X-Registry-Auth');
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) return value;
  const record = auth as Record<string, unknown>;
  if (typeof record.serveraddress !== 'string') return value;
  return encodeHeaderJson({ ...record, serveraddress: mapRegistryHost(record.serveraddress, map) });
}

/** X-Registry-Config (credentials keyed by registry host, sent with builds): keys and addresses mapped. */
export function mapRegistryConfig(value: string, map: RegistryMap | undefined): string {
  if (!map || value.trim() === '') return value;
  const config = decodeHeaderJson(value, 'X-Registry-Config');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return value;
  const mapped: Record<string, unknown> = {};
  for (const [host, entry] of Object.entries(config as Record<string, unknown>)) {
    const target = mapRegistryHost(host, map);
    mapped[target] =
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? { ...entry, serveraddress: target }
        : entry;
  }
  return encodeHeaderJson(mapped);
}

/** An image name as a path segment: percent-encoded, its `/`, `:` and `@` kept as the docker CLI sends them. */
export function imagePathSegment(name: string): string {
  return encodeURIComponent(name).replace(/%2F/g, '/').replace(/%3A/g, ':').replace(/%40/g, '@');
}

/** A credential as the engine takes it in X-Registry-Auth. */
interface RegistryCredential {
  username: string;
  password: string;
}

/** `host[:port]` of a registry address however written (`https://host/v1/`, `host/path`, `host`). */
function addressHost(address: string): string {
  return address.replace(/^https?:\/\//, '').split('/', 1)[0] ?? address;
}

/** True when an X-Registry-Auth value carries a credential (the CLI sends `{}` when it has none). */
function carriesCredential(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return false;
  let auth: unknown;
  try {
    auth = decodeHeaderJson(value, 'X-Registry-Auth');
  } catch {
    return true; // not ours to judge: passed on as sent
  }
  if (typeof auth !== 'object' || auth === null) return true;
  const fields = auth as Record<string, unknown>;
  return ['password', 'identitytoken', 'registrytoken'].some(
    (key) => typeof fields[key] === 'string' && fields[key] !== '',
  );
}

/**
 * The job's successful `docker login`s, by the registry host the engine reaches. One registry
 * may have two names in a job (ECR's `<account>.dkr.ecr.<region>.amazonaws.com` and the
 * cloud's `localhost:PORT`, which repository URIs read on the host name): the docker CLI sends
 * only the credential stored under the name an image uses, so a push by the other name would
 * go unauthenticated. A request for a registry the job logged in to, by whichever name, without
 * a credential of its own gets the job's login.
 */
export class RegistryLogins {
  private readonly byHost = new Map<string, RegistryCredential>();

  /** Remembers a login the registry accepted (`engineAddress`: already mapped). */
  remember(engineAddress: string, credential: RegistryCredential): void {
    this.byHost.set(addressHost(engineAddress), { ...credential });
  }

  /** X-Registry-Auth for an image the engine names `engineImage`: the client's, else the job's login there. */
  auth(header: string | undefined, engineImage: string): string | undefined {
    if (carriesCredential(header)) return header;
    const host = splitHost(engineImage)?.host;
    const credential = host === undefined ? undefined : this.byHost.get(host);
    return credential === undefined ? header : encodeHeaderJson({ ...credential, serveraddress: host });
  }

  /** X-Registry-Config (a build's credentials by host) with the job's logins added where it has none. */
  config(header: string | undefined): string | undefined {
    if (this.byHost.size === 0) return header;
    let config: Record<string, unknown> = {};
    if (header !== undefined && header.trim() !== '') {
      const decoded = decodeHeaderJson(header, 'X-Registry-Config');
      if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return header;
      config = decoded as Record<string, unknown>;
    }
    const added = { ...config };
    for (const [host, credential] of this.byHost)
      if (added[host] === undefined) added[host] = { ...credential, serveraddress: host };
    return encodeHeaderJson(added);
  }
}
