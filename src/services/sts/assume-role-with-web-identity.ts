/**
 * AssumeRoleWithWebIdentity: trade a CI job's OIDC token for temporary role credentials.
 * Unsigned, as AWS serves it. Steps: verify the token (web-identity.ts), find the role,
 * evaluate its trust policy with the token's claims, check duration and session policies,
 * issue ASIA… credentials. Each decision from the token's verification on, admitted or not,
 * is kept with its claims and what decided it (decisions.ts), never the token.
 */
import { AwsError } from '../../core/errors.js';
import { evaluatePolicies, explainPolicies } from '../../policy/index.js';
import { globalConditionKeys } from '../../auth/request-context.js';
import type { Operation } from '../../core/operation.js';
import { stsErrors } from '../../trust/sts-errors.js';
import type { StsDeps } from './deps.js';
import { issueRoleSession } from './roles.js';
import { packedPolicySize, readSessionInput, type SessionInput } from './session-input.js';
import { trustVerdict } from '../../trust/verdict.js';
import {
  unverifiedClaims,
  verifyWebIdentityToken,
  webIdentityTrustRequest,
  type VerifiedWebIdentity,
} from '../../trust/web-identity.js';
import type { DecisionReason } from './decisions.js';

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
      const at = ctx.clock.now();
      const decided = { at, roleArn: input.roleArn, roleSessionName: input.roleSessionName };
      let identity: VerifiedWebIdentity;
      try {
        identity = await verifyWebIdentityToken(input.webIdentityToken, at, {
          findProvider: (url) => deps.iam.getOpenIdConnectProviderByUrl(url),
          keysFor: deps.keysFor,
        });
      } catch (error) {
        if (deps.decisions && error instanceof AwsError) {
          deps.decisions.record({
            ...decided,
            admitted: false,
            error: { code: error.code, message: error.message },
            verified: false,
            claims: (await unverifiedClaims(input.webIdentityToken)) ?? {},
            reason: { kind: 'token', problem: error.message },
          });
        }
        throw error;
      }
      const refused = (error: AwsError, reason: DecisionReason): AwsError => {
        deps.decisions?.record({
          ...decided,
          admitted: false,
          error: { code: error.code, message: error.message },
          verified: true,
          claims: identity.claims,
          reason,
        });
        return error;
      };
      const role = deps.iam.getRoleByArn(input.roleArn);
      if (!role)
        throw refused(stsErrors.notAuthorized('sts:AssumeRoleWithWebIdentity'), {
          kind: 'role',
          problem: `no role ${input.roleArn} exists`,
        });
      const trust = deps.authorizer.document(role.assumeRolePolicyDocument, 'trust');
      const request = webIdentityTrustRequest(identity, role.arn, globalConditionKeys(ctx));
      const allowed = evaluatePolicies([trust], request).decision === 'Allow';
      // The explanation is only worked out when someone keeps it.
      const verdict = deps.decisions
        ? trustVerdict(trust, request.context, explainPolicies([trust], request))
        : undefined;
      if (!allowed) {
        const error = stsErrors.notAuthorized('sts:AssumeRoleWithWebIdentity');
        throw verdict ? refused(error, { kind: 'trust', verdict }) : error;
      }

      let session: ReturnType<typeof issueRoleSession>;
      try {
        session = issueRoleSession(deps.credentials, deps.iam, ctx, role, input, {
          chained: false,
          webIdentity: { provider: identity.provider.arn, subject: identity.subject, audience: identity.audience },
          // Only dockyard's own issuer's tokens verify, so a run_id names one of this cloud's runs.
          ciRunId: typeof identity.claims.run_id === 'string' ? identity.claims.run_id : undefined,
        });
      } catch (error) {
        if (verdict && error instanceof AwsError)
          throw refused(error, { kind: 'request', verdict, problem: error.message });
        throw error;
      }
      if (verdict)
        deps.decisions?.record({
          ...decided,
          admitted: true,
          verified: true,
          claims: identity.claims,
          reason: { kind: 'trust', verdict },
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
