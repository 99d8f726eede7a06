/**
 * The CI OpenID Connect issuer: mints GitHub-Actions-shaped job tokens and publishes what a
 * relying party needs to check them (discovery document, JWKS, and a jose key resolver for the
 * in-process STS, which verifies locally and never fetches the JWKS over the network).
 *
 * Tokens are RS256 JWTs with GitHub's header, `{"typ":"JWT","alg":"RS256","x5t":…,"kid":…}`, and
 * the claim set of claims.ts; `iat` comes from the injected clock. The issuer string defaults (at
 * the wiring site) to GitHub's, so trust policies written for GitHub match unchanged.
 */
import type { KeyObject } from 'node:crypto';
import type { JWSHeaderParameters } from 'jose';
import type { Clock } from '../core/clock.js';
import { JOB_CLAIM_NAMES, buildJobClaims, type JobClaimsInput } from './claims.js';
import { SIGNING_ALGORITHM, type RsaPublicJwk, type SigningKeys } from './keys.js';

/** GitHub Actions' issuer; the default, so existing IAM OIDC providers and trust policies match. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Path of the discovery document below the issuer URL. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
/** Path of the JWKS below the issuer URL (GitHub's, not the more common `/.well-known/jwks.json`). */
export const JWKS_PATH = '/.well-known/jwks';

/** How an OidcIssuer presents itself. */
export interface OidcIssuerOptions {
  /** The `iss` claim and the base of the well-known URLs; http(s), no query, no trailing slash needed. */
  issuer: string;
}

/** The `/.well-known/openid-configuration` document, in GitHub's shape. */
export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  subject_types_supported: string[];
  response_types_supported: string[];
  claims_supported: string[];
  id_token_signing_alg_values_supported: string[];
  scopes_supported: string[];
}

/** The `/.well-known/jwks` document. */
export interface JsonWebKeySet {
  keys: RsaPublicJwk[];
}

let jose: Promise<typeof import('jose')> | undefined;
/** jose, loaded when a token is first signed or verified rather than at start (one import for all callers). */
function loadJose(): Promise<typeof import('jose')> {
  return (jose ??= import('jose'));
}

/** Resolves a token's verification key from its header, as jose's `jwtVerify` expects. */
export type VerificationKeyResolver = (protectedHeader: JWSHeaderParameters) => Promise<KeyObject>;

/** Issues and publishes job tokens for one issuer URL. */
export class OidcIssuer {
  /** The issuer URL exactly as it appears in `iss` (no trailing slash). */
  readonly issuer: string;

  /**
   * Resolves the key for a token by `kid`, for `jose.jwtVerify(token, issuer.getKey, …)`. Like a
   * JWKS lookup it only matches the key's own algorithm (RS256); unknown or removed kids, and a
   * missing kid, throw jose's JWKSNoMatchingKey.
   */
  readonly getKey: VerificationKeyResolver = async (protectedHeader) => {
    const { errors } = await loadJose();
    const kid = protectedHeader.kid;
    if (kid === undefined || protectedHeader.alg !== SIGNING_ALGORITHM) throw new errors.JWKSNoMatchingKey();
    await this.keys.syncIfChanged();
    const key = this.keys.get(kid);
    if (key === undefined) throw new errors.JWKSNoMatchingKey();
    return key.publicKey;
  };

  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    options: OidcIssuerOptions,
  ) {
    this.issuer = normaliseIssuer(options.issuer);
  }

  /** Loads the signing keys, creating the first one if needed; call once at start. */
  async init(): Promise<void> {
    await this.keys.ensureActive();
  }

  /** Picks up keys another process rotated or removed (see SigningKeys.syncIfChanged). */
  sync(): Promise<void> {
    return this.keys.syncIfChanged();
  }

  /** Signs a token for the job with the active key. */
  async issue(input: JobClaimsInput): Promise<string> {
    const claims = buildJobClaims(input, { issuer: this.issuer, now: this.clock.now() });
    await this.keys.syncIfChanged();
    const [{ SignJWT }, key] = await Promise.all([loadJose(), this.keys.signingKey()]);
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: SIGNING_ALGORITHM, x5t: key.x5t, kid: key.kid })
      .sign(key.privateKey);
  }

  /** The discovery document served at `<issuer>/.well-known/openid-configuration`. */
  discovery(): OpenIdConfiguration {
    return {
      issuer: this.issuer,
      jwks_uri: this.issuer + JWKS_PATH,
      // GitHub advertises pairwise too, though its subjects are all "public"; copied for fidelity.
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: ['id_token'],
      claims_supported: [...JOB_CLAIM_NAMES],
      id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
      scopes_supported: ['openid'],
    };
  }

  /** Every key that verifies (active first, then retired): the document at `<issuer>/.well-known/jwks`. */
  jwks(): JsonWebKeySet {
    return { keys: this.keys.list().map((key) => ({ ...key.jwk, x5c: [...key.jwk.x5c] })) };
  }

  /** The public keys by kid; a snapshot, unlike `getKey`, which always sees the current set. */
  verificationKeys(): Map<string, KeyObject> {
    return new Map(this.keys.list().map((key) => [key.kid, key.publicKey]));
  }
}

function normaliseIssuer(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`OIDC issuer must be an absolute URL, got ${JSON.stringify(issuer)}`);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new TypeError(
      `OIDC issuer must be an http(s) URL without query, fragment or credentials, got ${JSON.stringify(issuer)}`,
    );
  }
  return issuer.replace(/\/+$/, '');
}
