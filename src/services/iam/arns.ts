/**
 * IAM's ARN formats (Service Authorization Reference, "Resource types defined by IAM"):
 *   role           arn:aws:iam::ACCOUNT:role/PATH/NAME          (path included)
 *   user           arn:aws:iam::ACCOUNT:user/PATH/NAME          (path included)
 *   group          arn:aws:iam::ACCOUNT:group/PATH/NAME         (path included)
 *   policy         arn:aws:iam::ACCOUNT:policy/PATH/NAME        (ACCOUNT is `aws` for AWS-managed)
 *   oidc-provider  arn:aws:iam::ACCOUNT:oidc-provider/HOST[/PATH]
 * Paths begin and end with '/', so PATH/NAME is written `${path}${name}`.
 */

/** The pseudo-account that owns AWS-managed policies. */
export const AWS_POLICY_ACCOUNT = 'aws';

/** arn:aws:iam::ACCOUNT:role/PATH/NAME */
export function roleArn(accountId: string, path: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role${path}${roleName}`;
}

/** arn:aws:iam::ACCOUNT:user/PATH/NAME */
export function userArn(accountId: string, path: string, userName: string): string {
  return `arn:aws:iam::${accountId}:user${path}${userName}`;
}

/** arn:aws:iam::ACCOUNT:group/PATH/NAME */
export function groupArn(accountId: string, path: string, groupName: string): string {
  return `arn:aws:iam::${accountId}:group${path}${groupName}`;
}

/** arn:aws:iam::ACCOUNT:policy/PATH/NAME */
export function policyArn(accountId: string, path: string, policyName: string): string {
  return `arn:aws:iam::${accountId}:policy${path}${policyName}`;
}

/** arn:aws:iam::ACCOUNT:oidc-provider/HOST[/PATH]; `url` is given without its scheme. */
export function oidcProviderArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${url}`;
}

/** The parts of a managed policy ARN. */
export interface PolicyArnParts {
  /** The owning account, or `aws`. */
  accountId: string;
  path: string;
  policyName: string;
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]+)$/;

/** Parses arn:aws:iam::ACCOUNT:policy/PATH/NAME; undefined when it is not one. */
export function parsePolicyArn(arn: string): PolicyArnParts | undefined {
  const match = POLICY_ARN.exec(arn);
  if (!match) return undefined;
  return { accountId: match[1] as string, path: match[2] as string, policyName: match[3] as string };
}

const OIDC_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/;

/** Parses an OIDC provider ARN into its account and URL (without scheme). */
export function parseOidcProviderArn(arn: string): { accountId: string; url: string } | undefined {
  const match = OIDC_PROVIDER_ARN.exec(arn);
  if (!match) return undefined;
  return { accountId: match[1] as string, url: match[2] as string };
}
