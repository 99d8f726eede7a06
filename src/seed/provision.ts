/**
 * The seed's Steps 2 and 3 through the AWS APIs, as an administrator would run them once:
 * the ECR repository, the cluster, the task definition from the example's ecs-task-def.json,
 * the default VPC's subnets and security group with HTTP opened, the service; GitHub as an OIDC
 * identity provider and the deploy role with the seed's trust policy and managed policies.
 *
 * Idempotent: what exists is reused, so `dockyard demo` can run twice. Two things the seed
 * leaves out are added because a deploy needs them: `ecsTaskExecutionRole` (referenced by the
 * seed, never created) and a log configuration-free task definition stays as the seed wrote it.
 * Used by `dockyard demo`, the end-to-end pipeline test and the pipeline benchmark.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AwsClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
}

/** The names the seed uses. */
export const SEED = {
  repository: 'your-username/ecsapp',
  ecrRepository: 'my-app',
  cluster: 'my-app-cluster',
  service: 'my-app-service',
  family: 'my-app-task',
  role: 'GitHub_Actions_Role',
  executionRole: 'ecsTaskExecutionRole',
  issuerHost: 'token.actions.githubusercontent.com',
} as const;

/** The seed's trust policy (Step 3.1) for `accountId`; `ref` is the one branch of `repository` it admits. */
export function seedTrustPolicy(
  accountId: string,
  ref = 'refs/heads/main',
  repository: string = SEED.repository,
): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${SEED.issuerHost}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringLike: { [`${SEED.issuerHost}:sub`]: `repo:${repository}:ref:${ref}` },
            StringEquals: { [`${SEED.issuerHost}:aud`]: 'sts.amazonaws.com' },
          },
        },
      ],
    },
    null,
    2,
  );
}

export const EXECUTION_ROLE_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export interface ProvisionedSeed {
  repositoryUri: string;
  roleArn: string;
  providerArn: string;
  taskDefinitionArn: string;
  subnets: string[];
  securityGroup: string;
}

export type ProgressReporter = (step: string, detail?: string) => void;

/**
 * Runs Steps 3 then 2 (the execution role must exist before the task definition names it).
 * `appDir` holds the example's ecs-task-def.json; its ACCOUNT_ID placeholders and the
 * example's account are replaced with `accountId`.
 */
export async function provisionSeed(
  config: AwsClientConfig,
  accountId: string,
  appDir: string,
  report: ProgressReporter = () => undefined,
): Promise<ProvisionedSeed> {
  const client = { maxAttempts: 1, ...config };
  const iam = new IAMClient(client);
  const ecr = new ECRClient(client);
  const ecs = new ECSClient(client);
  const ec2 = new EC2Client(client);

  report('3.1 add GitHub as an OpenID Connect identity provider (audience sts.amazonaws.com)');
  const providerArn = await ensureOidcProvider(iam, accountId);
  report("3.1 role with the seed's trust policy", `${SEED.role}: repo:${SEED.repository}:ref:refs/heads/main`);
  const roleArn = await ensureRole(iam, SEED.role, seedTrustPolicy(accountId));
  for (const name of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess']) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: SEED.role, PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
  }
  // The seed references this role and never creates it; without it no task can pull its image.
  await ensureRole(iam, SEED.executionRole, EXECUTION_ROLE_TRUST);
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: SEED.executionRole,
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    }),
  );

  report('2.1 ECR repository my-app');
  const existingRepo = await ecr
    .send(new DescribeRepositoriesCommand({ repositoryNames: [SEED.ecrRepository] }))
    .catch(() => undefined);
  const repositoryUri =
    existingRepo?.repositories?.[0]?.repositoryUri ??
    (await ecr.send(new CreateRepositoryCommand({ repositoryName: SEED.ecrRepository }))).repository?.repositoryUri;
  if (!repositoryUri) throw new Error('CreateRepository returned no repository');

  report('2.2 ECS cluster my-app-cluster');
  await ecs.send(new CreateClusterCommand({ clusterName: SEED.cluster }));

  report('2.3 register the task definition from ecs-task-def.json');
  const taskDefText = readFileSync(join(appDir, 'ecs-task-def.json'), 'utf8')
    .replaceAll('<ACCOUNT_ID>', accountId)
    .replaceAll('000000000000', accountId);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand(JSON.parse(taskDefText) as RegisterTaskDefinitionCommandInput),
  );
  const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
  if (!taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no ARN');

  report('2.4 default VPC, its subnets and security group; open HTTP');
  const { subnets, securityGroup } = await defaultNetwork(ec2);
  await openIngress(ec2, securityGroup, 80);

  report('2.5 service my-app-service (desired count 1, Fargate, public IP)');
  await ensureFargateService(ecs, {
    cluster: SEED.cluster,
    serviceName: SEED.service,
    taskDefinition: SEED.family,
    subnets,
    securityGroup,
  });
  return { repositoryUri, roleArn, providerArn, taskDefinitionArn, subnets, securityGroup };
}

