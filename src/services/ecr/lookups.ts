/**
 * Lookups every operation shares: the repository a request names (RepositoryNotFound when it
 * is absent or the request names another registry) and an image by its identifier.
 */
import type { RequestContext } from '../../core/operation.js';
import { ecrErrors } from './errors.js';
import type { EcrImageStore } from './image-store.js';
import { isDigest } from './manifests.js';
import type { ImageId, ImageSummary, Repository } from './model.js';

/** The registry a request names: its registryId, or the caller's account. */
export function registryOf(registryId: string | undefined, ctx: RequestContext): string {
  return registryId ?? ctx.accountId;
}

/** The repository, or RepositoryNotFoundException as ECR words it. */
export function requireRepository(
  images: EcrImageStore,
  name: string,
  registryId: string | undefined,
  ctx: RequestContext,
): Repository {
  const registry = registryOf(registryId, ctx);
  const repository = registry === ctx.accountId ? images.repositories.get(name) : undefined;
  if (!repository) throw ecrErrors.repositoryNotFound(name, registry);
  return repository;
}

/** Why an ImageIdentifier resolves to no image (ECR's failureCode and failureReason). */
export type ImageLookup =
  | { ok: true; image: ImageSummary }
  | {
      ok: false;
      failureCode: 'MissingDigestAndTag' | 'InvalidImageDigest' | 'ImageTagDoesNotMatchDigest' | 'ImageNotFound';
      failureReason: string;
    };

/** Resolves an ImageIdentifier among `byDigest` (the repository's images). */
export function findImage(images: ReadonlyMap<string, ImageSummary>, id: ImageId): ImageLookup {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return {
      ok: false,
      failureCode: 'MissingDigestAndTag',
      failureReason: 'Invalid request parameters: both tag and digest cannot be null',
    };
  }
  if (id.imageDigest !== undefined && !isDigest(id.imageDigest)) {
    return {
      ok: false,
      failureCode: 'InvalidImageDigest',
      failureReason:
        "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
    };
  }
  const byTag =
    id.imageTag === undefined
      ? undefined
      : [...images.values()].find((image) => image.tags.includes(id.imageTag as string));
  if (id.imageDigest !== undefined) {
    const image = images.get(id.imageDigest);
    if (!image) return { ok: false, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
    if (id.imageTag !== undefined && !image.tags.includes(id.imageTag)) {
      return byTag
        ? {
            ok: false,
            failureCode: 'ImageTagDoesNotMatchDigest',
            failureReason: 'Invalid request parameters: given tag does not match with the given digest',
          }
        : { ok: false, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
    }
    return { ok: true, image };
  }
  return byTag
    ? { ok: true, image: byTag }
    : { ok: false, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}

/** The repository's images keyed by digest. */
export function imagesByDigest(images: EcrImageStore, repository: string): Map<string, ImageSummary> {
  return new Map(images.images(repository).map((image) => [image.digest, image]));
}
