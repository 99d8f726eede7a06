/**
 * Policy documents at IAM's edges: validation on the way in (the policy engine's parser, with
 * AWS's MalformedPolicyDocument messages, plus the principal-existence check the engine leaves
 * to IAM), size as IAM counts it, and URL-encoding on the way out.
 */
import { PolicyValidationError, parsePolicy, type PolicyDocument } from '../../policy/index.js';
import { iamErrors } from './errors.js';

/**
 * Which validator a document meets: a role's trust policy, an inline role policy, or a
 * managed policy version (which must say "Version": "2012-10-17" and use alphanumeric Sids).
 */
export type DocumentUse = 'trust' | 'inline' | 'managed';

/** Throws MalformedPolicyDocument unless `text` is valid for `use`; returns the parsed document. */
export function validatePolicyDocument(text: string, use: DocumentUse): PolicyDocument {
  try {
    return use === 'trust' ? parsePolicy(text, 'trust') : parsePolicy(text, 'identity', { managed: use === 'managed' });
  } catch (error) {
    if (error instanceof PolicyValidationError) throw iamErrors.malformedPolicy(error.message);
    throw error;
  }
}

/** What a trust policy's principals may name in this account. */
export interface PrincipalDirectory {
  roleExists(arn: string): boolean;
  userExists(arn: string): boolean;
  oidcProviderExists(arn: string): boolean;
}

/**
 * AWS resolves the IAM principals a trust policy names when it stores it, and refuses one that
 * does not exist: a role or user of this account, or an OIDC provider
 * named as a Federated principal (AWS's message for that one speaks of domain names and SAML).
 */
export function checkTrustPrincipalsExist(
  document: PolicyDocument,
  accountId: string,
  directory: PrincipalDirectory,
): void {
  const prefix = `arn:aws:iam::${accountId}:`;
  for (const statement of document.Statement) {
    for (const block of [statement.Principal, statement.NotPrincipal]) {
      if (block === undefined || block === '*') continue;
      for (const arn of block.AWS ?? []) {
        if (!arn.startsWith(prefix)) continue;
        const resource = arn.slice(prefix.length);
        const missing =
          (resource.startsWith('user/') && !directory.userExists(arn)) ||
          (resource.startsWith('role/') && !directory.roleExists(arn));
        if (missing) throw iamErrors.malformedPolicy(`Invalid principal in policy: "AWS":"${arn}"`);
      }
      for (const arn of block.Federated ?? []) {
        if (arn.startsWith(`${prefix}oidc-provider/`) && !directory.oidcProviderExists(arn)) {
          throw iamErrors.malformedPolicy('Federated principals must be valid domain names or SAML metadata ARNs');
        }
      }
    }
  }
}

/** A policy's size against IAM's quotas: "IAM doesn't count white space". */
export function policySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/**
 * AWS quirk reproduced: IAM returns policy documents (AssumeRolePolicyDocument, the
 * PolicyDocument of GetRolePolicy, the Document of GetPolicyVersion) URL-encoded as RFC 3986
 * percent-encoding. The AWS CLI decodes them before printing; the SDK v3 hands them over as
 * they came, so SDK users call decodeURIComponent themselves.
 */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}
