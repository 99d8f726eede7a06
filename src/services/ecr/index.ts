/**
 * ECR (awsJson1_1, AmazonEC2ContainerRegistry_V20150921): private repositories, their images
 * and the policies around them — the control plane in front of the OCI registry that
 * src/registry serves at /v2/. Both planes share one EcrImageStore, so a manifest pushed by
 * docker is the image DescribeImages shows and BatchGetImage returns byte for byte.
 *
 * Fidelity
 * - Gaps: image scanning (scanOnPush is stored; no scan runs, no imageScanStatus, no
 *   DescribeImageScanFindings); replication, pull-through cache, registry policies and
 *   scanning configuration, repository creation templates, signing, archival storage classes;
 *   the layer-upload API (InitiateLayerUpload & co.) and BatchCheckLayerAvailability —
 *   clients push through the registry. Lifecycle rules with sinceImagePulled or a
 *   `transition` action are refused. BatchGetImage never converts manifests: an image whose
 *   media type is not in acceptedMediaTypes is a failure (code UnsupportedImageType, our own)
 *   where ECR may convert a manifest list or Docker schema 2 manifest. Operations not listed
 *   in EcrOperationName answer UnknownOperationException from the protocol layer.
 * - By design: encryptionConfiguration is stored and echoed; nothing is encrypted with KMS.
 *   registryId may only name this account. repositoryUri and proxyEndpoint point at the local
 *   registry (`registryHost`), not at <account>.dkr.ecr.<region>.amazonaws.com, except for a
 *   caller that reached the cloud by AWS's hostnames (a job or a task, where that name leads
 *   to this registry): it gets AWS's form, so its `docker login` and its pushes agree.
 *   Lifecycle policies ignore images that a manifest list in the repository references
 *   (lifecycle.ts). A lifecycle preview is computed at once; its result is kept until the next
 *   StartLifecyclePolicyPreview. Lists are ordered by name or digest, so paging is stable.
 * - Client quirks: StartLifecyclePolicyPreview answers IN_PROGRESS and the next
 *   GetLifecyclePolicyPreview COMPLETE, which is what the SDK's waiter polls for. A manifest
 *   without a mediaType pushed without imageManifestMediaType is refused with ECR's own
 *   "Invalid JSON syntax". An identical re-push is ImageAlreadyExistsException on PutImage but
 *   accepted by the registry, as on AWS.
 */
import type { AnyOperation, ServiceDefinition } from '../../core/operation.js';
import type { EcrServiceDeps } from './deps.js';
import { getAuthorizationToken } from './operations/authorization-token.js';
import { batchDeleteImage, batchGetImage, describeImages, listImages } from './operations/images.js';
import {
  deleteLifecyclePolicy,
  getLifecyclePolicy,
  getLifecyclePolicyPreview,
  putLifecyclePolicy,
  startLifecyclePolicyPreview,
} from './operations/lifecycle-policies.js';
import { putImage } from './operations/put-image.js';
import { deleteRepositoryPolicy, getRepositoryPolicy, setRepositoryPolicy } from './operations/repository-policies.js';
import {
  createRepository,
  deleteRepository,
  describeRepositories,
  putImageTagMutability,
} from './operations/repositories.js';
import { listTagsForResource, tagResource, untagResource } from './operations/tags.js';

export type { EcrServiceDeps, RegistryTokenIssuer } from './deps.js';
export { EcrImageStore, MANIFEST_SIZE_LIMIT } from './image-store.js';
export { LifecycleRunner, evaluateLifecycle, type LifecycleImage } from './lifecycle.js';
export { LifecyclePolicyError, parseLifecyclePolicy } from './lifecycle-policy.js';

/** Every ECR operation dockyard serves, by AWS's name. */
export type EcrOperationName =
  | 'CreateRepository'
  | 'DescribeRepositories'
  | 'DeleteRepository'
  | 'GetAuthorizationToken'
  | 'DescribeImages'
  | 'ListImages'
  | 'BatchGetImage'
  | 'BatchDeleteImage'
  | 'PutImage'
  | 'PutImageTagMutability'
  | 'PutLifecyclePolicy'
  | 'GetLifecyclePolicy'
  | 'DeleteLifecyclePolicy'
  | 'StartLifecyclePolicyPreview'
  | 'GetLifecyclePolicyPreview'
  | 'SetRepositoryPolicy'
  | 'GetRepositoryPolicy'
  | 'DeleteRepositoryPolicy'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource';

/** The ECR service over `deps.images`. */
export function createEcrService(deps: EcrServiceDeps): ServiceDefinition {
  const operations: Record<EcrOperationName, AnyOperation> = {
    CreateRepository: createRepository(deps),
    DescribeRepositories: describeRepositories(deps),
    DeleteRepository: deleteRepository(deps),
    GetAuthorizationToken: getAuthorizationToken(deps),
    DescribeImages: describeImages(deps),
    ListImages: listImages(deps),
    BatchGetImage: batchGetImage(deps),
    BatchDeleteImage: batchDeleteImage(deps),
    PutImage: putImage(deps),
    PutImageTagMutability: putImageTagMutability(deps),
    PutLifecyclePolicy: putLifecyclePolicy(deps),
    GetLifecyclePolicy: getLifecyclePolicy(deps),
    DeleteLifecyclePolicy: deleteLifecyclePolicy(deps),
    StartLifecyclePolicyPreview: startLifecyclePolicyPreview(deps),
    GetLifecyclePolicyPreview: getLifecyclePolicyPreview(deps),
    SetRepositoryPolicy: setRepositoryPolicy(deps),
    GetRepositoryPolicy: getRepositoryPolicy(deps),
    DeleteRepositoryPolicy: deleteRepositoryPolicy(deps),
    TagResource: tagResource(deps),
    UntagResource: untagResource(deps),
    ListTagsForResource: listTagsForResource(deps),
  };
  return {
    signingName: 'ecr',
    title: 'ECR',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    validationErrorCode: 'InvalidParameterException',
    operations,
  };
}
