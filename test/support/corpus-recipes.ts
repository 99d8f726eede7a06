/**
 * Per corpus entry (test/corpus/index.json, the twelve of `acceptanceProposal`): the app's own
 * files written by us as each entry's `standIns` asks, what its workflow expects to find in AWS
 * (created here as an administrator would, through the AWS APIs), the secrets and variables a
 * user sets (account, role, region and the names its `replace` lists), and its triggers.
 */
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClientConfig } from '../../src/seed/provision.js';
import { REPO_ROOT, type Settings, type Trigger } from './corpus.js';

/** The one cloud every entry shares, and the entry's hosted repository in it. */
export interface Stage {
  /** The cloud's data directory: the CLI finds the cloud through it. */
  dataDir: string;
  /** Administrator clients' configuration, in the region the entry's workflow deploys to. */
  config: AwsClientConfig;
  accountId: string;
  /** localhost:PORT: ECR's repository URIs and the engine's name for the registry. */
  registry: string;
  repository: string;
  /** An image in ECR serving HTTP on $PORT (8080 unset), for services before a deploy. */
  standinImage: string;
  executionRoleArn: string;
  /** Tags and pushes `standinImage` as `name:tag` in ECR (`name`: a home-region repository's name, or any repository's URI). */
  pushStandin(name: string, tag: string): Promise<void>;
}

export interface Recipe {
  /** The branch pushed first: the repository's default branch. */
  branch: string;
  standIns(stage: Stage): Record<string, string>;
  /** Applied to the entry workflow (the starter template's placeholders, filled in as a user does). */
  edit?: (text: string) => string;
  provision(stage: Stage): Promise<Settings>;
  /** Fired in order after the branch is pushed (which also runs its push workflows). */
  then: Trigger[];
  /** Workflow runs the branch push and `then` start in all. */
  runs: number;
  /** The region the workflow writes in (us-east-1 when it takes it from settings or names none). */
  region?: string;
  /** The cloud's account when the entry's files write one in (a role or registry ARN); else CORPUS_ACCOUNT_ID's. */
  accountId?: string;
  /** A second hosted repository the workflow calls: its name and the corpus folder holding its files. */
  alsoHost?: { repository: string; dir: string };
}

/** The stand-in server: Python's http.server on `port`. */
const python = (port: number, extra = '') =>
  `FROM python:3.11-slim\n${extra}CMD ["python3", "-m", "http.server", "${port}"]\n`;
const node = (port: number) =>
  `FROM node:20-slim\nCMD ["node", "-e", "require('http').createServer((q, s) => s.end('ok')).listen(${port})"]\n`;
const serve = (port: number) => ['python3', '-m', 'http.server', String(port)];
const EXITS_ZERO = ['python3', '-c', 'print("migrations applied")'];

const DEPLOY_POLICIES = ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess'];

function clients(stage: Stage) {
  return {
    ecr: new ECRClient(stage.config),
    ecs: new ECSClient(stage.config),
    iam: new IAMClient(stage.config),
  };
}

async function ecrRepository(stage: Stage, name: string): Promise<string> {
  const made = await clients(stage).ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  return made.repository?.repositoryUri ?? '';
}

/** A deploy role GitHub's OIDC tokens for this repository (any ref) may assume. */
async function oidcRole(stage: Stage, name: string): Promise<string> {
  const issuer = 'token.actions.githubusercontent.com';
  const { iam } = clients(stage);
  const made = await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${stage.accountId}:oidc-provider/${issuer}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringLike: { [`${issuer}:sub`]: `repo:${stage.repository}:*` },
              StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com' },
            },
          },
        ],
      }),
    }),
  );
  for (const policy of DEPLOY_POLICIES)
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: `arn:aws:iam::aws:policy/${policy}` }));
  return made.Role?.Arn ?? '';
}

/** An IAM user with the deploy policies and an access key, for the static-key workflows. */
async function deployUser(stage: Stage, name: string): Promise<{ id: string; secret: string }> {
  const { iam } = clients(stage);
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const policy of DEPLOY_POLICIES)
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: `arn:aws:iam::aws:policy/${policy}` }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { id: key?.AccessKeyId ?? '', secret: key?.SecretAccessKey ?? '' };
}

