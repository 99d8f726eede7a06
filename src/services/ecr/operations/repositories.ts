/**
 * Repository operations: CreateRepository, DescribeRepositories, DeleteRepository and
 * PutImageTagMutability.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { onRepository, requestTagContext } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import {
  REPOSITORY_NAME,
  readExclusionFilters,
  readPaging,
  readRegistryId,
  readRepositoryRef,
  readTags,
  type Paging,
} from '../input-rules.js';
import { registryOf, requireRepository } from '../lookups.js';
import {
  ENCRYPTION_TYPES,
  TAG_MUTABILITIES,
  type EncryptionConfiguration,
  type ExclusionFilter,
  type Tag,
  type TagMutability,
} from '../model.js';
import { repositoryOutput, type RepositoryOutput } from '../outputs.js';
import { paginate } from '../pagination.js';
import { checkTags } from './tags.js';

/** Reads imageTagMutability and its exclusion filters. */
function readMutability(r: InputReader): { tagMutability?: TagMutability; exclusionFilters?: ExclusionFilter[] } {
  return {
    tagMutability: r.string('imageTagMutability', { oneOf: TAG_MUTABILITIES }),
    exclusionFilters: readExclusionFilters(r),
  };
}

/** Exclusion filters go with the *_WITH_EXCLUSION modes and only with them (wording unverified). */
function checkExclusionFilters(mutability: TagMutability, filters: ExclusionFilter[] | undefined): void {
  const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
  if (withExclusion && (filters === undefined || filters.length === 0)) {
    throw ecrErrors.invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `Exclusion filters are required when imageTagMutability is ${mutability}`,
    );
  }
  if (!withExclusion && filters !== undefined) {
    throw ecrErrors.invalidParameter(
      'imageTagMutabilityExclusionFilters',
      `Exclusion filters can only be used when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION`,
    );
  }
}

function checkRegistry(registryId: string | undefined, accountId: string): void {
  if (registryId !== undefined && registryId !== accountId) {
    throw ecrErrors.invalidParameter('registryId', `This registry's id is '${accountId}'`);
  }
}

interface CreateRepositoryInput {
  registryId?: string;
  repositoryName: string;
  tags?: Tag[];
  tagMutability?: TagMutability;
  exclusionFilters?: ExclusionFilter[];
  scanOnPush?: boolean;
  encryption?: EncryptionConfiguration;
}

/** CreateRepository: a new repository with its settings and tags. */
export function createRepository(
  deps: EcrServiceDeps,
): Operation<CreateRepositoryInput, { repository: RepositoryOutput }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      tags: readTags(r),
      ...readMutability(r),
      scanOnPush: r.structure('imageScanningConfiguration', (c) => c.boolean('scanOnPush')),
      encryption: r.structure('encryptionConfiguration', (c) => {
        const encryptionType = c.string('encryptionType', { required: true, oneOf: ENCRYPTION_TYPES });
        const kmsKey = c.string('kmsKey', { min: 1, max: 2048 });
        return kmsKey === undefined ? { encryptionType } : { encryptionType, kmsKey };
      }),
    }),
    authorize: (input, ctx) => {
      const primary = onRepository(
        images,
        ctx,
        'ecr:CreateRepository',
        input.repositoryName,
        requestTagContext(input.tags),
      );
      // Tagging on create also needs ecr:TagResource, with the same request tags.
      return input.tags && input.tags.length > 0 ? [primary, { ...primary, action: 'ecr:TagResource' }] : [primary];
    },
    run: (input, ctx) => {
      checkRegistry(input.registryId, ctx.accountId);
      const tagMutability = input.tagMutability ?? 'MUTABLE';
      checkExclusionFilters(tagMutability, input.exclusionFilters);
      const tags = checkTags([], input.tags ?? []);
      const encryption = input.encryption ?? { encryptionType: 'AES256' };
      if (encryption.encryptionType === 'AES256' && encryption.kmsKey !== undefined) {
        throw ecrErrors.invalidParameter(
          'encryptionConfiguration.kmsKey',
          'A KMS key can only be given with encryptionType KMS or KMS_DSSE',
        );
      }
      const created = images.repositories.create({
        name: input.repositoryName,
        tagMutability,
        exclusionFilters: input.exclusionFilters,
        scanOnPush: input.scanOnPush ?? false,
        encryption,
        tags,
        createdAt: ctx.clock.now(),
      });
      if (!created) throw ecrErrors.repositoryExists(input.repositoryName, ctx.accountId);
      return {
        repository: repositoryOutput(requireRepository(images, input.repositoryName, undefined, ctx), ctx.awsHostnames),
      };
    },
  };
}

