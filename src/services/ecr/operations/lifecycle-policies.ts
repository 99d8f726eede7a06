/**
 * Lifecycle policies: PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy,
 * StartLifecyclePolicyPreview and GetLifecyclePolicyPreview. A preview is evaluated at once
 * with the clock's time, over the same candidates and by the same evaluateLifecycle the
 * LifecycleRunner uses, and kept until the next preview. Start answers IN_PROGRESS as ECR
 * does (its waiter polls Get, which answers COMPLETE).
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { onRepository } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import {
  LIFECYCLE_POLICY_TEXT,
  readImageIds,
  readPaging,
  readRepositoryRef,
  readTagStatusFilter,
  type Paging,
  type RepositoryRef,
  type TagStatusFilter,
} from '../input-rules.js';
import { evaluateLifecycle, lifecycleCandidates } from '../lifecycle.js';
import { LifecyclePolicyError, parseLifecyclePolicy, type LifecyclePolicy } from '../lifecycle-policy.js';
import { requireRepository } from '../lookups.js';
import type { ImageId } from '../model.js';
import { paginate } from '../pagination.js';

interface LifecyclePolicyOutput {
  registryId: string;
  repositoryName: string;
  lifecyclePolicyText: string;
  lastEvaluatedAt?: Date;
}

/** Parses a lifecycle policy, answering InvalidParameterException as ECR words it. */
export function validateLifecyclePolicy(text: string): LifecyclePolicy {
  try {
    return parseLifecyclePolicy(text);
  } catch (error) {
    if (error instanceof LifecyclePolicyError)
      throw ecrErrors.invalidParameter('LifecyclePolicyText', `Lifecycle policy validation failure: ${error.message}`);
    throw error;
  }
}

/** PutLifecyclePolicy: validates and stores; the runner applies it on its schedule. */
export function putLifecyclePolicy(
  deps: EcrServiceDeps,
): Operation<RepositoryRef & { lifecyclePolicyText: string }, LifecyclePolicyOutput> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      lifecyclePolicyText: r.string('lifecyclePolicyText', { ...LIFECYCLE_POLICY_TEXT, required: true }),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:PutLifecyclePolicy', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      validateLifecyclePolicy(input.lifecyclePolicyText);
      images.repositories.setLifecyclePolicy(repository.name, input.lifecyclePolicyText);
      return {
        registryId: ctx.accountId,
        repositoryName: repository.name,
        lifecyclePolicyText: input.lifecyclePolicyText,
      };
    },
  };
}

function policyOf(deps: EcrServiceDeps, input: RepositoryRef, ctx: RequestContext): LifecyclePolicyOutput {
  const repository = requireRepository(deps.images, input.repositoryName, input.registryId, ctx);
  if (repository.lifecyclePolicyText === undefined)
    throw ecrErrors.lifecyclePolicyNotFound(repository.name, ctx.accountId);
  const out: LifecyclePolicyOutput = {
    registryId: ctx.accountId,
    repositoryName: repository.name,
    lifecyclePolicyText: repository.lifecyclePolicyText,
  };
  if (repository.lifecycleEvaluatedAt) out.lastEvaluatedAt = repository.lifecycleEvaluatedAt;
  return out;
}

/** GetLifecyclePolicy: LifecyclePolicyNotFoundException when there is none. */
export function getLifecyclePolicy(deps: EcrServiceDeps): Operation<RepositoryRef, LifecyclePolicyOutput> {
  return {
    input: readRepositoryRef,
    authorize: (input, ctx) => [onRepository(deps.images, ctx, 'ecr:GetLifecyclePolicy', input.repositoryName)],
    run: (input, ctx) => policyOf(deps, input, ctx),
  };
}

/** DeleteLifecyclePolicy: answers with the policy it deleted. */
export function deleteLifecyclePolicy(deps: EcrServiceDeps): Operation<RepositoryRef, LifecyclePolicyOutput> {
  return {
    input: readRepositoryRef,
    authorize: (input, ctx) => [onRepository(deps.images, ctx, 'ecr:DeleteLifecyclePolicy', input.repositoryName)],
    run: (input, ctx) => {
      const out = policyOf(deps, input, ctx);
      deps.images.repositories.setLifecyclePolicy(out.repositoryName, undefined);
      return out;
    },
  };
}

