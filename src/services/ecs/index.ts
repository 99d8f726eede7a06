/**
 * ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113).
 *
 * Fidelity
 * - Gaps: clusters, task definitions, services and the scheduler are not built yet (issue:
 *   ECS). Every operation is authenticated and authorized with ECS's IAM action and resource
 *   ARN, then refused with UnknownOperationException.
 */
import type { AnyOperation, ServiceDefinition } from '../operation.js';
import { pendingOperation } from '../pending.js';

export type EcsOperationName = 'CreateCluster' | 'DescribeClusters' | 'ListClusters' | 'RegisterTaskDefinition' | 'DescribeServices' | 'UpdateService';

const arn = (region: string, account: string, resource: string) => `arn:aws:ecs:${region}:${account}:${resource}`;

/** A cluster given by name or ARN, as ECS accepts either. */
function clusterName(value: string | undefined): string {
  const name = value ?? 'default';
  return name.startsWith('arn:') ? name.slice(name.indexOf('/') + 1) : name;
}

export function createEcsService(): ServiceDefinition {
  const operations: Record<EcsOperationName, AnyOperation> = {
    CreateCluster: pendingOperation('ECS', 'CreateCluster', () => [{ action: 'ecs:CreateCluster', resource: '*' }]),
    ListClusters: pendingOperation('ECS', 'ListClusters', () => [{ action: 'ecs:ListClusters', resource: '*' }]),
    RegisterTaskDefinition: pendingOperation('ECS', 'RegisterTaskDefinition', () => [{ action: 'ecs:RegisterTaskDefinition', resource: '*' }]),
    DescribeClusters: pendingOperation('ECS', 'DescribeClusters', (reader, ctx) =>
      (reader.stringList('clusters') ?? ['default']).map((c) => ({ action: 'ecs:DescribeClusters', resource: arn(ctx.region, ctx.accountId, `cluster/${clusterName(c)}`) })),
    ),
    DescribeServices: pendingOperation('ECS', 'DescribeServices', (reader, ctx) => {
      const cluster = clusterName(reader.string('cluster'));
      return (reader.stringList('services', { required: true }) ?? []).map((s) => ({
        action: 'ecs:DescribeServices',
        resource: s.startsWith('arn:') ? s : arn(ctx.region, ctx.accountId, `service/${cluster}/${s}`),
      }));
    }),
    UpdateService: pendingOperation('ECS', 'UpdateService', (reader, ctx) => {
      const cluster = clusterName(reader.string('cluster'));
      const service = reader.string('service', { required: true });
      return [{ action: 'ecs:UpdateService', resource: service.startsWith('arn:') ? service : arn(ctx.region, ctx.accountId, `service/${cluster}/${service}`) }];
    }),
  };
  return {
    signingName: 'ecs',
    title: 'ECS',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    validationErrorCode: 'InvalidParameterException',
    operations,
  };
}
