/**
 * `dockyard bootstrap`: the least-privilege identity a repository's workflow deploys with, on
 * the local cloud or (with --aws) on AWS: GitHub as an OIDC provider, the task execution role, the
 * ECR repository and a deploy role that trusts only that repository's branches or environments
 * and may only push that image and update that service.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { bootstrapDeployRole, type BootstrapResult, type StepResult } from '../bootstrap/apply.js';
import { admittedSubjects, defaultRoleName, type DeployTarget } from '../bootstrap/policies.js';
import { deployInputsFromWorkflow, type WorkflowDeployInputs } from './bootstrap-workflow.js';
import { AWS_TARGET_FLAGS, AWS_TARGET_USAGE, awsTarget, describeAwsError } from './aws-target.js';
import { CliError, DATA_OPTION, UsageError, parseFlags, stringFlag, type Command, type Flags } from './command.js';

const USAGE = `Usage: dockyard bootstrap --repo OWNER/NAME --cluster C --service S --ecr-repository R
       dockyard bootstrap --repo OWNER/NAME --workflow .github/workflows/deploy.yml
                          [--branch B]... [--environment E]... [--role-name NAME]
                          [--execution-role NAME] [--task-role NAME]
                          [--aws [--region R] | --endpoint-url URL] [--dry-run] [--json] [--data DIR]

Creates (or brings up to date) what a GitHub Actions workflow needs to deploy without keys,
granting nothing more:
  - GitHub as an OpenID Connect provider (audience sts.amazonaws.com)
  - the ECR repository and the task execution role, when missing
  - a deploy role that only jobs of OWNER/NAME on the given branches (or environments) can assume,
    with an inline policy "dockyard-deploy" allowing exactly: log in to ECR, push to that
    repository, register task definitions, update and describe that one service, and pass the
    execution (and task) role to ECS tasks
Run it again after changing a flag: it updates what differs and leaves the rest alone.

  --repo OWNER/NAME        the repository whose workflow deploys
  --workflow FILE          read the rest from the deploy workflow (flags still win): its role name
                           and region, push branches or environments, the rendered image's ECR
                           repository, the deploy step's cluster and service, the task definition
                           file's execution and task roles
  --cluster C, --service S the ECS service the workflow updates
  --ecr-repository R       the ECR repository the workflow pushes to
  --branch B               a branch whose pushes may deploy (repeatable; default main)
  --environment E          a deployment environment whose jobs may deploy (repeatable)
  --role-name NAME         the deploy role (default github-deploy-OWNER-NAME)
  --execution-role NAME    the task execution role (default ecsTaskExecutionRole)
  --task-role NAME         the task definition's task role, if it has one
${AWS_TARGET_USAGE}
  --dry-run                only read; print what would change and the two policies
  --json                   print the result as JSON`;

const FLAGS = {
  ...DATA_OPTION,
  repo: { type: 'string' },
  cluster: { type: 'string' },
  service: { type: 'string' },
  'ecr-repository': { type: 'string' },
  branch: { type: 'string', multiple: true },
  environment: { type: 'string', multiple: true },
  'role-name': { type: 'string' },
  'execution-role': { type: 'string' },
  'task-role': { type: 'string' },
  ...AWS_TARGET_FLAGS,
  workflow: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const bootstrapCommand: Command = {
  name: ['bootstrap'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS, USAGE);
    if (!flags) return 0;
    const input = await readInput(flags);
    // On AWS the workflow's aws-region is where its role and resources belong.
    const { config, where } = awsTarget(input.region && !stringFlag(flags, 'region') && (flags.aws || stringFlag(flags, 'endpoint-url')) ? { ...flags, region: input.region } : flags);
    const identity = await new STSClient(config).send(new GetCallerIdentityCommand({})).catch((error: unknown) => {
      throw new CliError(`cannot reach ${where}: ${describeAwsError(error)}`);
    });
    const region = await new STSClient(config).config.region();
    const target: DeployTarget = { ...input.target, accountId: identity.Account ?? '', region };
    const json = flags.json === true;
    const dryRun = flags['dry-run'] === true;
    if (!json) process.stdout.write(`${dryRun ? 'Dry run: nothing changes. ' : ''}Deploy identity for ${target.repository} on ${where} (account ${target.accountId}, ${region}), as ${identity.Arn}\n`);

    if (!json && input.fromWorkflow) {
      const w = input.fromWorkflow;
      const said = [
        w.roleName && `role ${w.roleName}`,
        w.region && `region ${w.region}`,
        w.branches.length > 0 && `branches ${w.branches.join(', ')}`,
        w.environments.length > 0 && `environments ${w.environments.join(', ')}`,
        w.ecrRepository && `ECR repository ${w.ecrRepository}`,
        w.service && `service ${w.cluster ?? 'default'}/${w.service}`,
        w.executionRole && `execution role ${w.executionRole}`,
      ].filter(Boolean);
      process.stdout.write(`  the workflow says: ${said.length > 0 ? said.join('; ') : 'nothing literal'}\n`);
    }
    let result: BootstrapResult;
    try {
      result = await bootstrapDeployRole({ iam: new IAMClient(config), ecr: new ECRClient(config) }, target, {
        roleName: input.roleName,
        dryRun,
        done: json ? undefined : (step) => process.stdout.write(`  ${mark(step)} ${step.what} ${step.name}: ${step.outcome}\n`),
      });
    } catch (error) {
      throw new CliError(`${describeAwsError(error)}\nbootstrap needs an administrator's credentials (IAM roles and policies, OIDC providers, ECR repositories)`);
    }

    if (json) {
      process.stdout.write(`${JSON.stringify({ accountId: target.accountId, region, subjects: admittedSubjects(target), dryRun, ...result }, null, 2)}\n`);
      return 0;
    }
    const out = [`  admits: ${admittedSubjects(target).join(', ')} (audience sts.amazonaws.com)`];
    for (const warning of result.warnings) out.push(`  ! ${warning}`);
    if (dryRun) {
      out.push('', 'Trust policy:', JSON.stringify(result.trustPolicy, null, 2), '', 'Permissions policy (dockyard-deploy):', JSON.stringify(result.permissionsPolicy, null, 2));
    } else {
      out.push(
        '',
        'In the workflow (the job needs `permissions: id-token: write`):',
        '  - uses: aws-actions/configure-aws-credentials@v4',
        '    with:',
        `      role-to-assume: ${result.roleArn}`,
        `      aws-region: ${region}`,
        '',
        `Check a workflow against it before you push: dockyard trust check --workflow .github/workflows/<file> --repo ${target.repository}`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

async function readInput(flags: Flags): Promise<{ target: Omit<DeployTarget, 'accountId' | 'region'>; roleName: string; region?: string; fromWorkflow?: WorkflowDeployInputs }> {
  const repository = stringFlag(flags, 'repo');
  if (!repository) throw new UsageError(`--repo is required\n\n${USAGE}`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError(`--repo takes OWNER/NAME, not ${repository}`);
  const workflowFile = stringFlag(flags, 'workflow');
  const fromWorkflow = workflowFile ? await deployInputsFromWorkflow(workflowFile, repository) : undefined;
  // A flag wins over what the workflow says.
  const value = (name: string, found: string | undefined): string | undefined => stringFlag(flags, name) ?? found;
  const required = (name: string, found?: string): string => {
    const given = value(name, found);
    if (!given) throw new UsageError(`--${name} is required${workflowFile ? ` (${workflowFile} does not say it literally)` : ''}\n\n${USAGE}`);
    return given;
  };
  const list = (name: string): string[] => (Array.isArray(flags[name]) ? (flags[name] as string[]) : []);
  const givenEnvironments = list('environment');
  const givenBranches = list('branch').map((b) => b.replace(/^refs\/heads\//, ''));
  const flagged = givenBranches.length > 0 || givenEnvironments.length > 0;
  const environments = flagged ? givenEnvironments : (fromWorkflow?.environments ?? []);
  const branches = flagged ? givenBranches : (fromWorkflow?.branches ?? []);
  for (const name of [...branches, ...environments]) {
    // A wildcard would be matched literally by StringEquals: say so instead of granting nothing.
    if (/[*?]/.test(name)) throw new UsageError(`--branch and --environment take exact names, not patterns: ${name}`);
  }
  const roleName = value('role-name', fromWorkflow?.roleName) ?? defaultRoleName(repository);
  const executionRole = value('execution-role', fromWorkflow?.executionRole) ?? 'ecsTaskExecutionRole';
  const taskRole = value('task-role', fromWorkflow?.taskRole);
  for (const role of [roleName, executionRole, ...(taskRole ? [taskRole] : [])]) {
    if (!ROLE_NAME.test(role)) throw new UsageError(`${role} is not a valid role name (up to 64 of A-Z a-z 0-9 +=,.@_-)`);
  }
  return {
    roleName,
    ...(fromWorkflow?.region ? { region: fromWorkflow.region } : {}),
    ...(fromWorkflow ? { fromWorkflow } : {}),
    target: {
      repository,
      branches: branches.length > 0 || environments.length > 0 ? branches : ['main'],
      environments,
      cluster: required('cluster', fromWorkflow?.cluster),
      service: required('service', fromWorkflow?.service),
      ecrRepository: required('ecr-repository', fromWorkflow?.ecrRepository),
      executionRole,
      ...(taskRole ? { taskRole } : {}),
    },
  };
}

function mark(step: StepResult): string {
  return step.outcome === 'unchanged' ? '=' : step.outcome.startsWith('would') ? '~' : '✓';
}
