/**
 * The IAM actions and resources ECR's operations are authorized against (Service
 * Authorization Reference, "Actions defined by Amazon Elastic Container Registry"): every
 * repository operation is `ecr:<Operation>` on the repository's ARN, with the repository's
 * policy (when it has one) evaluated as its resource-based policy and its tags as
 * aws:ResourceTag/… (and ecr:ResourceTag/…) condition keys. GetAuthorizationToken has no
 * resource type: `*`. DescribeRepositories without names is checked on `repository/*`.
 */
import type { Authorization, RequestContext } from '../../core/operation.js';
import { requestTagContext } from '../../core/operation.js';
import type { EcrImageStore } from './image-store.js';
import { repositoryArn } from './repository-store.js';

type Context = Record<string, string | string[]>;

/** Condition keys for tags in a request (aws:RequestTag/KEY, aws:TagKeys): the same for every service. */
export { requestTagContext };

/** Authorizes `action` on the repository `name` (which may not exist yet). */
export function onRepository(
  images: EcrImageStore,
  ctx: RequestContext,
  action: string,
  name: string,
  extra: Context = {},
): Authorization {
  const repository = images.repositories.get(name);
  const context: Context = { ...extra };
  for (const tag of repository?.tags ?? []) {
    context[`aws:ResourceTag/${tag.key}`] = tag.value;
    context[`ecr:ResourceTag/${tag.key}`] = tag.value;
  }
  const auth: Authorization = { action, resource: repositoryArn(ctx.region, ctx.accountId, name) };
  if (Object.keys(context).length > 0) auth.context = context;
  if (repository?.policyText !== undefined) auth.resourcePolicy = repository.policyText;
  return auth;
}
