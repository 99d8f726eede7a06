/**
 * A registry on a real socket for the tests: `http.createServer` with the `/v2` handler on
 * 127.0.0.1:0, a temp directory for blobs, real SQLite for tokens, the in-memory ImageStore,
 * a manual clock, and an Authorizer over a stub IAM where a role's policies are set per test.
 * `call` speaks raw HTTP (node:http) so tests control every header, including repeated ones.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Authorizer, type IdentityPolicySource } from '../../../src/auth/authorizer.js';
import { ManualClock } from '../../../src/core/clock.js';
import { createRegistryHandler, type RegistryHandler } from '../../../src/registry/handler.js';
import { DiskBlobStore } from '../../../src/registry/blob-store.js';
import { RegistryTokenStore } from '../../../src/registry/tokens.js';
import type { Caller } from '../../../src/core/operation.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { TestImageStore } from './test-image-store.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export const ROOT: Caller = {
  kind: 'root',
  accountId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  userId: ACCOUNT,
  accessKeyId: 'AKIAROOTROOTROOTROOT',
};

const ROLE_ID = 'AROAEXAMPLEEXAMPLEEX';

/** An assumed-role session of `roleName`. */
export function roleCaller(roleName: string, expiresAt: Date): Caller {
  return {
    kind: 'assumed-role',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/session`,
    userId: `${ROLE_ID}:session`,
    accessKeyId: 'ASIAEXAMPLEEXAMPLEEX',
    roleName,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
    roleId: ROLE_ID,
    sessionName: 'session',
    tags: {},
    expiresAt,
  };
}

/** An identity policy allowing `actions` on every repository. */
export function allowPolicy(actions: string[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
}

export const PULL_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:ListImages',
];

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The response as JSON (for error bodies and lists). */
  json(): unknown;
}

export interface CallOptions {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string | Readable;
  /** Basic password for user AWS; `null` sends no Authorization. Default: the root caller's. */
  password?: string | null;
}

export class RegistryHarness {
  readonly dir: string;
  readonly clock = new ManualClock(Date.now());
  readonly db: Db;
  readonly tokens: RegistryTokenStore;
  blobs: DiskBlobStore;
  readonly images: TestImageStore;
  readonly rolePolicies = new Map<string, string[]>();
  readonly errors: string[] = [];
  handler: RegistryHandler;
  private server: Server | undefined;
  port = 0;
  readonly rootPassword: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'dockyard-registry-'));
    this.db = openDatabase(join(this.dir, 'db.sqlite'));
    this.tokens = new RegistryTokenStore(this.db);
    this.blobs = new DiskBlobStore(join(this.dir, 'blobs'), { clock: this.clock });
    // The real ImageStore; `blobs` is re-read on each call so a simulated restart's new store is seen.
    this.images = new TestImageStore(this.db, {
      accountId: ACCOUNT,
      region: REGION,
      registryHost: 'localhost:5000',
      blobs: { has: (d) => this.blobs.has(d), size: (d) => this.blobs.size(d) },
    });
    this.handler = this.newHandler();
    this.rootPassword = this.tokens.issue(ROOT, this.clock.now()).password;
  }

  /** Starts listening. */
  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Simulates a restart of the process: a new blob store (stale temp files go) and handler. */
  restart(): void {
    this.blobs = new DiskBlobStore(join(this.dir, 'blobs'), { clock: this.clock });
    this.handler = this.newHandler();
  }

  /** A password for a role session whose identity policy is `policy`. */
  rolePassword(roleName: string, policies: string[]): string {
    this.rolePolicies.set(roleName, policies);
    return this.tokens.issue(roleCaller(roleName, new Date(this.clock.now().getTime() + 3600_000)), this.clock.now())
      .password;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** One HTTP exchange; the response body is read fully. */
  call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const password = options.password === undefined ? this.rootPassword : options.password;
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (password !== null) headers.authorization = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    const body = options.body;
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && headers['content-length'] === undefined)
      headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, method, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buffer,
            json: () => JSON.parse(buffer.toString('utf8')) as unknown,
          });
        });
      });
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  }

  /** Uploads a blob monolithically into `repository`; returns its digest. */
  async pushBlob(repository: string, content: Buffer): Promise<string> {
    const digest = sha256(content);
    const res = await this.call('POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, {
      body: content,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (res.status !== 201) throw new Error(`blob push failed: ${res.status} ${res.body.toString()}`);
    return digest;
  }

  /** Pushes a one-layer OCI image; returns the manifest's bytes and digest. */
  async pushImage(
    repository: string,
    tag: string,
    layer = Buffer.from(`layer of ${repository}:${tag}`),
    extra: Record<string, unknown> = {},
  ): Promise<{ content: Buffer; digest: string }> {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    const configDigest = await this.pushBlob(repository, config);
    const layerDigest = await this.pushBlob(repository, layer);
    const content = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
        ...extra,
      }),
    );
    const res = await this.call('PUT', `/v2/${repository}/manifests/${tag}`, {
      body: content,
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    if (res.status !== 201) throw new Error(`manifest push failed: ${res.status} ${res.body.toString()}`);
    return { content, digest: sha256(content) };
  }

  async dispose(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private newHandler(): RegistryHandler {
    const source: IdentityPolicySource = {
      // Every role a test names exists, as the one its sessions were issued for.
      roleId: () => ROLE_ID,
      rolePolicyDocuments: (roleName) =>
        (this.rolePolicies.get(roleName) ?? []).map((document, i) => ({ source: `inline-${i}`, document })),
      managedPolicyDefaultDocument: () => undefined,
    };
    return createRegistryHandler({
      images: this.images,
      blobs: this.blobs,
      tokens: this.tokens,
      authorizer: new Authorizer(source),
      clock: this.clock,
      accountId: ACCOUNT,
      region: REGION,
      logger: { error: (msg, f) => this.errors.push(`${msg} ${JSON.stringify(f)}`) },
    });
  }
}

export function sha256(content: Buffer | string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Starts a harness; pair with `dispose` in after/afterEach. */
export async function startRegistry(): Promise<RegistryHarness> {
  return new RegistryHarness().start();
}

/** The single OCI error in a response body. */
export function errorOf(res: Response): { code: string; message: string; detail: unknown } {
  const body = res.json() as { errors: { code: string; message: string; detail: unknown }[] };
  const first = body.errors[0];
  if (!first || body.errors.length !== 1) throw new Error(`expected one error, got ${res.body.toString()}`);
  return first;
}
