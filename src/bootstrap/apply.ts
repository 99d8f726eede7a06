/**
 * Puts the least-privilege deploy identity in place through the AWS APIs, idempotently: what
 * exists and matches is left alone, what differs is updated, what is missing is created. The same
 * calls work against the local cloud and against AWS; a dry run makes only the read calls and
 * says what it would change.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { isDeepStrictEqual } from 'node:util';
import {
  DEPLOY_POLICY_NAME,
  EXECUTION_ROLE_TRUST_POLICY,
  GITHUB_ISSUER_HOST,
  STS_AUDIENCE,
  deployPermissionsPolicy,
  deployTrustPolicy,
  partitionOf,
  providerArn,
  roleArn,
  type DeployTarget,
} from './policies.js';

export type Outcome = 'created' | 'updated' | 'unchanged' | 'would create' | 'would update';

export interface StepResult {
  what: 'OIDC provider' | 'ECR repository' | 'execution role' | 'deploy role' | 'deploy policy';
  name: string;
  outcome: Outcome;
}

export interface BootstrapResult {
  roleArn: string;
  providerArn: string;
  steps: StepResult[];
  /** What bootstrap leaves alone but the user should know: broader policies on the role, a missing task role. */
  warnings: string[];
  trustPolicy: object;
  permissionsPolicy: object;
}

export interface BootstrapOptions {
  roleName: string;
  dryRun?: boolean;
  /** Called before each step, for progress output. */
  report?: (what: StepResult['what'], name: string) => void;
  /** Called after each step. */
  done?: (step: StepResult) => void;
}

export async function bootstrapDeployRole(clients: { iam: IAMClient; ecr: ECRClient }, target: DeployTarget, options: BootstrapOptions): Promise<BootstrapResult> {
  const { iam, ecr } = clients;
  const dryRun = options.dryRun === true;
  const steps: StepResult[] = [];
  const warnings: string[] = [];
  const step = async (what: StepResult['what'], name: string, act: () => Promise<Outcome>): Promise<void> => {
    options.report?.(what, name);
    const result = { what, name, outcome: await act() };
    steps.push(result);
    options.done?.(result);
  };
  const change = async (missing: boolean, different: boolean, apply: () => Promise<unknown>): Promise<Outcome> => {
    if (!missing && !different) return 'unchanged';
    if (dryRun) return missing ? 'would create' : 'would update';
    await apply();
    return missing ? 'created' : 'updated';
  };

  const provider = providerArn(target);
  await step('OIDC provider', GITHUB_ISSUER_HOST, async () => {
    const existing = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider })).catch(ifMissing);
    if (existing && existing.ClientIDList?.includes(STS_AUDIENCE)) return 'unchanged';
    return change(!existing, true, () =>
      existing
        ? iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider, ClientID: STS_AUDIENCE }))
        : // No thumbprint: IAM secures GitHub's issuer with its own trusted CAs.
          iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${GITHUB_ISSUER_HOST}`, ClientIDList: [STS_AUDIENCE] })),
    );
  });

  await step('ECR repository', target.ecrRepository, async () => {
    const existing = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [target.ecrRepository] })).catch(ifMissing);
    return change(!existing, false, () => ecr.send(new CreateRepositoryCommand({ repositoryName: target.ecrRepository })));
  });

  await step('execution role', target.executionRole, async () => {
    const existing = await iam.send(new GetRoleCommand({ RoleName: target.executionRole })).catch(ifMissing);
    if (existing && !decodePolicy(existing.Role?.AssumeRolePolicyDocument).includes('ecs-tasks.amazonaws.com')) {
      warnings.push(`the execution role ${target.executionRole} does not trust ecs-tasks.amazonaws.com: tasks cannot pull their image with it`);
    }
    return change(!existing, false, async () => {
      await iam.send(new CreateRoleCommand({ RoleName: target.executionRole, AssumeRolePolicyDocument: JSON.stringify(EXECUTION_ROLE_TRUST_POLICY), Description: 'ECS task execution: pulls the image, writes the logs' }));
      const managed = `arn:${partitionOf(target.region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
      await iam.send(new AttachRolePolicyCommand({ RoleName: target.executionRole, PolicyArn: managed }));
    });
  });
  if (target.taskRole && !(await iam.send(new GetRoleCommand({ RoleName: target.taskRole })).catch(ifMissing))) {
    warnings.push(`the task role ${target.taskRole} does not exist; create it before the task definition names it`);
  }

  const trustPolicy = deployTrustPolicy(target);
  const permissionsPolicy = deployPermissionsPolicy(target);
  const role = options.roleName;
  let roleExists = false;
  await step('deploy role', role, async () => {
    const existing = await iam.send(new GetRoleCommand({ RoleName: role })).catch(ifMissing);
    roleExists = existing !== undefined;
    const current = existing ? parsePolicy(existing.Role?.AssumeRolePolicyDocument) : undefined;
    return change(!existing, !isDeepStrictEqual(current, trustPolicy), () =>
      existing
        ? iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: JSON.stringify(trustPolicy) }))
        : iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trustPolicy), Description: `Keyless deploys of ${target.repository} from GitHub Actions (dockyard bootstrap)` })),
    );
  });

  await step('deploy policy', DEPLOY_POLICY_NAME, async () => {
    const existing = roleExists ? await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: DEPLOY_POLICY_NAME })).catch(ifMissing) : undefined;
    const current = existing ? parsePolicy(existing.PolicyDocument) : undefined;
    return change(!existing, !isDeepStrictEqual(current, permissionsPolicy), () =>
      iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: DEPLOY_POLICY_NAME, PolicyDocument: JSON.stringify(permissionsPolicy) })),
    );
  });

  if (roleExists) warnings.push(...(await broaderGrants(iam, role)));
  return { roleArn: roleArn(target, role), providerArn: provider, steps, warnings, trustPolicy, permissionsPolicy };
}

/** Policies on the role besides bootstrap's: they widen what a job token can do. */
async function broaderGrants(iam: IAMClient, role: string): Promise<string[]> {
  const warnings: string[] = [];
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
  for (const policy of attached) {
    warnings.push(`${role} also has ${policy.PolicyName ?? policy.PolicyArn} attached, which grants more than deploys need; detach it with: aws iam detach-role-policy --role-name ${role} --policy-arn ${policy.PolicyArn}`);
  }
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
  for (const name of inline.filter((n) => n !== DEPLOY_POLICY_NAME)) {
    warnings.push(`${role} also has the inline policy ${name}; remove it if deploys do not need it: aws iam delete-role-policy --role-name ${role} --policy-name ${name}`);
  }
  return warnings;
}

/** Read calls answer "not found" with an error; that is the one error that means "create it". */
function ifMissing(error: unknown): undefined {
  const name = (error as { name?: string }).name;
  if (name === 'NoSuchEntityException' || name === 'NoSuchEntity' || name === 'RepositoryNotFoundException') return undefined;
  throw error;
}

/** IAM returns policy documents URL-encoded. */
function decodePolicy(document: string | undefined): string {
  if (!document) return '';
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
}

function parsePolicy(document: string | undefined): unknown {
  try {
    return JSON.parse(decodePolicy(document));
  } catch {
    return undefined;
  }
}
