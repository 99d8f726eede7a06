/**
 * ECR's entities as the control plane keeps them. A Repository is the contract's
 * RepositoryInfo (what the data plane needs) plus what only the control plane shows:
 * scanning and encryption settings, tags and the lifecycle policy.
 */
import type { RepositoryInfo, StoredManifest } from '../../core/image-store.js';

/** MUTABLE | IMMUTABLE | IMMUTABLE_WITH_EXCLUSION | MUTABLE_WITH_EXCLUSION */
export type TagMutability = RepositoryInfo['tagMutability'];

/** One imageTagMutabilityExclusionFilters entry: a WILDCARD pattern over tags. */
export type ExclusionFilter = NonNullable<RepositoryInfo['tagMutabilityExclusionFilters']>[number];

export const TAG_MUTABILITIES: readonly TagMutability[] = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
];

export type EncryptionType = 'AES256' | 'KMS' | 'KMS_DSSE';
export const ENCRYPTION_TYPES: readonly EncryptionType[] = ['AES256', 'KMS', 'KMS_DSSE'];

/** A resource tag (ECR spells the members Key and Value on the wire). */
export interface Tag {
  key: string;
  value: string;
}

export interface EncryptionConfiguration {
  encryptionType: EncryptionType;
  kmsKey?: string;
}

/** A repository with everything the control plane stores about it. */
export interface Repository extends RepositoryInfo {
  scanOnPush: boolean;
  encryption: EncryptionConfiguration;
  tags: Tag[];
  lifecyclePolicyText?: string;
  /** When the lifecycle policy last ran over this repository. */
  lifecycleEvaluatedAt?: Date;
}

/** An image without its manifest bytes: what listings and lifecycle rules look at. */
export type ImageSummary = Omit<StoredManifest, 'content'>;

/** ECR's ImageIdentifier: a digest, a tag, or both. */
export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}
