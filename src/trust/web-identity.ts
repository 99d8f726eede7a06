/**
 * Validating a web identity token the way STS does for AssumeRoleWithWebIdentity, in AWS's
 * order: the IAM OIDC provider is found by the token's `iss`; its `aud` must be one of the
 * provider's client ids; the signature must verify against the issuer's keys with an
 * asymmetric algorithm (never `none`, never HMAC); `exp` and `nbf` must hold. The trust
 * policy is evaluated afterwards with the token's claims as condition keys.
 *
 * Keys are resolved locally, never over the network: dockyard's own issuer (by default
 * https://token.actions.githubusercontent.com) is the only one whose keys it has. A provider
 * registered for any other issuer fails the way AWS fails when it cannot fetch the JWKS.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { ConditionContext, EvaluationRequest } from '../policy/index.js';
import { stsErrors, UNVERIFIABLE_TOKEN } from './sts-errors.js';

/** What STS needs to know about an IAM OIDC provider. */
export interface ProviderRecord {
  arn: string;
  url: string;
  clientIds: string[];
}

export interface WebIdentityDeps {
  /** The IAM provider whose URL (without scheme) is given, if one exists. */
  findProvider(urlWithoutScheme: string): ProviderRecord | undefined;
  /** Verification keys for an issuer, when dockyard has them. */
  keysFor(issuer: string): JWTVerifyGetKey | undefined;
}

export interface VerifiedWebIdentity {
  provider: ProviderRecord;
  /** The provider's host/path as condition keys use it: token.actions.githubusercontent.com */
  providerKey: string;
  issuer: string;
  subject: string;
  audience: string;
  claims: JWTPayload;
}

/** Only asymmetric algorithms: `none` and HMAC (keyable with a public key) are refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Clock skew STS tolerates on exp/nbf. */
const SKEW_SECONDS = 5;

let jose: Promise<typeof import('jose')> | undefined;
/** jose, loaded by the first token to verify rather than at start (one import for all callers). */
function loadJose(): Promise<typeof import('jose')> {
  return (jose ??= import('jose'));
}

/** The claims a token states, unverified (what a refused token claimed); undefined when it is no JWT. */
export async function unverifiedClaims(token: string): Promise<JWTPayload | undefined> {
  const { decodeJwt } = await loadJose();
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

export async function verifyWebIdentityToken(
  token: string,
  now: Date,
  deps: WebIdentityDeps,
): Promise<VerifiedWebIdentity> {
  const { decodeJwt, decodeProtectedHeader, errors: joseErrors, jwtVerify } = await loadJose();
  let unverified: JWTPayload;
  try {
    decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw stsErrors.invalidToken(
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    );
  }
  const issuer = typeof unverified.iss === 'string' ? unverified.iss : '';
  const providerKey = issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
  const provider = issuer ? deps.findProvider(providerKey) : undefined;
  if (!provider) throw stsErrors.invalidToken(`No OpenIDConnect provider found in your account for ${issuer}`);

  const audiences =
    typeof unverified.aud === 'string' ? [unverified.aud] : Array.isArray(unverified.aud) ? unverified.aud : [];
  const audience = audiences.find((aud) => provider.clientIds.includes(aud));
  if (audience === undefined) throw stsErrors.invalidToken('Incorrect token audience');

  const keys = deps.keysFor(issuer);
  if (!keys) {
    throw stsErrors.invalidToken(
      "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
    );
  }
  let claims: JWTPayload;
  try {
    // Time claims are checked below with STS's own messages; jose checks signature and algorithm.
    ({ payload: claims } = await jwtVerify(token, keys, {
      algorithms: ALGORITHMS,
      currentDate: now,
      clockTolerance: Number.MAX_SAFE_INTEGER,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      throw stsErrors.invalidToken(
        "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
      );
    }
    throw stsErrors.invalidToken(UNVERIFIABLE_TOKEN);
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp !== 'number' || nowSeconds - SKEW_SECONDS >= claims.exp) {
    throw stsErrors.expiredToken(
      `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${claims.exp ?? 'unknown'}`,
    );
  }
  if (typeof claims.nbf === 'number' && nowSeconds + SKEW_SECONDS < claims.nbf) {
    throw stsErrors.expiredToken(
      `Token is not yet valid: current date/time ${nowSeconds} must be after the not-before date/time ${claims.nbf}`,
    );
  }
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  return { provider, providerKey, issuer, subject, audience, claims };
}

/**
 * The trust-policy request for a verified token. The condition keys are the ones IAM
 * supports for OIDC federation: `<provider>:sub`, `<provider>:aud` (the azp claim when present,
 * else the audience), `<provider>:oaud` and `<provider>:azp`; AWS supports no custom claims.
 */
export function webIdentityTrustRequest(
  identity: VerifiedWebIdentity,
  roleArn: string,
  global: ConditionContext,
): EvaluationRequest {
  const { providerKey, claims } = identity;
  const context: ConditionContext = {
    ...global,
    'aws:FederatedProvider': identity.provider.arn,
    [`${providerKey}:sub`]: identity.subject,
    [`${providerKey}:aud`]: typeof claims.azp === 'string' ? claims.azp : identity.audience,
    [`${providerKey}:oaud`]: identity.audience,
  };
  if (typeof claims.azp === 'string') context[`${providerKey}:azp`] = claims.azp;
  return {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: roleArn,
    principal: { type: 'Federated', arn: identity.provider.arn },
    context,
  };
}