type Container = Pick<ContainerDefinition, 'name' | 'command' | 'essential' | 'environment' | 'secrets'> & {
  port?: number;
  image?: string;
};

function taskDefinition(stage: Stage, family: string, containers: Container[]): RegisterTaskDefinitionCommandInput {
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    executionRoleArn: stage.executionRoleArn,
    containerDefinitions: containers.map(({ port, image, ...rest }) => ({
      essential: true,
      ...rest,
      image: image ?? stage.standinImage,
      // The stand-in image serves on $PORT; the entries' own images on their fixed ports.
      ...(port === undefined
        ? {}
        : {
            portMappings: [{ containerPort: port, protocol: 'tcp' }],
            environment: [...(rest.environment ?? []), { name: 'PORT', value: String(port) }],
          }),
    })),
  };
}

async function family(stage: Stage, name: string, containers: Container[]): Promise<string> {
  const made = await clients(stage).ecs.send(
    new RegisterTaskDefinitionCommand(taskDefinition(stage, name, containers)),
  );
  return made.taskDefinition?.taskDefinitionArn ?? '';
}

/** A cluster (made if new) and a FARGATE service of one task on the family's latest revision. */
async function service(
  stage: Stage,
  cluster: string,
  name: string,
  familyName: string,
  containers: Container[],
): Promise<void> {
  const { ecs } = clients(stage);
  // The default VPC of the stage's region.
  const ec2 = new EC2Client(stage.config);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.map((s) => s.SubnetId ?? '') ?? [];
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.map((g) => g.GroupId ?? '');
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await family(stage, familyName, containers);
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: familyName,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets,
          securityGroups: groups ?? [],
          assignPublicIp: 'ENABLED',
        },
      },
    }),
  );
}

/** bin/is-ecr-image-published as DSACMS's standIns describe it. */
const IS_ECR_IMAGE_PUBLISHED = `#!/usr/bin/env bash
# Stand-in for the app's script: prints true when the tag is in the ECR repository, false when
# ECR answers ImageNotFoundException; refuses a URI not in ECR's AWS form.
set -euo pipefail
uri="$1"
tag="$2"
if [[ ! "$uri" =~ ^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com/(.+)$ ]]; then
  echo "not an ECR repository URI: $uri" >&2
  exit 1
fi
account="\${BASH_REMATCH[1]}" region="\${BASH_REMATCH[2]}" name="\${BASH_REMATCH[3]}"
if out=$(aws ecr describe-images --registry-id "$account" --repository-name "$name" \\
  --image-ids imageTag="$tag" --region "$region" 2>&1); then
  echo true
elif grep -q ImageNotFoundException <<<"$out"; then
  echo false
else
  echo "$out" >&2
  exit 1
fi
`;

/** DSACMS's two workflows share the image, the script and the role; each its own environment. */
function dsacms(environment: 'dev' | 'test', workflow: string, migrate: boolean): Recipe {
  const repo = `emmy-${environment}`;
  return {
    branch: 'main',
    standIns: () => ({ 'bin/is-ecr-image-published': IS_ECR_IMAGE_PUBLISHED }),
    async provision(stage) {
      await ecrRepository(stage, repo);
      await stage.pushStandin(repo, 'v1');
      const cluster = `emmy-${environment}`;
      await service(stage, cluster, `${cluster}-app`, cluster, [{ name: 'emmy-app', port: 8080 }]);
      if (migrate) await family(stage, `${cluster}-migrate`, [{ name: 'emmy-app-migrate', command: EXITS_ZERO }]);
      else
        await service(stage, cluster, `${cluster}-solid-queue`, `${cluster}-solid-queue`, [
          { name: 'emmy-app-solid-queue', command: serve(9000) },
        ]);
      const role = await oidcRole(stage, `emmy-${environment}-deploy`);
      return {
        secrets: {},
        vars: {
          EMMY_IMAGE_REPO: `${stage.accountId}.dkr.ecr.us-east-1.amazonaws.com/${repo}`,
          AWS_NONPROD_ROLE_TO_ASSUME: role,
        },
      };
    },
    runs: 1,
    then: [{ dispatch: workflow, inputs: { app_name: 'emmy', environment, image_tag: 'v1' } }],
  };
}

