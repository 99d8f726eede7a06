/**
 * ECS under test (test/support/service-harness.ts: the real pipeline in process, over a real
 * SQLite file, as the account's root user, on a manual clock) and the fixtures its tests share.
 * IAM roles are a set of ARNs; EC2's awsvpc check knows a few subnets and security groups.
 */
import {
  createEcsService,
  EcsStore,
  type AwsVpcValidator,
  type EcsOperationName,
  type NetworkConfiguration,
} from '../../../src/services/ecs/index.js';
import type { ServiceDefinition } from '../../../src/core/operation.js';
import { createServiceHarness, type ServiceHarness } from '../../support/service-harness.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const REGISTRY_HOST = 'localhost:4566';
export const START = new Date('2026-03-01T12:00:00.000Z');
export const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
export const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-task-role`;
export const ECS_ARN = (resource: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
export const SUBNETS = ['subnet-aaa', 'subnet-bbb'];
export const NETWORK: NetworkConfiguration = {
  awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ['sg-xxx'], assignPublicIp: 'ENABLED' },
};

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
    if (group)
      return `Error retrieving security group information for [${group}]: The security group '${group}' does not exist`;
    return undefined;
  },
};

export type EcsHarness = ServiceHarness<
  EcsOperationName,
  { store: EcsStore; service: ServiceDefinition; roles: Set<string> }
>;

export function createHarness(): EcsHarness {
  // IAM's stand-in: the roles that exist, kept across a reopen.
  const roles = new Set([EXECUTION_ROLE, TASK_ROLE]);
  return createServiceHarness({
    name: 'dockyard-ecs-',
    accountId: ACCOUNT,
    region: REGION,
    start: START,
    open: (db) => {
      const store = new EcsStore(db, { region: REGION, accountId: ACCOUNT });
      const service = createEcsService({
        store,
        roles: { getRoleByArn: (arn) => (roles.has(arn) ? { arn } : undefined) },
        network: testNetwork,
        registryHost: REGISTRY_HOST,
      });
      return { store, service, roles };
    },
  });
}

export { rejectsWith } from '../../support/service-harness.js';

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
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
    maximumPercent: number;
    minimumHealthyPercent: number;
  };
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
  const { taskDefinition } = await h.call<{ taskDefinition: { taskDefinitionArn: string } }>(
    'RegisterTaskDefinition',
    seedTaskDefinition(),
  );
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
