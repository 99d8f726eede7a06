/**
 * dockyard's CI OpenID Connect issuer: GitHub-Actions-compatible job tokens, the keys that sign
 * them, the discovery/JWKS documents, and the ID-token request endpoint a runner's jobs call.
 *
 * Fidelity (details in each module's header):
 * - Reproduced: issuer `https://token.actions.githubusercontent.com` by default; RS256 with header
 *   `typ/alg/x5t/kid`; kid = uppercase hex SHA-1 certificate thumbprint, x5t its base64url, x5c the
 *   certificate; string ids; `sub` precedence and `%3A` encoding; `exp = iat+300`, `nbf = iat−600`;
 *   discovery at `/.well-known/openid-configuration`, JWKS at `/.well-known/jwks`; the ID-token
 *   endpoint's `{value}` / `{message}` bodies and default audience `https://github.com/<owner>`.
 * - By design: runner_environment `self-hosted`, repository_visibility `private`, ref_protected
 *   `false`; ids missing from the job are hashed from names (stable); request tokens are in memory.
 * - Gaps: ids-in-subject format for new repositories, `include_claim_keys`, environment_node_id,
 *   enterprise claims, repo_property_*, reusable-workflow job_workflow_ref.
 */
export { SigningKeys } from './keys.js';
export {
  JOB_CLAIM_NAMES,
  JobClaimsError,
  buildJobClaims,
  encodeSubjectValue,
  normaliseRef,
  stableNumericId,
  type JobClaimsInput,
} from './claims.js';
export { DISCOVERY_PATH, GITHUB_ACTIONS_ISSUER, JWKS_PATH, OidcIssuer } from './issuer.js';
export { ID_TOKEN_PATH, JobTokenBroker, type JobTokenResponse } from './job-tokens.js';
