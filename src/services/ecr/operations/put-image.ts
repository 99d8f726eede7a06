/**
 * PutImage: stores a manifest through the same ImageStore.putManifest the data plane uses, so
 * immutability and reference checks are the data plane's; only the wording differs. An
 * identical re-push of a tag is ImageAlreadyExistsException here (the data plane accepts it).
 */
import type { ManifestPushFailure } from '../../../core/image-store.js';
import type { AwsError } from '../../../core/errors.js';
import type { Operation } from '../../../core/operation.js';
import { onRepository } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import { IMAGE_MANIFEST, IMAGE_TAG, MEDIA_TYPE, readRepositoryRef } from '../input-rules.js';
import { requireRepository } from '../lookups.js';
import type { ImageId } from '../model.js';
import type { ImageOutput } from '../outputs.js';

interface PutImageInput {
  registryId?: string;
  repositoryName: string;
  imageManifest: string;
  imageManifestMediaType?: string;
  imageTag?: string;
  imageDigest?: string;
}

/** A refused push in ECR's words. */
function pushError(failure: ManifestPushFailure, input: PutImageInput, registryId: string): AwsError {
  const name = input.repositoryName;
  switch (failure.kind) {
    case 'repositoryNotFound':
      return ecrErrors.repositoryNotFound(name, registryId);
    case 'invalidManifest':
      return ecrErrors.invalidParameter('ImageManifest', failure.message);
    case 'tooLarge':
      return ecrErrors.invalidParameter('ImageManifest', `Manifest exceeds the size limit of ${failure.limit} bytes`);
    case 'digestMismatch':
      return ecrErrors.imageDigestDoesNotMatch(failure.message);
    case 'blobUnknown':
      return ecrErrors.layersNotFound([failure.digest], name, registryId);
    case 'manifestUnknown':
      return ecrErrors.referencedImagesNotFound([failure.digest], name, registryId);
    case 'tagImmutable':
      return ecrErrors.imageTagAlreadyExists(failure.tag, failure.repository);
    case 'alreadyExists':
      return ecrErrors.imageAlreadyExists(failure.digest, failure.tag, name, registryId);
  }
}

/** PutImage: the manifest (with imageTag and/or imageDigest), checked and stored byte for byte. */
export function putImage(deps: EcrServiceDeps): Operation<PutImageInput, { image: ImageOutput }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      imageManifest: r.string('imageManifest', { ...IMAGE_MANIFEST, required: true }),
      imageManifestMediaType: r.string('imageManifestMediaType', MEDIA_TYPE),
      imageTag: r.string('imageTag', IMAGE_TAG),
      imageDigest: r.string('imageDigest'),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:PutImage', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const result = images.putManifest({
        repository: repository.name,
        content: Buffer.from(input.imageManifest, 'utf8'),
        mediaType: input.imageManifestMediaType ?? '',
        tag: input.imageTag,
        expectedDigest: input.imageDigest,
        refuseIdenticalTag: true,
        now: ctx.clock.now(),
      });
      if (!result.ok) throw pushError(result.failure, input, ctx.accountId);
      const stored = images.getManifest(repository.name, result.digest);
      const imageId: ImageId = { imageDigest: result.digest };
      if (input.imageTag !== undefined) imageId.imageTag = input.imageTag;
      return {
        image: {
          registryId: ctx.accountId,
          repositoryName: repository.name,
          imageId,
          imageManifest: input.imageManifest,
          imageManifestMediaType: stored?.mediaType ?? input.imageManifestMediaType ?? '',
        },
      };
    },
  };
}
