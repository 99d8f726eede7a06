/**
 * The least-privilege identity for keyless deploys from GitHub Actions: a trust policy that admits
 * only the named repository's jobs on the named branches or environments, and a permissions policy
 * that allows exactly what the seed's workflow calls (amazon-ecr-login, docker push,
 * amazon-ecs-render-task-definition, amazon-ecs-deploy-task-definition) on exactly its resources.
 *
 * The seed attaches AmazonECS_FullAccess and AmazonEC2ContainerRegistryFullAccess instead; a
 * leaked job token could then delete every cluster and repository in the account.
 * The action lists follow the permissions the official actions document in their READMEs.
 */

/** GitHub's issuer, as IAM names the provider (and as the local cloud trusts it). */
export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';
/** The audience configure-aws-credentials asks for. */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The name of the inline policy bootstrap owns on the deploy role. */
export const DEPLOY_POLICY_NAME = 'dockyard-deploy';

export interface DeployTarget {
  accountId: string;
  region: string;
  /** OWNER/NAME on GitHub (or on the local git hosting). */
  repository: string;
  /** Branch names whose pushes may deploy (`main`, not `refs/heads/main`). */
  branches: readonly string[];
  /** Environments whose jobs may deploy (their tokens' subject names the environment, not the branch). */
  environments: readonly string[];
  cluster: string;
  service: string;
  ecrRepository: string;
  executionRole: string;
  /** The task definition's taskRoleArn, if it has one: it is passed to ECS as well. */
  taskRole?: string;
}

type PolicyDocument = { Version: '2012-10-17'; Statement: Record<string, unknown>[] };

/** aws, aws-cn or aws-us-gov, from the region's name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The token subjects the trust policy admits, as GitHub writes them. */
export function admittedSubjects(target: Pick<DeployTarget, 'repository' | 'branches' | 'environments'>): string[] {
  return [
    ...target.branches.map((branch) => `repo:${target.repository}:ref:refs/heads/${branch}`),
    ...target.environments.map((environment) => `repo:${target.repository}:environment:${environment}`),
  ];
}

export function providerArn(target: Pick<DeployTarget, 'accountId' | 'region'>): string {
  return `arn:${partitionOf(target.region)}:iam::${target.accountId}:oidc-provider/${GITHUB_ISSUER_HOST}`;
}

export function roleArn(target: Pick<DeployTarget, 'accountId' | 'region'>, name: string): string {
  return `arn:${partitionOf(target.region)}:iam::${target.accountId}:role/${name}`;
}

export function userArn(target: Pick<DeployTarget, 'accountId' | 'region'>, name: string): string {
  return `arn:${partitionOf(target.region)}:iam::${target.accountId}:user/${name}`;
}

/**
 * StringEquals, not the seed's StringLike: a subject without wildcards needs no pattern, and an
 * exact match cannot be widened by a `*` typed into a branch name later.
 */
export function deployTrustPolicy(target: DeployTarget): PolicyDocument {
  const subjects = admittedSubjects(target);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(target) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_ISSUER_HOST}:aud`]: STS_AUDIENCE,
            [`${GITHUB_ISSUER_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
          },
        },
      },
    ],
  };
}

export function deployPermissionsPolicy(target: DeployTarget): PolicyDocument {
  const partition = partitionOf(target.region);
  const passed = [
    roleArn(target, target.executionRole),
    ...(target.taskRole ? [roleArn(target, target.taskRole)] : []),
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      // amazon-ecr-login: the registry password. This action has no resource-level permissions.
      { Sid: 'LogInToEcr', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      // docker push (and the pulls a build's cache may do) to the one repository.
      {
        Sid: 'PushTheImage',
        Effect: 'Allow',
        Action: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:CompleteLayerUpload',
          'ecr:GetDownloadUrlForLayer',
          'ecr:InitiateLayerUpload',
          'ecr:PutImage',
          'ecr:UploadLayerPart',
        ],
        Resource: `arn:${partition}:ecr:${target.region}:${target.accountId}:repository/${target.ecrRepository}`,
      },
      // The deploy action registers a revision; render may read one. Neither supports resource-level permissions.
      {
        Sid: 'RegisterTaskDefinitions',
        Effect: 'Allow',
        Action: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
        Resource: '*',
      },
      // UpdateService, then DescribeServices until the service is stable: the one service.
      {
        Sid: 'DeployTheService',
        Effect: 'Allow',
        Action: ['ecs:UpdateService', 'ecs:DescribeServices'],
        Resource: `arn:${partition}:ecs:${target.region}:${target.accountId}:service/${target.cluster}/${target.service}`,
      },
      // Registering a task definition hands its roles to ECS, and only to ECS tasks.
      {
        Sid: 'PassTheTaskRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: passed.length === 1 ? passed[0] : passed,
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ],
  };
}

/** The trust policy of a task execution role. */
export const EXECUTION_ROLE_TRUST_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A role name from the repository's: IAM allows [\w+=,.@-], at most 64 characters. */
export function defaultRoleName(repository: string): string {
  const name = `github-deploy-${repository.replace('/', '-')}`.replace(/[^\w+=,.@-]/g, '-');
  return name.slice(0, 64);
}
