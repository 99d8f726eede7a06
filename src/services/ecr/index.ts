/**
 * ECR (awsJson1_1, AmazonEC2ContainerRegistry_V20150921).
 *
 * Fidelity
 * - Gaps: the control plane and the registry are not built yet (issue: ECR). Every operation
 *   is authenticated and authorized with ECR's IAM action on the repository ARN, then refused
 *   with UnknownOperationException.
 */
import type { AnyOperation, ServiceDefinition } from '../operation.js';
import { pendingOperation } from '../pending.js';

export type EcrOperationName =
  | 'CreateRepository'
  | 'DescribeRepositories'
  | 'DeleteRepository'
  | 'GetAuthorizationToken'
  | 'DescribeImages'
  | 'ListImages'
  | 'BatchGetImage'
  | 'BatchDeleteImage'
  | 'PutImage';

/** arn:aws:ecr:REGION:ACCOUNT:repository/NAME */
export function repositoryArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
}

export function createEcrService(): ServiceDefinition {
  const onRepository = (name: EcrOperationName) =>
    pendingOperation('ECR', name, (reader, ctx) => [
      { action: `ecr:${name}`, resource: repositoryArn(ctx.region, ctx.accountId, reader.string('repositoryName', { required: true }) ?? '') },
    ]);
  const operations: Record<EcrOperationName, AnyOperation> = {
    CreateRepository: onRepository('CreateRepository'),
    DeleteRepository: onRepository('DeleteRepository'),
    DescribeImages: onRepository('DescribeImages'),
    ListImages: onRepository('ListImages'),
    BatchGetImage: onRepository('BatchGetImage'),
    BatchDeleteImage: onRepository('BatchDeleteImage'),
    PutImage: onRepository('PutImage'),
    // DescribeRepositories without names is authorized on every repository of the account.
    DescribeRepositories: pendingOperation('ECR', 'DescribeRepositories', (reader, ctx) => {
      const names = reader.stringList('repositoryNames') ?? [];
      return names.length > 0
        ? names.map((n) => ({ action: 'ecr:DescribeRepositories', resource: repositoryArn(ctx.region, ctx.accountId, n) }))
        : [{ action: 'ecr:DescribeRepositories', resource: repositoryArn(ctx.region, ctx.accountId, '*') }];
    }),
    // GetAuthorizationToken is not scoped to a repository: its resource is "*".
    GetAuthorizationToken: pendingOperation('ECR', 'GetAuthorizationToken', () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }]),
  };
  return {
    signingName: 'ecr',
    title: 'ECR',
    protocol: 'awsJson1_1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    validationErrorCode: 'InvalidParameterException',
    operations,
  };
}
