/**
 * A real IAM service over a real SQLite file in a temp directory, called the way the protocol
 * layer calls operations: read the input from a plain object, reject violations, authorize,
 * run. The caller is the account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/cloud/clock.js';
import { createIamService, IamStore, type IamOperationName } from '../../../src/services/iam/index.js';
import type { Authorization, Caller, RequestContext, ServiceDefinition } from '../../../src/services/operation.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

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
export const ECS_TASKS_TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

/** A small identity policy. */
export const S3_READ = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';

export const ECS_FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonECS_FullAccess';
export const ECR_FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess';
export const TASK_EXECUTION = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

export interface IamHarness {
  readonly dir: string;
  readonly file: string;
  readonly db: Db;
  readonly store: IamStore;
  readonly service: ServiceDefinition;
  readonly clock: ManualClock;
  readonly ctx: RequestContext;
  /** Runs an operation as the pipeline would (input, done, authorize, run). */
  call<T = Record<string, unknown>>(operation: IamOperationName, input?: Record<string, unknown>): Promise<T>;
  /** The same, as another caller (authorizations are computed, not evaluated). */
  callAs<T = Record<string, unknown>>(caller: Caller, operation: IamOperationName, input?: Record<string, unknown>): Promise<T>;
  /** The authorizations an operation asks for, after its input was read. */
  authorize(operation: IamOperationName, input?: Record<string, unknown>): Authorization[];
  /** Closes the database and opens the same file again, with a fresh store and service. */
  reopen(): IamHarness;
  /** Closes the database and removes the temp directory. */
  dispose(): void;
}

export function createHarness(): IamHarness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-iam-'));
  return open(dir, new ManualClock(START));
}

function open(dir: string, clock: ManualClock): IamHarness {
  const file = join(dir, 'state.db');
  const db = openDatabase(file);
  const store = new IamStore(db, ACCOUNT, clock);
  const service = createIamService(store);
  const ctx = rootContext(ACCOUNT, 'us-east-1', clock);
  const read = (operation: IamOperationName, input: Record<string, unknown>) => readOperation(service, operation, input);
  return {
    dir,
    file,
    db,
    store,
    service,
    clock,
    ctx,
    async call<T>(operation: IamOperationName, input: Record<string, unknown> = {}): Promise<T> {
      return runOperation<T>(read(operation, input), ctx);
    },
    async callAs<T>(caller: Caller, operation: IamOperationName, input: Record<string, unknown> = {}): Promise<T> {
      return runOperation<T>(read(operation, input), { ...ctx, caller });
    },
    authorize: (operation, input = {}) => {
      const { op, typed } = read(operation, input);
      return op.authorize(typed, ctx);
    },
    reopen: () => {
      db.close();
      return open(dir, clock);
    },
    dispose: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { rejectsWith } from '../../support/operations.js';

/** Creates the seed's OIDC provider; returns its ARN. */
export async function createGithubProvider(h: IamHarness): Promise<string> {
  const out = await h.call<{ OpenIDConnectProviderArn: string }>('CreateOpenIDConnectProvider', {
    Url: 'https://token.actions.githubusercontent.com',
    ClientIDList: ['sts.amazonaws.com'],
  });
  return out.OpenIDConnectProviderArn;
}

/** Creates a role trusted by ECS tasks. */
export async function createTaskRole(h: IamHarness, roleName: string, extra: Record<string, unknown> = {}): Promise<void> {
  await h.call('CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: ECS_TASKS_TRUST, ...extra });
}

/** The caller a user's key stands for, as SigV4 resolves it. */
export function userCaller(h: IamHarness, userName: string): Caller {
  const user = h.store.users.get(userName);
  if (!user) throw new Error(`no user ${userName}`);
  return { kind: 'user', accountId: ACCOUNT, arn: user.arn, userId: user.userId, userName: user.userName, accessKeyId: 'AKIAEXAMPLEEXAMPLE02', tags: {} };
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
