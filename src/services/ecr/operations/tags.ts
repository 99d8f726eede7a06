/**
 * Resource tagging: TagResource, UntagResource and ListTagsForResource, on a repository named
 * by its ARN. Tag keys are case-sensitive; a repository holds at most 50 tags; keys beginning
 * with `aws:` are reserved.
 */
import type { Operation, RequestContext } from '../../../core/operation.js';
import { onRepository, requestTagContext } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import type { EcrImageStore } from '../image-store.js';
import { ARN, readTagKeys, readTags } from '../input-rules.js';
import type { Repository, Tag } from '../model.js';
import type { TagOutput } from '../outputs.js';

/** Tags per repository. */
const TAG_QUOTA = 50;

const REPOSITORY_ARN = /^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/** Merges `incoming` over `existing` (same key: replaced), enforcing ECR's tag rules. */
export function checkTags(existing: readonly Tag[], incoming: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  for (const tag of incoming) {
    if (seen.has(tag.key)) throw ecrErrors.invalidTagParameter(`Duplicate tag key: '${tag.key}'`);
    seen.add(tag.key);
    if (tag.key.toLowerCase().startsWith('aws:'))
      throw ecrErrors.invalidTagParameter("Tag keys beginning with 'aws:' are reserved for AWS use");
  }
  const merged = [...existing.filter((t) => !seen.has(t.key)), ...incoming];
  if (merged.length > TAG_QUOTA) throw ecrErrors.tooManyTags();
  return merged;
}

/** The repository name in an ECR repository ARN of this account and region, if it is one. */
function nameFromArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const match = REPOSITORY_ARN.exec(arn);
  return match ? { region: match[1] as string, accountId: match[2] as string, name: match[3] as string } : undefined;
}

/** The ARN's repository, or InvalidParameter (malformed) / RepositoryNotFound. */
function repositoryByArn(images: EcrImageStore, arn: string, ctx: RequestContext): Repository {
  const parts = nameFromArn(arn);
  if (!parts) throw ecrErrors.invalidParameter('resourceArn', 'Invalid ARN');
  const repository =
    parts.accountId === ctx.accountId && parts.region === ctx.region ? images.repositories.get(parts.name) : undefined;
  if (!repository) throw ecrErrors.repositoryNotFound(parts.name, parts.accountId);
  return repository;
}

/** Authorizes on the ARN as given (IAM sees the resource the request names). */
function authorizeArn(
  images: EcrImageStore,
  ctx: RequestContext,
  action: string,
  arn: string,
  context: Record<string, string | string[]> = {},
) {
  const parts = nameFromArn(arn);
  if (parts && parts.accountId === ctx.accountId && parts.region === ctx.region)
    return [onRepository(images, ctx, action, parts.name, context)];
  return [{ action, resource: arn, context }];
}

interface TagResourceInput {
  resourceArn: string;
  tags: Tag[];
}

/** TagResource: adds or replaces tags. */
export function tagResource(deps: EcrServiceDeps): Operation<TagResourceInput, Record<string, never>> {
  const { images } = deps;
  return {
    input: (r) => ({
      resourceArn: r.string('resourceArn', { ...ARN, required: true }),
      tags: readTags(r, { required: true }) ?? [],
    }),
    authorize: (input, ctx) =>
      authorizeArn(images, ctx, 'ecr:TagResource', input.resourceArn, requestTagContext(input.tags)),
    run: (input, ctx) => {
      const repository = repositoryByArn(images, input.resourceArn, ctx);
      images.repositories.setTags(repository.name, checkTags(repository.tags, input.tags));
      return {};
    },
  };
}

interface UntagResourceInput {
  resourceArn: string;
  tagKeys: string[];
}

/** UntagResource: absent keys are ignored. */
export function untagResource(deps: EcrServiceDeps): Operation<UntagResourceInput, Record<string, never>> {
  const { images } = deps;
  return {
    input: (r) => ({ resourceArn: r.string('resourceArn', { ...ARN, required: true }), tagKeys: readTagKeys(r) }),
    authorize: (input, ctx) =>
      authorizeArn(images, ctx, 'ecr:UntagResource', input.resourceArn, { 'aws:TagKeys': input.tagKeys }),
    run: (input, ctx) => {
      const repository = repositoryByArn(images, input.resourceArn, ctx);
      const removed = new Set(input.tagKeys);
      images.repositories.setTags(
        repository.name,
        repository.tags.filter((t) => !removed.has(t.key)),
      );
      return {};
    },
  };
}

/** ListTagsForResource: in the order the tags were added. */
export function listTagsForResource(deps: EcrServiceDeps): Operation<{ resourceArn: string }, { tags: TagOutput[] }> {
  const { images } = deps;
  return {
    input: (r) => ({ resourceArn: r.string('resourceArn', { ...ARN, required: true }) }),
    authorize: (input, ctx) => authorizeArn(images, ctx, 'ecr:ListTagsForResource', input.resourceArn),
    run: (input, ctx) => ({
      tags: repositoryByArn(images, input.resourceArn, ctx).tags.map((t) => ({ Key: t.key, Value: t.value })),
    }),
  };
}
