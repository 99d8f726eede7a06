/**
 * ECR's response shapes (camelCase members; Dates, which the protocol renders as epoch
 * seconds), built from the store's entities. Absent optional members are left out, as ECR
 * leaves them out.
 */
import { ecrHostname } from '../../core/ecr-address.js';
import type { ImageId, ImageSummary, Repository } from './model.js';

export interface RepositoryOutput {
  repositoryArn: string;
  registryId: string;
  repositoryName: string;
  repositoryUri: string;
  createdAt: Date;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: { filterType: string; filter: string }[];
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: { encryptionType: string; kmsKey?: string };
}

/**
 * A repository as ECR answers it. `awsForm` (a caller that reached the cloud by AWS's hostnames)
 * gives its URI as AWS does, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: that name
 * reaches this registry where the caller is, and its `docker login` (to GetAuthorizationToken's
 * proxyEndpoint, in the same form) then covers it.
 */
export function repositoryOutput(repository: Repository, awsForm = false): RepositoryOutput {
  const out: RepositoryOutput = {
    repositoryArn: repository.arn,
    registryId: repository.registryId,
    repositoryName: repository.name,
    repositoryUri: awsForm ? awsRepositoryUri(repository) : repository.uri,
    createdAt: repository.createdAt,
    imageTagMutability: repository.tagMutability,
    imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
    encryptionConfiguration: { ...repository.encryption },
  };
  if (repository.tagMutabilityExclusionFilters)
    out.imageTagMutabilityExclusionFilters = repository.tagMutabilityExclusionFilters.map((f) => ({ ...f }));
  return out;
}

export interface ImageDetailOutput {
  registryId: string;
  repositoryName: string;
  imageDigest: string;
  imageTags?: string[];
  imageSizeInBytes: number;
  imagePushedAt: Date;
  imageManifestMediaType: string;
  artifactMediaType?: string;
  lastRecordedPullTime?: Date;
  subjectManifestDigest?: string;
  imageStatus: 'ACTIVE';
}

export function imageDetail(registryId: string, image: ImageSummary): ImageDetailOutput {
  const out: ImageDetailOutput = {
    registryId,
    repositoryName: image.repository,
    imageDigest: image.digest,
    imageSizeInBytes: image.imageSizeInBytes,
    imagePushedAt: image.pushedAt,
    imageManifestMediaType: image.mediaType,
    imageStatus: 'ACTIVE',
  };
  if (image.tags.length > 0) out.imageTags = [...image.tags];
  if (image.artifactType !== undefined) out.artifactMediaType = image.artifactType;
  if (image.lastPulledAt !== undefined) out.lastRecordedPullTime = image.lastPulledAt;
  if (image.subjectDigest !== undefined) out.subjectManifestDigest = image.subjectDigest;
  return out;
}

export interface ImageOutput {
  registryId: string;
  repositoryName: string;
  imageId: ImageId;
  imageManifest: string;
  imageManifestMediaType: string;
}

export interface ImageFailureOutput {
  imageId: ImageId;
  failureCode: string;
  failureReason: string;
}

export interface TagOutput {
  Key: string;
  Value: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, the region taken from the repository's ARN. */
function awsRepositoryUri(repository: Repository): string {
  const region = repository.arn.split(':')[3] ?? '';
  return `${ecrHostname(repository.registryId, region)}/${repository.name}`;
}
