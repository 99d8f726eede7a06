/**
 * GetAuthorizationToken: a registry password from the data plane's token issuer, as ECR hands
 * it out: base64 of `AWS:<password>`, its expiry (12 hours), and the registry's address.
 */
import type { Operation } from '../../../core/operation.js';
import type { EcrServiceDeps } from '../deps.js';
import { ecrHostname } from '../../../core/ecr-address.js';
import { REGISTRY_ID } from '../input-rules.js';

interface AuthorizationDataOutput {
  authorizationToken: string;
  expiresAt: Date;
  proxyEndpoint: string;
}

/** GetAuthorizationToken: one entry per requested registry id (all this registry), or one. */
export function getAuthorizationToken(
  deps: EcrServiceDeps,
): Operation<{ registryIds?: string[] }, { authorizationData: AuthorizationDataOutput[] }> {
  return {
    input: (r) => ({ registryIds: r.stringList('registryIds', { ...REGISTRY_ID, minItems: 1, maxItems: 10 }) }),
    // Not scoped to a repository: the Service Authorization Reference lists no resource type.
    authorize: () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
    run: (input, ctx) => {
      const { password, expiresAt } = deps.tokens.issue(ctx.caller, ctx.clock.now());
      const data: AuthorizationDataOutput = {
        authorizationToken: Buffer.from(`AWS:${password}`, 'utf8').toString('base64'),
        expiresAt,
        // AWS's own address to a caller that reached the cloud by AWS's hostnames (see outputs.ts).
        proxyEndpoint: ctx.awsHostnames
          ? `https://${ecrHostname(ctx.accountId, ctx.region)}`
          : `http://${deps.registryHost}`,
      };
      const count = input.registryIds ? new Set(input.registryIds).size : 1;
      return { authorizationData: Array.from({ length: count }, () => ({ ...data })) };
    },
  };
}
