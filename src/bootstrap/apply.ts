/**
 * Puts the least-privilege deploy identity in place through the AWS APIs, idempotently: what
 * exists and matches is left alone, what differs is updated, what is missing is created. The
 * identity is a role that only the repository's jobs can assume (bootstrapDeployRole), or, for
 * workflows that still sign with access keys, an IAM user with an access key
 * (bootstrapDeployUser); both get the same permissions policy. The same calls work against the
 * local cloud and against AWS; a dry run makes only the read calls and says what it would change.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
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
  userArn,
  type DeployTarget,
} from './policies.js';

export type Outcome = 'created' | 'updated' | 'unchanged' | 'would create' | 'would update';

export interface StepResult {
  what:
    | 'OIDC provider'
    | 'ECR repository'
    | 'execution role'
    | 'deploy role'
    | 'deploy user'
    | 'deploy policy'
    | 'access key';
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

/** Runs the steps, reports them, and knows whether this is a dry run. */
class Steps {
  readonly results: StepResult[] = [];
  readonly warnings: string[] = [];
  readonly dryRun: boolean;

  constructor(private readonly options: Pick<BootstrapOptions, 'dryRun' | 'report' | 'done'>) {
    this.dryRun = options.dryRun === true;
  }

  async step(what: StepResult['what'], name: string, act: () => Promise<Outcome>): Promise<void> {
    this.options.report?.(what, name);
    const result = { what, name, outcome: await act() };
    this.results.push(result);
    this.options.done?.(result);
  }

  /** Applies a change unless this is a dry run; says what was (or would be) done. */
  async change(missing: boolean, different: boolean, apply: () => Promise<unknown>): Promise<Outcome> {
    if (!missing && !different) return 'unchanged';
    if (this.dryRun) return missing ? 'would create' : 'would update';
    await apply();
    return missing ? 'created' : 'updated';
  }
}

export async function bootstrapDeployRole(
  clients: { iam: IAMClient; ecr: ECRClient },
  target: DeployTarget,
  options: BootstrapOptions,
): Promise<BootstrapResult> {
  const { iam } = clients;
  const steps = new Steps(options);
  const { step, change } = { step: steps.step.bind(steps), change: steps.change.bind(steps) };

  const provider = providerArn(target);
  await step('OIDC provider', GITHUB_ISSUER_HOST, async () => {
    const existing = await iam
      .send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider }))
      .catch(ifMissing);
    if (existing && existing.ClientIDList?.includes(STS_AUDIENCE)) return 'unchanged';
    return change(!existing, true, () =>
      existing
        ? iam.send(
            new AddClientIDToOpenIDConnectProviderCommand({
              OpenIDConnectProviderArn: provider,
              ClientID: STS_AUDIENCE,
            }),
          )
        : // No thumbprint: IAM secures GitHub's issuer with its own trusted CAs.
          iam.send(
            new CreateOpenIDConnectProviderCommand({
              Url: `https://${GITHUB_ISSUER_HOST}`,
              ClientIDList: [STS_AUDIENCE],
            }),
          ),
    );
  });
  await deployResources(clients, target, steps);

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
        : iam.send(
            new CreateRoleCommand({
              RoleName: role,
              AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
              Description: `Keyless deploys of ${target.repository} from GitHub Actions (dockyard bootstrap)`,
            }),
          ),
    );
  });

  await step('deploy policy', DEPLOY_POLICY_NAME, async () => {
    const existing = roleExists
      ? await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: DEPLOY_POLICY_NAME })).catch(ifMissing)
      : undefined;
    const current = existing ? parsePolicy(existing.PolicyDocument) : undefined;
    return change(!existing, !isDeepStrictEqual(current, permissionsPolicy), () =>
      iam.send(
        new PutRolePolicyCommand({
          RoleName: role,
          PolicyName: DEPLOY_POLICY_NAME,
          PolicyDocument: JSON.stringify(permissionsPolicy),
        }),
      ),
    );
  });

  if (roleExists) steps.warnings.push(...(await broaderGrants(iam, role)));
  return {
    roleArn: roleArn(target, role),
    providerArn: provider,
    steps: steps.results,
    warnings: steps.warnings,
    trustPolicy,
    permissionsPolicy,
  };
}

