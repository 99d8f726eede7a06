/**
 * Image operations: DescribeImages, ListImages, BatchGetImage and BatchDeleteImage. Images
 * are listed by digest (a stable order for paging). Deleting an image's last tag deletes the
 * image, as ECR does, unless a manifest list in the repository still needs it.
 */
import type { Operation } from '../../../core/operation.js';
import { onRepository } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import {
  MEDIA_TYPE,
  readImageIds,
  readPaging,
  readRepositoryRef,
  readTagStatusFilter,
  type Paging,
  type TagStatusFilter,
} from '../input-rules.js';
import { findImage, imagesByDigest, requireRepository } from '../lookups.js';
import type { ImageId, ImageSummary } from '../model.js';
import { imageDetail, type ImageDetailOutput, type ImageFailureOutput, type ImageOutput } from '../outputs.js';
import { paginate } from '../pagination.js';

function passes(filter: TagStatusFilter | undefined, image: ImageSummary): boolean {
  if (filter === 'TAGGED') return image.tags.length > 0;
  if (filter === 'UNTAGGED') return image.tags.length === 0;
  return true;
}

interface DescribeImagesInput extends Paging {
  registryId?: string;
  repositoryName: string;
  imageIds?: ImageId[];
  tagStatus?: TagStatusFilter;
}

/** DescribeImages: ImageDetail for the named images (each must exist) or all, filtered and paged. */
export function describeImages(
  deps: EcrServiceDeps,
): Operation<DescribeImagesInput, { imageDetails: ImageDetailOutput[]; nextToken?: string }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      imageIds: readImageIds(r),
      tagStatus: readTagStatusFilter(r),
      ...readPaging(r),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:DescribeImages', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const all = imagesByDigest(images, repository.name);
      if (input.imageIds) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw ecrErrors.invalidParameter('maxResults', 'maxResults and nextToken cannot be used with imageIds');
        }
        const found = new Map<string, ImageSummary>();
        for (const id of input.imageIds) {
          const lookup = findImage(all, id);
          if (lookup.ok) found.set(lookup.image.digest, lookup.image);
          else if (lookup.failureCode === 'MissingDigestAndTag' || lookup.failureCode === 'InvalidImageDigest')
            throw ecrErrors.invalidParameter('imageIds', lookup.failureReason);
          else throw ecrErrors.imageNotFound(id, repository.name, ctx.accountId);
        }
        return {
          imageDetails: [...found.values()]
            .filter((i) => passes(input.tagStatus, i))
            .map((i) => imageDetail(ctx.accountId, i)),
        };
      }
      const page = paginate(
        [...all.values()].filter((i) => passes(input.tagStatus, i)),
        input,
        (i) => i.digest,
      );
      return { imageDetails: page.items.map((i) => imageDetail(ctx.accountId, i)), nextToken: page.nextToken };
    },
  };
}

interface ListImagesInput extends Paging {
  registryId?: string;
  repositoryName: string;
  tagStatus?: TagStatusFilter;
}

/** ListImages: one imageId per tag, or a bare digest for an untagged image; paged. */
export function listImages(
  deps: EcrServiceDeps,
): Operation<ListImagesInput, { imageIds: ImageId[]; nextToken?: string }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      tagStatus: readTagStatusFilter(r),
      ...readPaging(r),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:ListImages', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const ids: { key: string; id: ImageId }[] = [];
      for (const image of images.images(repository.name)) {
        if (!passes(input.tagStatus, image)) continue;
        if (image.tags.length === 0) ids.push({ key: `${image.digest} `, id: { imageDigest: image.digest } });
        for (const tag of image.tags)
          ids.push({ key: `${image.digest} ${tag}`, id: { imageDigest: image.digest, imageTag: tag } });
      }
      ids.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = paginate(ids, input, (e) => e.key);
      return { imageIds: page.items.map((e) => e.id), nextToken: page.nextToken };
    },
  };
}

interface BatchGetImageInput {
  registryId?: string;
  repositoryName: string;
  imageIds: ImageId[];
  acceptedMediaTypes?: string[];
}

/** BatchGetImage: the manifests, byte for byte, and a failure per image it cannot return. */
export function batchGetImage(
  deps: EcrServiceDeps,
): Operation<BatchGetImageInput, { images: ImageOutput[]; failures: ImageFailureOutput[] }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      imageIds: readImageIds(r, { required: true }) ?? [],
      acceptedMediaTypes: r.stringList('acceptedMediaTypes', { ...MEDIA_TYPE, minItems: 1, maxItems: 100 }),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:BatchGetImage', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const all = imagesByDigest(images, repository.name);
      const out: ImageOutput[] = [];
      const failures: ImageFailureOutput[] = [];
      for (const id of input.imageIds) {
        const lookup = findImage(all, id);
        if (!lookup.ok) {
          failures.push({ imageId: id, failureCode: lookup.failureCode, failureReason: lookup.failureReason });
          continue;
        }
        const manifest = images.getManifest(repository.name, lookup.image.digest);
        if (!manifest) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        // Gap: ECR converts some manifests to an accepted type; dockyard refuses instead.
        if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(manifest.mediaType)) {
          failures.push({
            imageId: id,
            failureCode: 'UnsupportedImageType',
            failureReason: `The image's manifest media type '${manifest.mediaType}' is not among acceptedMediaTypes`,
          });
          continue;
        }
        images.recordPull(repository.name, manifest.digest, ctx.clock.now());
        const imageId: ImageId = { imageDigest: manifest.digest };
        if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
        out.push({
          registryId: ctx.accountId,
          repositoryName: repository.name,
          imageId,
          imageManifest: manifest.content.toString('utf8'),
          imageManifestMediaType: manifest.mediaType,
        });
      }
      return { images: out, failures };
    },
  };
}

interface BatchDeleteImageInput {
  registryId?: string;
  repositoryName: string;
  imageIds: ImageId[];
}

/** BatchDeleteImage: by tag removes the tag (and the image with its last tag); by digest removes the image. */
export function batchDeleteImage(
  deps: EcrServiceDeps,
): Operation<BatchDeleteImageInput, { imageIds: ImageId[]; failures: ImageFailureOutput[] }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      imageIds: readImageIds(r, { required: true }) ?? [],
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:BatchDeleteImage', input.repositoryName)],
    run: (input, ctx) => {
      const name = requireRepository(images, input.repositoryName, input.registryId, ctx).name;
      const deleted: ImageId[] = [];
      const failures: ImageFailureOutput[] = [];
      for (const id of input.imageIds) {
        const lookup = findImage(imagesByDigest(images, name), id);
        if (!lookup.ok) {
          failures.push({ imageId: id, failureCode: lookup.failureCode, failureReason: lookup.failureReason });
          continue;
        }
        const image = lookup.image;
        const indexes = images.indexesReferencing(name, image.digest);
        if (id.imageTag !== undefined) {
          images.removeTag(name, id.imageTag);
          if (image.tags.length === 1 && indexes.length === 0) images.deleteManifest(name, image.digest);
          deleted.push({ imageDigest: image.digest, imageTag: id.imageTag });
          continue;
        }
        if (indexes.length > 0) {
          failures.push({
            imageId: id,
            failureCode: 'ImageReferencedByManifestList',
            failureReason: `Requested image referenced by manifest list: [${indexes.join(', ')}]`,
          });
          continue;
        }
        images.deleteManifest(name, image.digest);
        if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
        for (const tag of image.tags) deleted.push({ imageDigest: image.digest, imageTag: tag });
      }
      return { imageIds: deleted, failures };
    },
  };
}
