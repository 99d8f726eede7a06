/**
 * What STS and `dockyard trust check` need from IAM to judge a web identity or an AssumeRole:
 * the role with its trust policy, the OIDC provider of a token's issuer, and managed policy
 * documents (for session policy ARNs).
 */
import type { ProviderRecord } from './web-identity.js';

export interface RoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
}

export interface StsRoleSource {
  getRoleByArn(arn: string): RoleRecord | undefined;
  getOpenIdConnectProviderByUrl(url: string): (ProviderRecord & { clientIds: string[] }) | undefined;
  managedPolicyDefaultDocument(arn: string): string | undefined;
}