/** What both identities deploy to: the ECR repository and the task execution role (and a word about the task role). */
async function deployResources(
  clients: { iam: IAMClient; ecr: ECRClient },
  target: DeployTarget,
  steps: Steps,
): Promise<void> {
  const { iam, ecr } = clients;
  await steps.step('ECR repository', target.ecrRepository, async () => {
    const existing = await ecr
      .send(new DescribeRepositoriesCommand({ repositoryNames: [target.ecrRepository] }))
      .catch(ifMissing);
    return steps.change(!existing, false, () =>
      ecr.send(new CreateRepositoryCommand({ repositoryName: target.ecrRepository })),
    );
  });

  await steps.step('execution role', target.executionRole, async () => {
    const existing = await iam.send(new GetRoleCommand({ RoleName: target.executionRole })).catch(ifMissing);
    if (existing && !decodePolicy(existing.Role?.AssumeRolePolicyDocument).includes('ecs-tasks.amazonaws.com')) {
      steps.warnings.push(
        `the execution role ${target.executionRole} does not trust ecs-tasks.amazonaws.com: tasks cannot pull their image with it`,
      );
    }
    return steps.change(!existing, false, async () => {
      await iam.send(
        new CreateRoleCommand({
          RoleName: target.executionRole,
          AssumeRolePolicyDocument: JSON.stringify(EXECUTION_ROLE_TRUST_POLICY),
          Description: 'ECS task execution: pulls the image, writes the logs',
        }),
      );
      const managed = `arn:${partitionOf(target.region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
      await iam.send(new AttachRolePolicyCommand({ RoleName: target.executionRole, PolicyArn: managed }));
    });
  });
  if (target.taskRole && !(await iam.send(new GetRoleCommand({ RoleName: target.taskRole })).catch(ifMissing))) {
    steps.warnings.push(
      `the task role ${target.taskRole} does not exist; create it before the task definition names it`,
    );
  }
}

export interface DeployUserOptions extends Pick<BootstrapOptions, 'dryRun' | 'report' | 'done'> {
  userName: string;
  /** Make an access key (the caller has somewhere to put its secret). */
  createKey: boolean;
}

export interface DeployUserResult {
  userArn: string;
  steps: StepResult[];
  warnings: string[];
  permissionsPolicy: object;
  /** The new key, when one was made: its secret exists nowhere else. */
  accessKey?: { accessKeyId: string; secretAccessKey: string };
  /** The user's keys from before (ids only). */
  otherKeys: string[];
}

/**
 * The static-key shape: an IAM user whose only inline policy is the deploy policy a role would
 * have, and (when asked) a new access key. AWS lets a user have two keys; a third is refused
 * with the existing ones named, so that an old one can be deleted first.
 */
export async function bootstrapDeployUser(
  clients: { iam: IAMClient; ecr: ECRClient },
  target: DeployTarget,
  options: DeployUserOptions,
): Promise<DeployUserResult> {
  const { iam } = clients;
  const steps = new Steps(options);
  await deployResources(clients, target, steps);

  const user = options.userName;
  const permissionsPolicy = deployPermissionsPolicy(target);
  let userExists = false;
  await steps.step('deploy user', user, async () => {
    const existing = await iam.send(new GetUserCommand({ UserName: user })).catch(ifMissing);
    userExists = existing !== undefined;
    return steps.change(!existing, false, () =>
      iam.send(
        new CreateUserCommand({ UserName: user, Tags: [{ Key: 'dockyard:deploys', Value: target.repository }] }),
      ),
    );
  });
  await steps.step('deploy policy', DEPLOY_POLICY_NAME, async () => {
    const existing = userExists
      ? await iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: DEPLOY_POLICY_NAME })).catch(ifMissing)
      : undefined;
    const current = existing ? parsePolicy(existing.PolicyDocument) : undefined;
    return steps.change(!existing, !isDeepStrictEqual(current, permissionsPolicy), () =>
      iam.send(
        new PutUserPolicyCommand({
          UserName: user,
          PolicyName: DEPLOY_POLICY_NAME,
          PolicyDocument: JSON.stringify(permissionsPolicy),
        }),
      ),
    );
  });

  const otherKeys = userExists
    ? ((await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? []).flatMap(
        (k) => k.AccessKeyId ?? [],
      )
    : [];
  let accessKey: DeployUserResult['accessKey'];
  if (options.createKey) {
    if (otherKeys.length >= 2) {
      throw new Error(
        `${user} already has two access keys (${otherKeys.join(', ')}), as many as AWS allows; delete one that nothing uses any more: aws iam delete-access-key --user-name ${user} --access-key-id ${otherKeys[0] ?? ''}`,
      );
    }
    await steps.step('access key', user, async () => {
      if (steps.dryRun) return 'would create';
      const created = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
      accessKey = { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' };
      return 'created';
    });
  }
  if (userExists) steps.warnings.push(...(await broaderUserGrants(iam, user)));
  for (const key of otherKeys) {
    steps.warnings.push(
      `${user} also has the access key ${key}; once nothing uses it: aws iam delete-access-key --user-name ${user} --access-key-id ${key}`,
    );
  }
  return {
    userArn: userArn(target, user),
    steps: steps.results,
    warnings: steps.warnings,
    permissionsPolicy,
    ...(accessKey ? { accessKey } : {}),
    otherKeys,
  };
}

/** Policies and groups on the user besides bootstrap's: they widen what its key can do. */
async function broaderUserGrants(iam: IAMClient, user: string): Promise<string[]> {
  const warnings: string[] = [];
  for (const policy of (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }))).AttachedPolicies ??
    []) {
    warnings.push(
      `${user} also has ${policy.PolicyName ?? policy.PolicyArn} attached, which grants more than deploys need; detach it with: aws iam detach-user-policy --user-name ${user} --policy-arn ${policy.PolicyArn}`,
    );
  }
  for (const name of ((await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames ?? []).filter(
    (n) => n !== DEPLOY_POLICY_NAME,
  )) {
    warnings.push(
      `${user} also has the inline policy ${name}; remove it if deploys do not need it: aws iam delete-user-policy --user-name ${user} --policy-name ${name}`,
    );
  }
  for (const group of (await iam.send(new ListGroupsForUserCommand({ UserName: user }))).Groups ?? []) {
    warnings.push(
      `${user} is in the group ${group.GroupName ?? ''}, whose policies apply to its keys too: aws iam remove-user-from-group --group-name ${group.GroupName ?? ''} --user-name ${user}`,
    );
  }
  return warnings;
}

/** Policies on the role besides bootstrap's: they widen what a job token can do. */
async function broaderGrants(iam: IAMClient, role: string): Promise<string[]> {
  const warnings: string[] = [];
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies ?? [];
  for (const policy of attached) {
    warnings.push(
      `${role} also has ${policy.PolicyName ?? policy.PolicyArn} attached, which grants more than deploys need; detach it with: aws iam detach-role-policy --role-name ${role} --policy-arn ${policy.PolicyArn}`,
    );
  }
  const inline = (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
  for (const name of inline.filter((n) => n !== DEPLOY_POLICY_NAME)) {
    warnings.push(
      `${role} also has the inline policy ${name}; remove it if deploys do not need it: aws iam delete-role-policy --role-name ${role} --policy-name ${name}`,
    );
  }
  return warnings;
}

/** Read calls answer "not found" with an error; that is the one error that means "create it". */
function ifMissing(error: unknown): undefined {
  const name = (error as { name?: string }).name;
  if (name === 'NoSuchEntityException' || name === 'NoSuchEntity' || name === 'RepositoryNotFoundException')
    return undefined;
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