interface StartPreviewOutput {
  registryId: string;
  repositoryName: string;
  lifecyclePolicyText: string;
  status: 'IN_PROGRESS';
}

/** StartLifecyclePolicyPreview: evaluates the given policy (or the repository's) now. */
export function startLifecyclePolicyPreview(
  deps: EcrServiceDeps,
): Operation<RepositoryRef & { lifecyclePolicyText?: string }, StartPreviewOutput> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      lifecyclePolicyText: r.string('lifecyclePolicyText', LIFECYCLE_POLICY_TEXT),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:StartLifecyclePolicyPreview', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const text = input.lifecyclePolicyText ?? repository.lifecyclePolicyText;
      if (text === undefined) throw ecrErrors.lifecyclePolicyNotFound(repository.name, ctx.accountId);
      const expired = evaluateLifecycle(
        lifecycleCandidates(images, repository.name),
        validateLifecyclePolicy(text),
        ctx.clock.now(),
      );
      images.repositories.setLifecyclePreview(repository.name, {
        policyText: text,
        results: expired.map(({ image, rulePriority }) => ({
          digest: image.digest,
          tags: [...image.tags],
          pushedAt: image.pushedAt,
          rulePriority,
        })),
      });
      return {
        registryId: ctx.accountId,
        repositoryName: repository.name,
        lifecyclePolicyText: text,
        status: 'IN_PROGRESS',
      };
    },
  };
}

interface GetPreviewInput extends RepositoryRef, Paging {
  imageIds?: ImageId[];
  tagStatus?: TagStatusFilter;
}

interface PreviewResultOutput {
  imageTags?: string[];
  imageDigest: string;
  imagePushedAt: Date;
  action: { type: 'EXPIRE' };
  appliedRulePriority: number;
}

interface GetPreviewOutput {
  registryId: string;
  repositoryName: string;
  lifecyclePolicyText: string;
  status: 'COMPLETE';
  previewResults: PreviewResultOutput[];
  summary: { expiringImageTotalCount: number };
  nextToken?: string;
}

/** GetLifecyclePolicyPreview: the images the last preview would expire, filtered and paged. */
export function getLifecyclePolicyPreview(deps: EcrServiceDeps): Operation<GetPreviewInput, GetPreviewOutput> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      imageIds: readImageIds(r),
      tagStatus: readTagStatusFilter(r),
      ...readPaging(r, 100),
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:GetLifecyclePolicyPreview', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      const preview = images.repositories.lifecyclePreview(repository.name);
      if (!preview) throw ecrErrors.lifecyclePolicyPreviewNotFound(repository.name, ctx.accountId);
      if (input.imageIds && (input.maxResults !== undefined || input.nextToken !== undefined)) {
        throw ecrErrors.invalidParameter('maxResults', 'maxResults and nextToken cannot be used with imageIds');
      }
      let results = preview.results.filter((r) =>
        input.tagStatus === 'TAGGED' ? r.tags.length > 0 : input.tagStatus === 'UNTAGGED' ? r.tags.length === 0 : true,
      );
      if (input.imageIds) {
        const ids = input.imageIds;
        results = results.filter((r) =>
          ids.some(
            (id) =>
              (id.imageDigest === undefined || id.imageDigest === r.digest) &&
              (id.imageTag === undefined || r.tags.includes(id.imageTag)),
          ),
        );
      }
      const sorted = [...results].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
      const page = paginate(sorted, input, (r) => r.digest);
      return {
        registryId: ctx.accountId,
        repositoryName: repository.name,
        lifecyclePolicyText: preview.policyText,
        status: 'COMPLETE',
        previewResults: page.items.map((r) => {
          const out: PreviewResultOutput = {
            imageDigest: r.digest,
            imagePushedAt: r.pushedAt,
            action: { type: 'EXPIRE' },
            appliedRulePriority: r.rulePriority,
          };
          if (r.tags.length > 0) out.imageTags = r.tags;
          return out;
        }),
        summary: { expiringImageTotalCount: preview.results.length },
        nextToken: page.nextToken,
      };
    },
  };
}
