/**
 * ECR's error catalogue: one factory per AWS error situation, named as the SDK's exception
 * classes and worded as ECR words them. ECR answers every client error with HTTP 400.
 * Messages marked "unverified" follow ECR's style but were not seen in an AWS response.
 */
import { AwsError, type ErrorCatalogue } from '../../core/errors.js';
import type { ImageId } from './model.js';

const error = (code: string, message: string): AwsError => new AwsError(code, message, { status: 400 });

/** How ECR prints an ImageIdentifier in messages: {imageDigest:'…', imageTag:'null'}. */
export function printImageId(id: ImageId): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

export const ecrErrors = {
  repositoryNotFound: (name: string, registryId: string) =>
    error(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    ),
  repositoryExists: (name: string, registryId: string) =>
    error(
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
    ),
  repositoryNotEmpty: (name: string, registryId: string) =>
    error(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  imageNotFound: (id: ImageId, name: string, registryId: string) =>
    error(
      'ImageNotFoundException',
      `The image with imageId ${printImageId(id)} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  lifecyclePolicyNotFound: (name: string, registryId: string) =>
    error(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  /** Unverified wording. */
  lifecyclePolicyPreviewNotFound: (name: string, registryId: string) =>
    error(
      'LifecyclePolicyPreviewNotFoundException',
      `Lifecycle policy preview does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  repositoryPolicyNotFound: (name: string, registryId: string) =>
    error(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  /** The data plane's TAG_INVALID message says the same (docs/reference/registry.md §1). */
  imageTagAlreadyExists: (tag: string, name: string) =>
    error(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  imageAlreadyExists: (digest: string, tag: string | undefined, name: string, registryId: string) =>
    error(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  layersNotFound: (digests: readonly string[], name: string, registryId: string) =>
    error(
      'LayersNotFoundException',
      `Layers with digests '[${digests.join(', ')}]' required for pushing image into repository with name '${name}' in registry with id '${registryId}' do not exist`,
    ),
  /** Unverified wording. */
  referencedImagesNotFound: (digests: readonly string[], name: string, registryId: string) =>
    error(
      'ReferencedImagesNotFoundException',
      `Images with digests '[${digests.join(', ')}]' referenced by the manifest do not exist in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  /** Unverified wording: `detail` names both digests. */
  imageDigestDoesNotMatch: (detail: string) =>
    error('ImageDigestDoesNotMatchException', `Provided image digest does not match the manifest. ${detail}`),
  /** ECR's form for semantic input errors: Invalid parameter at 'X' failed to satisfy constraint: '…'. */
  invalidParameter: (member: string, constraint: string) =>
    error(
      'InvalidParameterException',
      `Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`,
    ),
  invalidTagParameter: (message: string) => error('InvalidTagParameterException', message),
  /** Unverified wording; 50 tags per resource is ECR's quota. */
  tooManyTags: () => error('TooManyTagsException', 'A repository can have at most 50 tags.'),
} satisfies ErrorCatalogue;
