/**
 * A real ECS service over a real SQLite file in a temp directory, called the way the protocol
 * layer calls operations: read the input from a plain object, reject violations, authorize,
 * run. IAM roles are a set of ARNs; EC2's awsvpc check knows a few subnets and security
 * groups; the caller is the account's root user; the clock is manual.
 */
import { readOperation, rootContext, runOperation } from '../../support/operations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock.js';
import { createEcsService, EcsStore, type AwsVpcValidator, type EcsOperationName, type NetworkConfiguration } from '../../../src/services/ecs/index.js';
import type { Authorization, RequestContext, ServiceDefinition } from '../../../src/core/operation.js';
import { openDatabase, type Db } from '../../../src/store/database.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY_HOST = 'localhost:4566';
export const START = new Date('2026-03-01T12:00:00.000Z');
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-task-role`;
export const ECS_ARN = (resource: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
export const SUBNETS = ['subnet-aaa', 'subnet-bbb'];
export const NETWORK: NetworkConfiguration = { awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ['sg-xxx'], assignPublicIp: 'ENABLED' } };

/** The seed's ecs-task-def.json (Step 2.3) for the test account. */
export function seedTaskDefinition(): Record<string, unknown> {
  return {
    family: 'my-app-task',
    executionRoleArn: EXECUTION_ROLE,
    networkMode: 'awsvpc',
    containerDefinitions: [
      {
        name: 'my-app',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/my-app:latest`,
        cpu: 256,
        memory: 512,
        essential: true,
        portMappings: [{ containerPort: 80 }],
      },
    ],
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
  };
}

/** EC2's stand-in: knows the seed's subnets and security group. */
export const testNetwork: AwsVpcValidator = {
  validateAwsvpc: (config) => {
    const subnet = config.subnets.find((s) => !SUBNETS.includes(s));
    if (subnet) return `Error retrieving subnet information for [${subnet}]: The subnet ID '${subnet}' does not exist`;
    const group = config.securityGroups?.find((g) => g !== 'sg-xxx');
    if (group) return `Error retrieving security group information for [${group}]: The security group '${group}' does not exist`;
    return undefined;
  },
};

export interface EcsHarness {
  readonly dir: string;
  db: Db;
  store: EcsStore;
  service: ServiceDefinition;
  readonly clock: ManualClock;
  readonly ctx: RequestContext;
  readonly roles: Set<string>;
  call<T = Record<string, unknown>>(operation: EcsOperationName, input?: Record<string, unknown>): Promise<T>;
  authorize(operation: EcsOperationName, input?: Record<string, unknown>): Authorization[];
  /** Closes and reopens the database, as a restart of the cloud does. */
  reopen(): void;
  dispose(): void;
}

export function createHarness(): EcsHarness {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-ecs-'));
  const clock = new ManualClock(START);
  const roles = new Set([EXECUTION_ROLE, TASK_ROLE]);
  const ctx = rootContext(ACCOUNT, REGION, clock);
  const open = () => {
    const db = openDatabase(join(dir, 'state.db'));
    const store = new EcsStore(db, { region: REGION, accountId: ACCOUNT });
    const service = createEcsService({ store, roles: { getRoleByArn: (arn) => (roles.has(arn) ? { arn } : undefined) }, network: testNetwork, registryHost: REGISTRY_HOST });
    return { db, store, service };
  };
  const h: EcsHarness = {
    dir,
    ...open(),
    clock,
    ctx,
    roles,
    async call<T>(operation: EcsOperationName, input: Record<string, unknown> = {}): Promise<T> {
      return runOperation<T>(read(operation, input), ctx);
    },
    authorize: (operation, input = {}) => {
      const { op, typed } = read(operation, input);
      return op.authorize(typed, ctx);
    },
    reopen: () => {
      h.db.close();
      Object.assign(h, open());
    },
    dispose: () => {
      if (h.db.open) h.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const read = (operation: EcsOperationName, input: Record<string, unknown>) => readOperation(h.service, operation, input);
  return h;
}

export { rejectsWith } from '../../support/operations.js';

/** Shapes of the responses the tests read. */
export interface DeploymentOut {
  id: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  rolloutState: string;
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceOut {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition: string;
  launchType: string;
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: boolean; rollback: boolean }; maximumPercent: number; minimumHealthyPercent: number };
  deployments: DeploymentOut[];
  events: { id: string; createdAt: Date; message: string }[];
  deploymentController: { type: string };
  networkConfiguration?: unknown;
  tags?: { key: string; value: string }[];
}

export interface TaskOut {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  startedBy?: string;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  launchType: string;
  platformVersion: string;
  cpu?: string;
  memory?: string;
  containers: { name: string; image: string; lastStatus: string; healthStatus: string }[];
  attachments: { type: string; status: string; details: { name: string; value: string }[] }[];
  tags?: { key: string; value: string }[];
}

/** Creates the seed's cluster and registers its task definition. */
export async function seedCluster(h: EcsHarness, cluster = 'my-app-cluster'): Promise<{ taskDefinitionArn: string }> {
  await h.call('CreateCluster', { clusterName: cluster });
  const { taskDefinition } = await h.call<{ taskDefinition: { taskDefinitionArn: string } }>('RegisterTaskDefinition', seedTaskDefinition());
  return taskDefinition;
}

/** The seed's create-service (Step 2.5). */
export async function createSeedService(h: EcsHarness, extra: Record<string, unknown> = {}): Promise<ServiceOut> {
  const { service } = await h.call<{ service: ServiceOut }>('CreateService', {
    cluster: 'my-app-cluster',
    serviceName: 'my-app-service',
    taskDefinition: 'my-app-task',
    desiredCount: 1,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    ...extra,
  });
  return service;
}
