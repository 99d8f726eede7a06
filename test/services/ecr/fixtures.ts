/**
 * ECR under test (test/support/service-harness.ts: the real pipeline in process, over a real
 * SQLite file, as the account's root user, on a manual clock) and the fixtures its tests share.
 * Blobs live in a Map standing in for the data plane's on-disk BlobStore.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { BlobStore } from '../../../src/core/image-store.js';
import {
  createEcrService,
  EcrImageStore,
  LifecycleRunner,
  type EcrOperationName,
  type RegistryTokenIssuer,
} from '../../../src/services/ecr/index.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY_HOST = 'localhost:4566';
export const START = new Date('2026-03-01T12:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** An in-memory BlobStore (the parts the image store reads, plus put). */
export class MapBlobStore implements Pick<BlobStore, 'has' | 'size' | 'put' | 'delete'> {
  readonly blobs = new Map<string, Buffer>();
  has(digest: string): boolean {
    return this.blobs.has(digest);
  }
  size(digest: string): number | undefined {
    return this.blobs.get(digest)?.length;
  }
  put(content: Buffer): string {
    const digest = sha256(content);
    this.blobs.set(digest, content);
    return digest;
  }
  delete(digest: string): void {
    this.blobs.delete(digest);
  }
}

export function sha256(content: Buffer | string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** A token issuer of our own: the password names the caller and the time. */
export const testTokens: RegistryTokenIssuer = {
  issue: (caller, now) => ({
    password: `pw-${caller.kind}-${now.getTime()}`,
    expiresAt: new Date(now.getTime() + 12 * 60 * 60 * 1000),
  }),
};

export type EcrHarness = ServiceHarness<
  EcrOperationName,
  { blobs: MapBlobStore; images: EcrImageStore; runner: LifecycleRunner; service: ServiceDefinition }
>;

export function createHarness(): EcrHarness {
  return createServiceHarness({
    name: 'dockyard-ecr-',
    accountId: ACCOUNT,
    region: REGION,
    start: START,
    open: (db) => {
      const blobs = new MapBlobStore();
      const images = new EcrImageStore(db, { accountId: ACCOUNT, region: REGION, registryHost: REGISTRY_HOST, blobs });
      const service = createEcrService({
        images,
        tokens: testTokens,
        registryHost: REGISTRY_HOST,
        accountId: ACCOUNT,
        region: REGION,
      });
      return { blobs, images, runner: new LifecycleRunner(images), service };
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

/** Stores a blob and links it to the repository, as a data-plane upload would. */
export function pushBlob(h: EcrHarness, repository: string, content: string | Buffer): string {
  const digest = h.blobs.put(Buffer.isBuffer(content) ? content : Buffer.from(content));
  h.images.linkBlob(repository, digest);
  return digest;
}

/** A Docker v2 / OCI image manifest over blobs pushed to `repository` (unique per `seed`). */
export function imageManifest(
  h: EcrHarness,
  repository: string,
  seed: string,
  mediaType = DOCKER_MANIFEST,
  extra: Record<string, unknown> = {},
): Buffer {
  const config = Buffer.from(`{"architecture":"amd64","seed":"${seed}"}`);
  const layer = Buffer.from(`layer of ${seed}`);
  const configType =
    mediaType === OCI_MANIFEST
      ? 'application/vnd.oci.image.config.v1+json'
      : 'application/vnd.docker.container.image.v1+json';
  const layerType =
    mediaType === OCI_MANIFEST
      ? 'application/vnd.oci.image.layer.v1.tar+gzip'
      : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configType, size: config.length, digest: pushBlob(h, repository, config) },
    layers: [{ mediaType: layerType, size: layer.length, digest: pushBlob(h, repository, layer) }],
    ...extra,
  };
  // Indented on purpose: stored bytes must be the pushed bytes, not a re-serialisation.
  return Buffer.from(JSON.stringify(manifest, null, 3));
}

/** Pushes an image through putManifest (as the data plane does); returns its digest. */
export function pushImage(
  h: EcrHarness,
  repository: string,
  seed: string,
  tag?: string,
  mediaType = DOCKER_MANIFEST,
): string {
  const content = imageManifest(h, repository, seed, mediaType);
  const result = h.images.putManifest({ repository, content, mediaType, tag, now: h.clock.now() });
  assert.ok(result.ok, `push of ${seed} failed: ${JSON.stringify(result)}`);
  return result.digest;
}

export async function createRepository(
  h: EcrHarness,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await h.call('CreateRepository', { repositoryName: name, ...extra });
}