interface DescribeRepositoriesInput extends Paging {
  registryId?: string;
  repositoryNames?: string[];
}

/** DescribeRepositories: the named repositories (each must exist), or all of them, paged. */
export function describeRepositories(
  deps: EcrServiceDeps,
): Operation<DescribeRepositoriesInput, { repositories: RepositoryOutput[]; nextToken?: string }> {
  const { images } = deps;
  return {
    input: (r) => ({
      registryId: readRegistryId(r),
      repositoryNames: r.stringList('repositoryNames', { ...REPOSITORY_NAME, minItems: 1, maxItems: 100 }),
      ...readPaging(r),
    }),
    authorize: (input, ctx) =>
      input.repositoryNames && input.repositoryNames.length > 0
        ? input.repositoryNames.map((name) => onRepository(images, ctx, 'ecr:DescribeRepositories', name))
        : [onRepository(images, ctx, 'ecr:DescribeRepositories', '*')],
    run: (input, ctx) => {
      if (input.repositoryNames) {
        if (input.maxResults !== undefined || input.nextToken !== undefined) {
          throw ecrErrors.invalidParameter(
            'maxResults',
            'maxResults and nextToken cannot be used with repositoryNames',
          );
        }
        const names = [...new Set(input.repositoryNames)];
        return {
          repositories: names.map((name) =>
            repositoryOutput(requireRepository(images, name, input.registryId, ctx), ctx.awsHostnames),
          ),
        };
      }
      const all = registryOf(input.registryId, ctx) === ctx.accountId ? images.repositories.list() : [];
      const page = paginate(all, input, (repo) => repo.name);
      return {
        repositories: page.items.map((repo) => repositoryOutput(repo, ctx.awsHostnames)),
        nextToken: page.nextToken,
      };
    },
  };
}

interface DeleteRepositoryInput {
  registryId?: string;
  repositoryName: string;
  force: boolean;
}

/** DeleteRepository: refused while images remain, unless force. */
export function deleteRepository(
  deps: EcrServiceDeps,
): Operation<DeleteRepositoryInput, { repository: RepositoryOutput }> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      force: r.boolean('force') ?? false,
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:DeleteRepository', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      if (!input.force && images.hasImages(repository.name))
        throw ecrErrors.repositoryNotEmpty(repository.name, ctx.accountId);
      images.repositories.delete(repository.name);
      return { repository: repositoryOutput(repository, ctx.awsHostnames) };
    },
  };
}

interface PutImageTagMutabilityInput {
  registryId?: string;
  repositoryName: string;
  tagMutability: TagMutability;
  exclusionFilters?: ExclusionFilter[];
}

interface PutImageTagMutabilityOutput {
  registryId: string;
  repositoryName: string;
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters?: ExclusionFilter[];
}

/** PutImageTagMutability: changes the mode (and filters); existing tags are not re-checked. */
export function putImageTagMutability(
  deps: EcrServiceDeps,
): Operation<PutImageTagMutabilityInput, PutImageTagMutabilityOutput> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      tagMutability: r.string('imageTagMutability', { required: true, oneOf: TAG_MUTABILITIES }),
      exclusionFilters: readExclusionFilters(r),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:PutImageTagMutability', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      checkExclusionFilters(input.tagMutability, input.exclusionFilters);
      images.repositories.setTagMutability(repository.name, input.tagMutability, input.exclusionFilters);
      const out: PutImageTagMutabilityOutput = {
        registryId: ctx.accountId,
        repositoryName: repository.name,
        imageTagMutability: input.tagMutability,
      };
      if (input.exclusionFilters) out.imageTagMutabilityExclusionFilters = input.exclusionFilters;
      return out;
    },
  };
}