export const RECIPES: Record<string, Recipe> = {
  'starter-aws': {
    branch: 'main',
    edit: (text) =>
      Object.entries({
        '$default-branch': 'main',
        MY_AWS_REGION: 'us-east-1',
        MY_ECR_REPOSITORY: 'starter-app',
        MY_ECS_SERVICE: 'starter-service',
        MY_ECS_CLUSTER: 'starter-cluster',
        MY_ECS_TASK_DEFINITION: '.aws/task-definition.json',
        MY_CONTAINER_NAME: 'starter-app',
      }).reduce((t, [from, to]) => t.replaceAll(from, to), text),
    standIns: (stage) => ({
      Dockerfile: python(8080),
      '.aws/task-definition.json': `${JSON.stringify(
        taskDefinition(stage, 'starter-task', [{ name: 'starter-app', port: 8080, image: 'starter-app' }]),
        null,
        2,
      )}\n`,
    }),
    async provision(stage) {
      await ecrRepository(stage, 'starter-app');
      await service(stage, 'starter-cluster', 'starter-service', 'starter-task', [{ name: 'starter-app', port: 8080 }]);
      const key = await deployUser(stage, 'starter-deploy');
      return { secrets: { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }, vars: {} };
    },
    runs: 1,
    then: [],
  },

  'aws-ecs-render-integ': {
    branch: 'integ-tests',
    region: 'us-west-2',
    standIns: () => ({}),
    async provision(stage) {
      // The workflow renders revision 16 and revision 1 of the family: register it sixteen times.
      const text = readFileSync(
        join(REPO_ROOT, 'test', 'corpus', 'aws-ecs-render-integ', 'task-definition.json'),
        'utf8',
      );
      const { ecs } = clients(stage);
      for (let i = 0; i < 16; i++)
        await ecs.send(new RegisterTaskDefinitionCommand(JSON.parse(text) as RegisterTaskDefinitionCommandInput));
      await oidcRole(stage, 'GitHubActionsRenderTaskIntegrationTests');
      return { secrets: { AWS_ACCOUNT_ID: stage.accountId }, vars: {} };
    },
    runs: 1,
    then: [],
  },

  'dsacms-emmy-deploy': dsacms('dev', 'deploy-ecs.yml', false),
  'dsacms-emmy-migrate': dsacms('test', 'database-migrations-cms.yml', true),

  'random-color-bluegreen': {
    branch: 'main',
    // Its workflows push to and deploy from 034362074955.dkr.ecr.ap-southeast-1.amazonaws.com.
    accountId: '034362074955',
    region: 'ap-southeast-1',
    standIns: () => ({ Dockerfile: node(3000) }),
    async provision(stage) {
      await ecrRepository(stage, 'nodejs-random-color');
      for (const color of ['blue', 'green'])
        await service(stage, `udemy-devops-cluster-${color}`, 'nodejs-service', `nodejs-task-definition`, [
          { name: 'nodejs-container', port: 3000 },
        ]);
      const key = await deployUser(stage, 'random-color-deploy');
      return { secrets: { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }, vars: {} };
    },
    runs: 1,
    then: [
      { push: 'v1.0.0' },
      {
        dispatch: 'blue-green-deployment.yml',
        inputs: { version: 'v1.0.0', target_cluster: 'blue', switch_traffic: 'false', cleanup_old_cluster: 'false' },
      },
    ],
  },

  'gate22-backend': {
    branch: 'main',
    standIns: () => ({
      'backend/Dockerfile.control_plane': python(8000),
      'backend/Dockerfile.virtual_mcp': python(8000),
      'backend/Dockerfile.mcp': python(8000),
      'backend/Dockerfile.migration': `FROM python:3.11-slim\nCMD ${JSON.stringify(EXITS_ZERO)}\n`,
    }),
    async provision(stage) {
      const vars: Record<string, string> = { CICD_AWS_REGION: 'us-east-1', CICD_ECS_CLUSTER: 'gate22-cluster' };
      for (const part of ['CONTROL_PLANE', 'VIRTUAL_MCP', 'MCP', 'MIGRATION']) {
        const name = `gate22-${part.toLowerCase().replaceAll('_', '-')}`;
        vars[`CICD_ECR_REPOSITORY_URL_${part}`] = await ecrRepository(stage, name);
        vars[`CICD_ECS_TASK_DEFINITION_${part}`] = name;
        if (part === 'MIGRATION') await family(stage, name, [{ name, command: EXITS_ZERO }]);
        else {
          await service(stage, 'gate22-cluster', name, name, [{ name, port: 8000 }]);
          vars[`CICD_ECS_SERVICE_${part}`] = name;
        }
      }
      const key = await deployUser(stage, 'gate22-deploy');
      return { secrets: { CICD_AWS_ACCESS_KEY_ID: key.id, CICD_AWS_SECRET_ACCESS_KEY: key.secret }, vars };
    },
    runs: 1,
    then: [{ push: '1.0.0' }],
  },

  'zebra-zsa-ecs': {
    branch: 'main',
    standIns: () => ({
      'docker/Dockerfile': python(8232, 'ARG GIT_COMMIT\nARG GIT_TAG\nLABEL git.commit=$GIT_COMMIT git.tag=$GIT_TAG\n'),
    }),
    async provision(stage) {
      await ecrRepository(stage, 'zebra');
      await service(stage, 'zebra-cluster', 'zebra-service', 'zebra-task', [{ name: 'zebrad', port: 8232 }]);
      const key = await deployUser(stage, 'zebra-deploy');
      return {
        secrets: { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret },
        vars: {
          AWS_REGION: 'us-east-1',
          ECR_REPOSITORY: 'zebra',
          ECS_SERVICE: 'zebra-service',
          ECS_CLUSTER: 'zebra-cluster',
          TASK_DEFINITION: 'zebra-task',
          CONTAINER_NAME: 'zebrad',
        },
      };
    },
    // The tag push builds and pushes (push-ecr), then the two dispatches deploy it and stop its tasks.
    runs: 3,
    then: [
      { push: 'v1.0.0' },
      { dispatch: 'deploy-ecs.yaml', inputs: { image_tag: 'v1.0.0' } },
      { dispatch: 'stop-ecs.yaml' },
    ],
  },

  'yelee-secure-ecs-oidc': {
    branch: 'main',
    region: 'ap-northeast-2',
    standIns: () => ({
      'app/gradlew': `#!/bin/sh\n# Stand-in for the Gradle wrapper: 'clean bootJar' leaves the jar the Dockerfile copies.\nset -e\n[ "$1 $2" = "clean bootJar" ] || { echo "usage: gradlew clean bootJar" >&2; exit 1; }\nrm -rf build\nmkdir -p build/libs\necho "stand-in jar" > build/libs/app.jar\n`,
      'app/Dockerfile': python(8080, 'COPY build/libs/*.jar app.jar\n'),
    }),
    async provision(stage) {
      const secret = await new SecretsManagerClient(stage.config).send(
        new CreateSecretCommand({
          Name: 'secure-ecs-oidc/app',
          SecretString: JSON.stringify({ DEMO_SECRET: 's3cr3t' }),
        }),
      );
      // As the project's own set-up does: the execution role may read the secret it injects
      // (AmazonECSTaskExecutionRolePolicy does not grant it; ECS resolves `secrets` as that role).
      await new IAMClient(stage.config).send(
        new PutRolePolicyCommand({
          RoleName: stage.executionRoleArn.split('/').pop() ?? '',
          PolicyName: 'secure-ecs-oidc-app-secret',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN }],
          }),
        }),
      );
      await ecrRepository(stage, 'secure-ecs-oidc-app');
      await service(stage, 'secure-ecs-oidc-cluster', 'secure-ecs-oidc-service', 'secure-ecs-oidc-task', [
        {
          name: 'app',
          port: 8080,
          environment: [{ name: 'APP_VERSION', value: 'initial' }],
          secrets: [{ name: 'DEMO_SECRET', valueFrom: `${secret.ARN ?? ''}:DEMO_SECRET::` }],
        },
      ]);
      const role = await oidcRole(stage, 'secure-ecs-oidc-deploy');
      return { secrets: { AWS_DEPLOY_ROLE_ARN: role }, vars: {} };
    },
    runs: 1,
    then: [],
  },

  'amplify-genai-ecr-ecs': {
    branch: 'dev',
    standIns: () => ({ Dockerfile: node(3000) }),
    async provision(stage) {
      const uri = await ecrRepository(stage, 'amplify-genai');
      await stage.pushStandin('amplify-genai', 'latest');
      await service(stage, 'amplify-cluster', 'amplify-service', 'amplify-task', [
        { name: 'amplify', port: 3000, image: `${uri}:latest` },
      ]);
      const role = await oidcRole(stage, 'amplify-deploy');
      return {
        secrets: {},
        vars: {
          AWS_IAM_ROLE_ARN: role,
          AWS_REGION: 'us-east-1',
          AWS_ACCOUNT_ID: stage.accountId,
          ECR_REPOSITORY_NAME: 'amplify-genai',
          ECS_CLUSTER: 'amplify-cluster',
          ECS_SERVICE: 'amplify-service',
        },
      };
    },
    runs: 1,
    then: [],
  },

  'dimagi-ocs-deploy': {
    branch: 'main',
    standIns: () => ({ 'Dockerfile.web': 'FROM python:3.11-slim\nCMD python3 -m http.server "${PORT:-8000}"\n' }),
    async provision(stage) {
      await ecrRepository(stage, 'ocs-dev-ecr-repo');
      const cluster = 'ocs-dev-Cluster';
      await service(stage, cluster, 'ocs-dev-Django', 'ocs-dev-Django', [
        { name: 'web', port: 8000 },
        { name: 'migrate', command: EXITS_ZERO, essential: false },
      ]);
      await service(stage, cluster, 'ocs-dev-Celery', 'ocs-dev-CeleryWorkerTask', [
        { name: 'celery-worker', command: serve(8001) },
      ]);
      await service(stage, cluster, 'ocs-dev-CeleryBeat', 'ocs-dev-CeleryBeatTask', [
        { name: 'celery-beat', command: serve(8002) },
      ]);
      await oidcRole(stage, 'github_deploy');
      return {
        secrets: {},
        vars: {
          DEPLOY_APP_NAME: JSON.stringify({ dev: 'ocs' }),
          DEPLOY_AWS_REGION: JSON.stringify({ dev: 'us-east-1' }),
          AWS_ACCOUNT: JSON.stringify({ dev: stage.accountId }),
        },
      };
    },
    runs: 1,
    then: [{ dispatch: 'deploy.yml', inputs: { environment: 'dev' } }],
  },

  'boxel-bot-runner': {
    branch: 'main',
    standIns: () => ({ 'packages/bot-runner/Dockerfile': node(3000) }),
    async provision(stage) {
      await ecrRepository(stage, 'boxel-bot-runner-staging');
      await service(stage, 'staging', 'boxel-bot-runner-staging', 'boxel-bot-runner-staging', [
        { name: 'boxel-bot-runner', port: 3000 },
      ]);
      await oidcRole(stage, 'github');
      return { secrets: {}, vars: {} };
    },
    runs: 1,
    then: [{ dispatch: 'manual-deploy-bot-runner.yml', inputs: { environment: 'staging' } }],
    alsoHost: { repository: 'cardstack/gh-actions', dir: 'repos/cardstack/gh-actions' },
    // The called repository's workflow and action assume arn:aws:iam::680542703984:role/github.
    accountId: '680542703984',
  },

  'kaapi-backend-staging': {
    branch: 'main',
    region: 'ap-south-1',
    standIns: () => ({ 'backend/Dockerfile': python(80) }),
    async provision(stage) {
      const uri = await ecrRepository(stage, 'kaapi-staging-repo');
      await stage.pushStandin(uri, 'latest');
      await service(stage, 'kaapi-staging-cluster', 'kaapi-staging-service', 'kaapi-staging-task', [
        { name: 'backend', port: 80, image: `${uri}:latest` },
      ]);
      // The role ARN is written in the workflow, in account 024209611402: the cloud is started with that id.
      await oidcRole(stage, 'github-action-role');
      return { secrets: {}, vars: { AWS_RESOURCE_PREFIX: 'kaapi' } };
    },
    runs: 1,
    then: [],
  },
};

/** The account the cloud is started with: the one kaapi-backend-staging writes into its role ARN. */
export const CORPUS_ACCOUNT_ID = '024209611402';
