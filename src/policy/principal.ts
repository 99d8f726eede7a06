/**
 * The Principal and NotPrincipal elements: which principal values are well-formed, and
 * whether a caller is one of the principals a block names.
 *
 * Matching, as AWS documents it:
 * - `"*"` and `{"AWS":"*"}` match everyone, whatever the principal type;
 * - an AWS account (`123456789012` or `arn:aws:iam::123456789012:root`) matches every
 *   principal of that account;
 * - a role ARN matches the role's sessions (so trust and resource policies can name the role,
 *   not each session); an assumed-role session ARN, a user ARN match exactly;
 * - Federated matches the identity provider exactly, Service the service name (service names
 *   are compared case-insensitively; ARNs are case-sensitive).
 * AWS principals are never matched by wildcards inside an ARN; validation refuses them.
 */
import type { PrincipalBlock, PrincipalRef, PrincipalType } from './document.js';

const ACCOUNT = /^\d{12}$/;
/** IAM principals a policy may name: the account root, users, roles (paths allowed). */
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;
/** STS principals: role sessions and federated users. */
const STS_PRINCIPAL =
  /^arn:aws[a-z-]*:sts::\d{12}:(assumed-role\/[\w+=,.@/-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/;
/** CloudFront origin access identities keep their legacy principal ARN. */
const CLOUDFRONT_OAI = /^arn:aws[a-z-]*:iam::cloudfront:user\/CloudFront Origin Access Identity [A-Z0-9]+$/;
/** Unique ids (AIDA… users, AROA… roles): AWS shows these once the named entity is deleted. */
const UNIQUE_ID = /^A(IDA|ROA)[A-Z0-9]{13,}$/;
const PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(oidc-provider|saml-provider)\/[^\s*?]+$/;
const PROVIDER_DOMAIN = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;
const SERVICE = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i;
const CANONICAL_USER = /^[0-9a-f]{64}$/;
const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/** Whether a principal value of this type is well-formed (AWS refuses the others). */
export function isValidPrincipal(type: PrincipalType, value: string): boolean {
  switch (type) {
    case 'AWS':
      return (
        value === '*' ||
        ACCOUNT.test(value) ||
        IAM_PRINCIPAL.test(value) ||
        STS_PRINCIPAL.test(value) ||
        CLOUDFRONT_OAI.test(value) ||
        UNIQUE_ID.test(value)
      );
    case 'Federated':
      return value === '*' || PROVIDER_ARN.test(value) || PROVIDER_DOMAIN.test(value);
    case 'Service':
      return value === '*' || SERVICE.test(value);
    case 'CanonicalUser':
      return value === '*' || CANONICAL_USER.test(value);
  }
}

/** Whether the caller is one of the principals the block names. */
export function principalMatches(block: PrincipalBlock, who: PrincipalRef): boolean {
  if (block === '*') return true;
  // {"AWS":"*"} is documented as equivalent to "*": it admits every principal type.
  if (block.AWS?.includes('*') === true) return true;
  switch (who.type) {
    case 'AWS':
      return block.AWS?.some((value) => awsValueMatches(value, who)) === true;
    case 'Federated':
      return block.Federated?.some((value) => value === '*' || value === who.arn) === true;
    case 'Service': {
      const name = who.arn.toLowerCase();
      return block.Service?.some((value) => value === '*' || value.toLowerCase() === name) === true;
    }
  }
}

function awsValueMatches(value: string, who: PrincipalRef): boolean {
  if (value === who.arn || value === who.roleArn) return true;
  const account = who.accountId ?? accountOf(who.arn);
  if (account === undefined) return false;
  if (ACCOUNT.test(value)) return value === account;
  return ROOT_ARN.exec(value)?.[1] === account;
}

/** The account id in an ARN's fifth field, if it has one. */
function accountOf(arn: string): string | undefined {
  const parts = arn.split(':', 5);
  const account = parts[4];
  return account !== undefined && ACCOUNT.test(account) ? account : undefined;
}

/** The block as one short line for explanations, e.g. `Federated "arn:…", AWS "123456789012"`. */
export function describePrincipalBlock(block: PrincipalBlock): string {
  if (block === '*') return '"*"';
  const parts: string[] = [];
  for (const type of ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const) {
    const values = block[type];
    if (values !== undefined && values.length > 0) parts.push(`${type} ${values.map((v) => `"${v}"`).join(', ')}`);
  }
  return parts.join('; ');
}

/** The block's values as a flat list, for ExplanationFailure.policyValues. */
export function principalValues(block: PrincipalBlock): string[] {
  if (block === '*') return ['*'];
  return [...(block.AWS ?? []), ...(block.Federated ?? []), ...(block.Service ?? []), ...(block.CanonicalUser ?? [])];
}
