/**
 * IAM under test (test/support/service-harness.ts: the real pipeline in process, over a real
 * SQLite file, as the account's root user, on a manual clock) and the fixtures its tests share.
 */
import { createIamService, IamStore, type IamOperationName } from '../../../src/services/iam/index.js';
import type { Caller, ServiceDefinition } from '../../../src/core/operation.js';
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';

export const ACCOUNT = '123456789012';
export const START = new Date('2026-03-01T12:00:00.000Z');

/** The seed's trust policy (Step 3), with the account filled in. */
export const SEED_TRUST_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:your-username/ecsapp:ref:refs/heads/main' },
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        },
      },
    ],
  },
  null,
  2,
);

/** A trust policy for ECS tasks. */
export const ECS_TASKS_TRUST =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

/** A small identity policy. */
export const S3_READ =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

export const ECS_FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonECS_FullAccess';
export const ECR_FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess';
export const TASK_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

export type IamHarness = ServiceHarness<IamOperationName, { store: IamStore; service: ServiceDefinition }>;

export function createHarness(): IamHarness {
  return createServiceHarness({
    name: 'dockyard-iam-',
    accountId: ACCOUNT,
    region: 'us-east-1',
    start: START,
    open: (db, clock) => {
      const store = new IamStore(db, ACCOUNT, clock);
      return { store, service: createIamService(store) };
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

/** Creates the seed's OIDC provider; returns its ARN. */
export async function createGithubProvider(h: IamHarness): Promise<string> {
  const out = await h.call<{ OpenIDConnectProviderArn: string }>('CreateOpenIDConnectProvider', {
    Url: 'https://token.actions.githubusercontent.com',
    ClientIDList: ['sts.amazonaws.com'],
  });
  return out.OpenIDConnectProviderArn;
}

/** Creates a role trusted by ECS tasks. */
export async function createTaskRole(
  h: IamHarness,
  roleName: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await h.call('CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: ECS_TASKS_TRUST, ...extra });
}

/** The caller a user's key stands for, as SigV4 resolves it. */
export function userCaller(h: IamHarness, userName: string): Caller {
  const user = h.store.users.get(userName);
  if (!user) throw new Error(`no user ${userName}`);
  return {
    kind: 'user',
    accountId: ACCOUNT,
    arn: user.arn,
    userId: user.userId,
    userName: user.userName,
    accessKeyId: 'AKIAEXAMPLEEXAMPLE02',
    tags: {},
  };
}

/** A role session's caller. */
export function sessionCaller(roleName: string): Caller {
  return {
    kind: 'assumed-role',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/s`,
    userId: 'AROAEXAMPLEEXAMPLEEX:s',
    accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
    roleName,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
    roleId: 'AROAEXAMPLEEXAMPLEEX',
    sessionName: 's',
    tags: {},
    expiresAt: new Date(START.getTime() + 3600_000),
  };
}
