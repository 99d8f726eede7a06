/**
 * The IAM set-up the action tests share: the seed's OIDC provider and GitHub_Actions_Role
 * (trusting main-branch jobs of your-username/ecsapp), plus what the other credential paths
 * need: the cloud's admin keys as long-term access keys (dockyard's IAM has no users), and roles
 * the admin and the OIDC role may assume, one of them without sts:TagSession in its trust policy.
 */
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sdkConfig, seedTrustPolicy, type TestCloud } from '../support/cloud.js';

export interface IamFixture {
  oidcRoleArn: string;
  /** Trusts the OIDC role and the admin, sts:AssumeRole and sts:TagSession. */
  deployRoleArn: string;
  /** Trusts the OIDC role for sts:AssumeRole only (no session tags). */
  untaggedRoleArn: string;
  user: { arn: string; accessKeyId: string; secretAccessKey: string };
}

const allowAll = (actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

function trust(principals: string[], actions: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: actions }],
  });
}

export async function setUpIam(cloud: TestCloud): Promise<IamFixture> {
  const iam = new IAMClient(sdkConfig(cloud));
  await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
    }),
  );
  const oidcRole = await iam.send(
    new CreateRoleCommand({
      RoleName: 'GitHub_Actions_Role',
      AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId),
    }),
  );
  const oidcRoleArn = oidcRole.Role?.Arn ?? '';
  for (const policy of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'GitHub_Actions_Role', PolicyArn: `arn:aws:iam::aws:policy/${policy}` }),
    );
  }
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'GitHub_Actions_Role',
      PolicyName: 'chain',
      PolicyDocument: allowAll(['sts:AssumeRole', 'sts:TagSession']),
    }),
  );

  const admin = await new STSClient(sdkConfig(cloud)).send(new GetCallerIdentityCommand({}));
  const userArn = admin.Arn ?? '';

  const deployRole = await iam.send(
    new CreateRoleCommand({
      RoleName: 'DeployRole',
      AssumeRolePolicyDocument: trust([oidcRoleArn, userArn], ['sts:AssumeRole', 'sts:TagSession']),
    }),
  );
  const untagged = await iam.send(
    new CreateRoleCommand({
      RoleName: 'UntaggedRole',
      AssumeRolePolicyDocument: trust([oidcRoleArn], ['sts:AssumeRole']),
    }),
  );
  return {
    oidcRoleArn,
    deployRoleArn: deployRole.Role?.Arn ?? '',
    untaggedRoleArn: untagged.Role?.Arn ?? '',
    user: { arn: userArn, ...cloud.admin },
  };
}

/** The ID-token variables a runner gives a job with `id-token: write`, for a job on `ref`. */
export function idTokenEnv(
  cloud: TestCloud,
  ref = 'refs/heads/main',
  repository = 'your-username/ecsapp',
): Record<string, string> {
  const { requestToken } = cloud.cloud.broker.register({ repository, ref });
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${cloud.url}/_actions/idtoken?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
  };
}
