/**
 * What `dockyard bootstrap` (both shapes) and `dockyard migrate-to-oidc` share: the deploy
 * target read from flags and the deploy workflow, the account and region it goes to, and the
 * progress lines.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { StepResult } from '../bootstrap/apply.js';
import { defaultRoleName, type DeployTarget } from '../bootstrap/policies.js';
import { deployInputsFromWorkflow, type WorkflowDeployInputs } from './bootstrap-workflow.js';
import { AWS_TARGET_FLAGS, awsTarget, describeAwsError, type AwsTarget } from './aws-target.js';
import { CliError, DATA_OPTION, UsageError, stringFlag, type Flags } from './command.js';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The flags that say what to deploy to and where: bootstrap's and migrate-to-oidc's. */
export const DEPLOY_TARGET_FLAGS = {
  ...DATA_OPTION,
  repo: { type: 'string' },
  workflow: { type: 'string' },
  cluster: { type: 'string' },
  service: { type: 'string' },
  'ecr-repository': { type: 'string' },
  branch: { type: 'string', multiple: true },
  environment: { type: 'string', multiple: true },
  'role-name': { type: 'string' },
  'execution-role': { type: 'string' },
  'task-role': { type: 'string' },
  ...AWS_TARGET_FLAGS,
  'dry-run': { type: 'boolean' },
} as const;

/** What a bootstrap needs besides the account and region, from flags and (--workflow) the deploy workflow. */
export interface BootstrapInput {
  target: Omit<DeployTarget, 'accountId' | 'region'>;
  roleName: string;
  region?: string;
  fromWorkflow?: WorkflowDeployInputs;
}

export const NEEDS_ADMIN =
  "bootstrap needs an administrator's credentials (IAM roles, users and policies, OIDC providers, ECR repositories)";

/** Reads the deploy target from the flags; with --workflow, what the flags leave out comes from the workflow. */
export async function readInput(flags: Flags, usage: string, repositoryFallback?: string): Promise<BootstrapInput> {
  const repository = stringFlag(flags, 'repo') ?? repositoryFallback;
  if (!repository) throw new UsageError(`--repo is required\n\n${usage}`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new UsageError(`--repo takes OWNER/NAME, not ${repository}`);
  const workflowFile = stringFlag(flags, 'workflow');
  const fromWorkflow = workflowFile ? await deployInputsFromWorkflow(workflowFile, repository) : undefined;
  // A flag wins over what the workflow says.
  const value = (name: string, found: string | undefined): string | undefined => stringFlag(flags, name) ?? found;
  const required = (name: string, found?: string): string => {
    const given = value(name, found);
    if (!given)
      throw new UsageError(
        `--${name} is required${workflowFile ? ` (${workflowFile} does not say it literally)` : ''}\n\n${usage}`,
      );
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
    if (!ROLE_NAME.test(role))
      throw new UsageError(`${role} is not a valid role name (up to 64 of A-Z a-z 0-9 +=,.@_-)`);
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

/** The account and region to bootstrap in (on AWS, the workflow's aws-region unless --region says otherwise) and who is calling. */
export async function resolveTarget(
  flags: Flags,
  input: BootstrapInput,
): Promise<{ config: AwsTarget['config']; where: string; local: boolean; target: DeployTarget; identityArn: string }> {
  const { config, where, local } = awsTarget(
    input.region && !stringFlag(flags, 'region') && (flags.aws || stringFlag(flags, 'endpoint-url'))
      ? { ...flags, region: input.region }
      : flags,
  );
  const identity = await new STSClient(config).send(new GetCallerIdentityCommand({})).catch((error: unknown) => {
    throw new CliError(`cannot reach ${where}: ${describeAwsError(error)}`);
  });
  const region = await new STSClient(config).config.region();
  return {
    config,
    where,
    local,
    target: { ...input.target, accountId: identity.Account ?? '', region },
    identityArn: identity.Arn ?? '',
  };
}

/** The first lines: where, as whom, and what the workflow said. */
export function printHeading(
  target: DeployTarget,
  where: string,
  identityArn: string,
  dryRun: boolean,
  fromWorkflow: WorkflowDeployInputs | undefined,
  out: NodeJS.WritableStream = process.stdout,
): void {
  out.write(
    `${dryRun ? 'Dry run: nothing changes. ' : ''}Deploy identity for ${target.repository} on ${where} (account ${target.accountId}, ${target.region}), as ${identityArn}\n`,
  );
  if (!fromWorkflow) return;
  const w = fromWorkflow;
  const said = [
    w.roleName && `role ${w.roleName}`,
    w.keySecrets &&
      `access keys from secrets ${[w.keySecrets.accessKeyId, w.keySecrets.secretAccessKey].filter(Boolean).join(', ')}`,
    w.region && `region ${w.region}`,
    w.branches.length > 0 && `branches ${w.branches.join(', ')}`,
    w.environments.length > 0 && `environments ${w.environments.join(', ')}`,
    w.ecrRepository && `ECR repository ${w.ecrRepository}`,
    w.service && `service ${w.cluster ?? 'default'}/${w.service}`,
    w.executionRole && `execution role ${w.executionRole}`,
  ].filter(Boolean);
  out.write(`  the workflow says: ${said.length > 0 ? said.join('; ') : 'nothing literal'}\n`);
}

/** One step's line: ✓ made or changed, = already so, ~ would change. */
export function printStep(step: StepResult, out: NodeJS.WritableStream = process.stdout): void {
  const mark = step.outcome === 'unchanged' ? '=' : step.outcome.startsWith('would') ? '~' : '✓';
  out.write(`  ${mark} ${step.what} ${step.name}: ${step.outcome}\n`);
}
