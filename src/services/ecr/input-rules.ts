/**
 * ECR's input constraints as the ECR API Reference states them (validation failures print
 * the pattern as written here), and readers for members several operations share: registryId,
 * imageIds, tags and nextToken/maxResults paging.
 */
import type { InputReader, StringRules } from '../../core/input-reader.js';
import type { ImageId, Tag } from './model.js';

const REPOSITORY_NAME_TEXT = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
/** repositoryName: lowercase path segments, 2..256. */
export const REPOSITORY_NAME: StringRules = {
  min: 2,
  max: 256,
  pattern: new RegExp(REPOSITORY_NAME_TEXT),
  patternText: REPOSITORY_NAME_TEXT,
};
/** registryId: an account id. */
export const REGISTRY_ID: StringRules = { pattern: /[0-9]{12}/ };
/** imageTag: 1..300 characters (ECR's limit; OCI's tag grammar is the data plane's). */
export const IMAGE_TAG: StringRules = { min: 1, max: 300 };
/** imageManifest: at most 4,194,304 characters. */
export const IMAGE_MANIFEST: StringRules = { min: 1, max: 4194304 };
export const MEDIA_TYPE: StringRules = { min: 1, max: 255 };
/** A policy text (repository policy): at most 10,240 characters. */
export const REPOSITORY_POLICY_TEXT: StringRules = { min: 0, max: 10240 };
/** lifecyclePolicyText: 100..30,720 characters. */
export const LIFECYCLE_POLICY_TEXT: StringRules = { min: 100, max: 30720 };
export const ARN: StringRules = { min: 1, max: 2048 };
/** An exclusion filter: a tag pattern with `*` wildcards. */
const EXCLUSION_FILTER_TEXT = '^[0-9a-zA-Z._*-]{1,128}';
const EXCLUSION_FILTER: StringRules = {
  min: 1,
  max: 128,
  pattern: /[0-9a-zA-Z._*-]{1,128}/,
  patternText: EXCLUSION_FILTER_TEXT,
};
const TAG_KEY: StringRules = { min: 1, max: 128 };
const TAG_VALUE: StringRules = { min: 0, max: 256 };
const TAG_STATUSES = ['TAGGED', 'UNTAGGED', 'ANY'] as const;

/** tagStatus of DescribeImages, ListImages and GetLifecyclePolicyPreview filters. */
export type TagStatusFilter = (typeof TAG_STATUSES)[number];

/** Reads registryId (which must be this account's, or the repository "does not exist"). */
export function readRegistryId(reader: InputReader): string | undefined {
  return reader.string('registryId', REGISTRY_ID);
}

/** The registryId and repositoryName most operations take. */
export interface RepositoryRef {
  registryId?: string;
  repositoryName: string;
}

/** Reads registryId and the required repositoryName. */
export function readRepositoryRef(reader: InputReader): RepositoryRef {
  return {
    registryId: readRegistryId(reader),
    repositoryName: reader.string('repositoryName', { ...REPOSITORY_NAME, required: true }),
  };
}

/** Reads an imageIds list: each a digest, a tag, or both. */
export function readImageIds(
  reader: InputReader,
  options: { required?: boolean; maxItems?: number } = {},
): ImageId[] | undefined {
  return reader.list(
    'imageIds',
    (item) => {
      const id: ImageId = {};
      const digest = item.string('imageDigest');
      const tag = item.string('imageTag', IMAGE_TAG);
      if (digest !== undefined) id.imageDigest = digest;
      if (tag !== undefined) id.imageTag = tag;
      return id;
    },
    { required: options.required, minItems: options.required ? 1 : undefined, maxItems: options.maxItems ?? 100 },
  );
}

/** Reads a tags list of {Key, Value} (at most 50). */
export function readTags(reader: InputReader, options: { required?: boolean } = {}): Tag[] | undefined {
  return reader.list(
    'tags',
    (item) => ({
      key: item.string('Key', { ...TAG_KEY, required: true }),
      value: item.string('Value', { ...TAG_VALUE, required: true }),
    }),
    { required: options.required, maxItems: 200 },
  );
}

/** Reads tagKeys of UntagResource. */
export function readTagKeys(reader: InputReader): string[] {
  return reader.stringList('tagKeys', { ...TAG_KEY, required: true, maxItems: 200 }) ?? [];
}

/** Reads imageTagMutabilityExclusionFilters (1..5 WILDCARD filters). */
export function readExclusionFilters(reader: InputReader): { filterType: 'WILDCARD'; filter: string }[] | undefined {
  return reader.list(
    'imageTagMutabilityExclusionFilters',
    (item) => {
      item.string('filterType', { required: true, oneOf: ['WILDCARD'] });
      return {
        filterType: 'WILDCARD' as const,
        filter: item.string('filter', { ...EXCLUSION_FILTER, required: true }),
      };
    },
    { minItems: 1, maxItems: 5 },
  );
}

/** Reads a filter structure's tagStatus. */
export function readTagStatusFilter(reader: InputReader): TagStatusFilter | undefined {
  return reader.structure('filter', (f) => f.string('tagStatus', { oneOf: TAG_STATUSES }));
}

/** nextToken and maxResults, as ECR's paged lists take them. */
export interface Paging {
  nextToken?: string;
  maxResults?: number;
}

/** Reads nextToken and maxResults (1..max). */
export function readPaging(reader: InputReader, max = 1000): Paging {
  return { nextToken: reader.string('nextToken'), maxResults: reader.integer('maxResults', { min: 1, max }) };
}
