/**
 * A cloud prepared like the seed's Step 3 (provider + role with the seed's trust policy),
 * plus raw AssumeRoleWithWebIdentity calls over HTTP, for tests of the trust chain.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { sdkConfig, seedTrustPolicy, type TestCloud } from './cloud.js';

export async function prepareSeedRole(
  cloud: TestCloud,
  roleName = 'GitHub_Actions_Role',
  trustPolicy?: string,
): Promise<string> {
  const iam = new IAMClient(sdkConfig(cloud));
  await iam
    .send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'EntityAlreadyExistsException' && error.name !== 'EntityAlreadyExists') throw error;
    });
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: trustPolicy ?? seedTrustPolicy(cloud.accountId),
    }),
  );
  return role.Role?.Arn as string;
}

export interface RawResult {
  status: number;
  body: string;
  code?: string;
  message?: string;
}

/** Sends a Query-protocol request (unsigned unless headers say otherwise) and extracts the error code. */
export async function postQuery(
  cloud: TestCloud,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<RawResult> {
  const response = await fetch(cloud.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const body = await response.text();
  return {
    status: response.status,
    body,
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1],
  };
}

export function assumeWithToken(
  cloud: TestCloud,
  roleArn: string,
  token: string,
  extra: Record<string, string> = {},
): Promise<RawResult> {
  return postQuery(cloud, {
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: roleArn,
    RoleSessionName: 'GitHubActions',
    WebIdentityToken: token,
    ...extra,
  });
}

/** How many temporary credentials the cloud has issued so far. */
export function sessionCount(cloud: TestCloud): number {
  return (
    cloud.cloud.state.db.prepare("SELECT count(*) AS n FROM access_keys WHERE kind = 'session'").get() as { n: number }
  ).n;
}
