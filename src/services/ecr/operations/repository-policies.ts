/**
 * Repository policies: SetRepositoryPolicy, GetRepositoryPolicy and DeleteRepositoryPolicy.
 * A policy is validated by the IAM policy engine as a resource-based policy; once set, the
 * authorizer evaluates it with every call on the repository (authorization.ts).
 */
import { PolicyValidationError, parsePolicy } from '../../../policy/index.js';
import type { Operation } from '../../../core/operation.js';
import { onRepository } from '../authorization.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrErrors } from '../errors.js';
import { REPOSITORY_POLICY_TEXT, readRepositoryRef, type RepositoryRef } from '../input-rules.js';
import { requireRepository } from '../lookups.js';

interface PolicyOutput {
  registryId: string;
  repositoryName: string;
  policyText: string;
}

interface SetRepositoryPolicyInput extends RepositoryRef {
  policyText: string;
  force: boolean;
}

/** SetRepositoryPolicy: `force` (skip ECR's lock-out check) is accepted; dockyard has no such check. */
export function setRepositoryPolicy(deps: EcrServiceDeps): Operation<SetRepositoryPolicyInput, PolicyOutput> {
  const { images } = deps;
  return {
    input: (r) => ({
      ...readRepositoryRef(r),
      policyText: r.string('policyText', { ...REPOSITORY_POLICY_TEXT, required: true }),
      force: r.boolean('force') ?? false,
    }),
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:SetRepositoryPolicy', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      try {
        parsePolicy(input.policyText, 'resource');
      } catch (error) {
        // ECR's message says only that the policy is invalid; the engine's reason follows it.
        if (error instanceof PolicyValidationError)
          throw ecrErrors.invalidParameter('PolicyText', `Invalid repository policy provided: ${error.message}`);
        throw error;
      }
      images.repositories.setPolicy(repository.name, input.policyText);
      return { registryId: ctx.accountId, repositoryName: repository.name, policyText: input.policyText };
    },
  };
}

/** GetRepositoryPolicy: RepositoryPolicyNotFoundException when there is none. */
export function getRepositoryPolicy(deps: EcrServiceDeps): Operation<RepositoryRef, PolicyOutput> {
  const { images } = deps;
  return {
    input: readRepositoryRef,
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:GetRepositoryPolicy', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      if (repository.policyText === undefined) throw ecrErrors.repositoryPolicyNotFound(repository.name, ctx.accountId);
      return { registryId: ctx.accountId, repositoryName: repository.name, policyText: repository.policyText };
    },
  };
}

/** DeleteRepositoryPolicy: answers with the policy it deleted. */
export function deleteRepositoryPolicy(deps: EcrServiceDeps): Operation<RepositoryRef, PolicyOutput> {
  const { images } = deps;
  return {
    input: readRepositoryRef,
    authorize: (input, ctx) => [onRepository(images, ctx, 'ecr:DeleteRepositoryPolicy', input.repositoryName)],
    run: (input, ctx) => {
      const repository = requireRepository(images, input.repositoryName, input.registryId, ctx);
      if (repository.policyText === undefined) throw ecrErrors.repositoryPolicyNotFound(repository.name, ctx.accountId);
      images.repositories.setPolicy(repository.name, undefined);
      return { registryId: ctx.accountId, repositoryName: repository.name, policyText: repository.policyText };
    },
  };
}
