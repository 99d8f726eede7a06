/**
 * examples/node-app, made deployable on this machine: its build context prepared offline (the
 * TypeScript compiled with dockyard's own compiler, the production dependencies copied from
 * dockyard's own node_modules, CommonJS builds only), and its AWS resources created through the
 * AWS APIs as an administrator would: the secret and the parameter its task definition names,
 * the execution role that may read them, the task role (STS, the parameter, finding the worker
 * through ECS), the deploy role its workflow assumes with OIDC, the ECR repository, the cluster,
 * both task definitions and both services. Idempotent.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultNetwork,
  ensureFargateService,
  openIngress,
  seedTrustPolicy,
  ensureOidcProvider,
  ensureRole,
  EXECUTION_ROLE_TRUST,
  type AwsClientConfig,
  type ProgressReporter,
} from './provision.js';

/** The names node-app uses. */
export const NODE_APP = {
  repository: 'your-username/node-app',
  ecrRepository: 'node-app',
  cluster: 'node-app-cluster',
  service: 'node-app-service',
  workerService: 'node-worker-service',
  executionRole: 'node-app-execution-role',
  taskRole: 'node-app-task-role',
  deployRole: 'node-app-deploy-role',
  secret: 'node-app/db',
  parameter: '/node-app/greeting',
} as const;

/** The packages the app imports; their dependency closure is copied. */
const RUNTIME_PACKAGES = ['@aws-sdk/client-ecs', '@aws-sdk/client-ssm', '@aws-sdk/client-sts'];

/** Copies the app's production dependencies (node_modules/) into `work` and compiles it (dist/). */
export function prepareNodeAppContext(work: string, packageRoot: string): void {
  const seen = new Set<string>();
  const queue = [...RUNTIME_PACKAGES];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const source = join(packageRoot, 'node_modules', name);
    if (!existsSync(join(source, 'package.json')))
      throw new Error(`${name} is missing from ${packageRoot}/node_modules`);
    const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
    const target = join(work, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    // Node's require() loads the CommonJS builds: the ES module builds are most of the size.
    cpSync(source, target, {
      recursive: true,
      filter: (path) => !/[/\\](dist-es|node_modules)$/.test(path) && !path.endsWith('.md'),
    });
  }
  const types = join(packageRoot, 'node_modules', '@types');
  execFileSync(
    join(packageRoot, 'node_modules', '.bin', 'tsc'),
    ['-p', join(work, 'tsconfig.json'), '--typeRoots', types],
    {
      stdio: 'pipe',
    },
  );
  // The declarations served the compiler only.
  for (const name of seen) rmSync(join(work, 'node_modules', name, 'dist-types'), { recursive: true, force: true });
}

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** node-app's AWS resources; `appDir` holds its task definitions. */
export async function provisionNodeApp(
  config: AwsClientConfig,
  accountId: string,
  region: string,
  appDir: string,
  report: ProgressReporter = () => undefined,
): Promise<void> {
  const client = { maxAttempts: 1, ...config };
  const iam = new IAMClient(client);
  const ecs = new ECSClient(client);
  const ec2 = new EC2Client(client);

  report('secret node-app/db and parameter /node-app/greeting');
  const secrets = new SecretsManagerClient(client);
  const existing = await secrets.send(new DescribeSecretCommand({ SecretId: NODE_APP.secret })).catch(() => undefined);
  if (!existing)
    await secrets.send(
      new CreateSecretCommand({
        Name: NODE_APP.secret,
        SecretString: JSON.stringify({ username: 'app', password: `pw-${Math.random().toString(36).slice(2, 12)}` }),
      }),
    );
  await new SSMClient(client).send(
    new PutParameterCommand({
      Name: NODE_APP.parameter,
      Value: 'Hello from node-app, configured by SSM Parameter Store',
      Type: 'String',
      Overwrite: true,
    }),
  );

  report('roles: execution (pull, logs, secrets), task (STS, SSM, ECS reads), deploy (OIDC)');
  await ensureRole(iam, NODE_APP.executionRole, EXECUTION_ROLE_TRUST);
  await iam.send(
    new AttachRolePolicyCommand({
      RoleName: NODE_APP.executionRole,
      PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: NODE_APP.executionRole,
      PolicyName: 'read-app-secrets',
      PolicyDocument: policy([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:node-app/*`,
        },
        {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: `arn:aws:ssm:${region}:${accountId}:parameter/node-app/*`,
        },
      ]),
    }),
  );
  await ensureRole(iam, NODE_APP.taskRole, EXECUTION_ROLE_TRUST);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: NODE_APP.taskRole,
      PolicyName: 'app',
      PolicyDocument: policy([
        {
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: `arn:aws:ssm:${region}:${accountId}:parameter/node-app/*`,
        },
        { Effect: 'Allow', Action: ['ecs:ListTasks', 'ecs:DescribeTasks'], Resource: '*' },
      ]),
    }),
  );
  await ensureOidcProvider(iam, accountId);
  await ensureRole(iam, NODE_APP.deployRole, seedTrustPolicy(accountId, 'refs/heads/main', NODE_APP.repository));
  for (const name of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryFullAccess'])
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: NODE_APP.deployRole, PolicyArn: `arn:aws:iam::aws:policy/${name}` }),
    );

  report('ECR repository node-app, cluster node-app-cluster, both task definitions');
  const ecr = new ECRClient(client);
  const repo = await ecr
    .send(new DescribeRepositoriesCommand({ repositoryNames: [NODE_APP.ecrRepository] }))
    .catch(() => undefined);
  if (!repo) await ecr.send(new CreateRepositoryCommand({ repositoryName: NODE_APP.ecrRepository }));
  await ecs.send(new CreateClusterCommand({ clusterName: NODE_APP.cluster }));
  const families: string[] = [];
  for (const file of ['ecs-worker-def.json', 'ecs-task-def.json']) {
    const text = readFileSync(join(appDir, file), 'utf8').replaceAll('000000000000', accountId);
    const input = JSON.parse(text) as RegisterTaskDefinitionCommandInput;
    await ecs.send(new RegisterTaskDefinitionCommand(input));
    families.push(input.family ?? '');
  }

  report('services node-worker-service and node-app-service (default VPC; HTTP and 8080 opened)');
  const { subnets, securityGroup } = await defaultNetwork(ec2);
  for (const port of [80, 8080]) await openIngress(ec2, securityGroup, port);
  const services: [string, string][] = [
    [NODE_APP.workerService, families[0] ?? ''],
    [NODE_APP.service, families[1] ?? ''],
  ];
  for (const [serviceName, taskDefinition] of services)
    await ensureFargateService(ecs, { cluster: NODE_APP.cluster, serviceName, taskDefinition, subnets, securityGroup });
}
