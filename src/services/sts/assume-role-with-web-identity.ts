/**
 * AssumeRoleWithWebIdentity: trade a CI job's OIDC token for temporary role credentials.
 * Unsigned, as AWS serves it. Steps: verify the token (web-identity.ts), find the role,
 * evaluate its trust policy with the token's claims, check duration and session policies,
 * issue ASIA… credentials.
 */
import { evaluatePolicies } from '../../policy/index.js';
import { globalConditionKeys } from '../../auth/request-context.js';
import type { Operation } from '../../core/operation.js';
import { stsErrors } from '../../trust/sts-errors.js';
import type { StsDeps } from './deps.js';
import { issueRoleSession } from './roles.js';
import { packedPolicySize, readSessionInput, type SessionInput } from './session-input.js';
import { verifyWebIdentityToken, webIdentityTrustRequest } from '../../trust/web-identity.js';

interface Input extends SessionInput {
  webIdentityToken: string;
  providerId?: string;
}

export function assumeRoleWithWebIdentity(deps: StsDeps): Operation<Input, unknown> {
  return {
    unsigned: true,
    input: (reader) => ({
      ...readSessionInput(reader),
      webIdentityToken: reader.string('WebIdentityToken', { required: true, min: 4, max: 20000 }),
      providerId: reader.string('ProviderId', { min: 4, max: 2048 }),
    }),
    authorize: () => [],
    async run(input, ctx) {
      if (input.providerId !== undefined) {
        // ProviderId is only for OAuth 2.0 providers (Login with Amazon, Facebook); dockyard has none.
        throw stsErrors.validation(
          'dockyard supports OpenID Connect ID tokens only; ProviderId (OAuth 2.0 access tokens) is not supported.',
        );
      }
      const identity = await verifyWebIdentityToken(input.webIdentityToken, ctx.clock.now(), {
        findProvider: (url) => deps.iam.getOpenIdConnectProviderByUrl(url),
        keysFor: deps.keysFor,
      });
      const role = deps.iam.getRoleByArn(input.roleArn);
      if (!role) throw stsErrors.notAuthorized('sts:AssumeRoleWithWebIdentity');
      const trust = deps.authorizer.document(role.assumeRolePolicyDocument, 'trust');
      const request = webIdentityTrustRequest(identity, role.arn, globalConditionKeys(ctx));
      if (evaluatePolicies([trust], request).decision !== 'Allow')
        throw stsErrors.notAuthorized('sts:AssumeRoleWithWebIdentity');

      const session = issueRoleSession(deps.credentials, deps.iam, ctx, role, input, {
        chained: false,
        webIdentity: { provider: identity.provider.arn, subject: identity.subject, audience: identity.audience },
        // Only dockyard's own issuer's tokens verify, so a run_id names one of this cloud's runs.
        ciRunId: typeof identity.claims.run_id === 'string' ? identity.claims.run_id : undefined,
      });
      return {
        Credentials: session.Credentials,
        SubjectFromWebIdentityToken: identity.subject,
        AssumedRoleUser: session.AssumedRoleUser,
        ...(input.policy !== undefined ? { PackedPolicySize: packedPolicySize(input.policy) } : {}),
        Provider: identity.issuer,
        Audience: identity.audience,
      };
    },
  };
}