/** GitHub's OIDC provider (audience sts.amazonaws.com), created unless it exists; its ARN. */
export async function ensureOidcProvider(iam: IAMClient, accountId: string): Promise<string> {
  const providerArn = `arn:aws:iam::${accountId}:oidc-provider/${SEED.issuerHost}`;
  const providers = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  if (!providers.OpenIDConnectProviderList?.some((p) => p.Arn === providerArn)) {
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${SEED.issuerHost}`,
        ClientIDList: ['sts.amazonaws.com'],
      }),
    );
  }
  return providerArn;
}

export async function ensureRole(iam: IAMClient, name: string, trustPolicy: string): Promise<string> {
  const existing = await iam.send(new GetRoleCommand({ RoleName: name })).catch(() => undefined);
  const arn =
    existing?.Role?.Arn ??
    (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy }))).Role?.Arn;
  if (!arn) throw new Error(`CreateRole ${name} returned no role`);
  return arn;
}

/** The default VPC's subnets and its default security group, as an example's services use them. */
export async function defaultNetwork(ec2: EC2Client): Promise<{ subnets: string[]; securityGroup: string }> {
  const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] })))
    .Vpcs?.[0]?.VpcId;
  if (!vpcId) throw new Error('the cloud has no default VPC');
  const subnets = (
    (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? []
  ).map((s) => s.SubnetId ?? '');
  const groups =
    (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
      .SecurityGroups ?? [];
  const group = groups.find((g) => g.GroupName === 'default');
  if (!group?.GroupId) throw new Error('the default VPC has no default security group');
  return { subnets, securityGroup: group.GroupId };
}

/** Opens TCP `port` to 0.0.0.0/0 in the security group, unless a rule already does. */
export async function openIngress(ec2: EC2Client, groupId: string, port: number): Promise<void> {
  const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0];
  const open = group?.IpPermissions?.some(
    (p) =>
      p.IpProtocol === 'tcp' &&
      p.FromPort === port &&
      p.ToPort === port &&
      p.IpRanges?.some((r) => r.CidrIp === '0.0.0.0/0'),
  );
  if (open) return;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      CidrIp: '0.0.0.0/0',
    }),
  );
}

/** A Fargate service of one task with a public IP, created unless an ACTIVE one of that name exists. */
export async function ensureFargateService(
  ecs: ECSClient,
  spec: { cluster: string; serviceName: string; taskDefinition: string; subnets: string[]; securityGroup: string },
): Promise<void> {
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: spec.cluster, services: [spec.serviceName] }),
  );
  if (described.services?.some((s) => s.status === 'ACTIVE')) return;
  await ecs.send(
    new CreateServiceCommand({
      cluster: spec.cluster,
      serviceName: spec.serviceName,
      taskDefinition: spec.taskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: spec.subnets, securityGroups: [spec.securityGroup], assignPublicIp: 'ENABLED' },
      },
    }),
  );
}
