/**
 * Repository operations, tagging, repository policies, GetAuthorizationToken and the IAM
 * authorizations each operation asks for.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RepositoryOutput } from '../../../src/services/ecr/outputs.js';
import {
  ACCOUNT,
  REGION,
  START,
  createHarness,
  createRepository,
  pushImage,
  rejectsWith,
  type EcrHarness,
} from './fixtures.js';

let h: EcrHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

type RepositoryOut = RepositoryOutput;

const ARN = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'pull',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/puller` },
      Action: ['ecr:BatchGetImage'],
    },
  ],
});

describe('CreateRepository', () => {
  it('answers with the repository as ECR describes it', async () => {
    const { repository } = await h.call<{ repository: RepositoryOut }>('CreateRepository', {
      repositoryName: 'team/my-app',
    });
    assert.deepEqual(repository, {
      repositoryArn: ARN('team/my-app'),
      registryId: ACCOUNT,
      repositoryName: 'team/my-app',
      repositoryUri: 'localhost:4566/team/my-app',
      createdAt: START,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
  });

  it('stores mutability, exclusion filters, scanning, encryption and tags', async () => {
    const { repository } = await h.call<{ repository: RepositoryOut }>('CreateRepository', {
      repositoryName: 'configured',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
      tags: [{ Key: 'team', Value: 'platform' }],
    });
    assert.equal(repository.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repository.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    assert.deepEqual(repository.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repository.encryptionConfiguration, {
      encryptionType: 'KMS',
      kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/abc',
    });
    const { tags } = await h.call<{ tags: { Key: string; Value: string }[] }>('ListTagsForResource', {
      resourceArn: ARN('configured'),
    });
    assert.deepEqual(tags, [{ Key: 'team', Value: 'platform' }]);
  });

  it('refuses a taken name with RepositoryAlreadyExistsException', async () => {
    await createRepository(h, 'my-app');
    await rejectsWith(
      createRepository(h, 'my-app'),
      'RepositoryAlreadyExistsException',
      `The repository with name 'my-app' already exists in the registry with id '${ACCOUNT}'`,
    );
  });

  it('validates names and enums with InvalidParameterException, never ServerException', async () => {
    await rejectsWith(
      createRepository(h, 'My-App'),
      'InvalidParameterException',
      /Value 'My-App' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await rejectsWith(
      createRepository(h, 'a'),
      'InvalidParameterException',
      /Member must have length greater than or equal to 2/,
    );
    await rejectsWith(
      createRepository(h, 'ok-name', { imageTagMutability: 'SOMETIMES' }),
      'InvalidParameterException',
      /enum value set/,
    );
    await rejectsWith(
      createRepository(h, 'ok-name', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }),
      'InvalidParameterException',
      /imageTagMutabilityExclusionFilters/,
    );
    await rejectsWith(
      createRepository(h, 'ok-name', {
        imageTagMutability: 'MUTABLE',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'x' }],
      }),
      'InvalidParameterException',
    );
    await rejectsWith(
      createRepository(h, 'ok-name', {
        tags: [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      }),
      'InvalidTagParameterException',
    );
  });
});

describe('DescribeRepositories', () => {
  it('describes named repositories, or all of them paged by name', async () => {
    for (const name of ['c-repo', 'a-repo', 'b-repo']) await createRepository(h, name);
    const named = await h.call<{ repositories: RepositoryOut[] }>('DescribeRepositories', {
      repositoryNames: ['b-repo'],
    });
    assert.deepEqual(
      named.repositories.map((r) => r.repositoryName),
      ['b-repo'],
    );
    const first = await h.call<{ repositories: RepositoryOut[]; nextToken?: string }>('DescribeRepositories', {
      maxResults: 2,
    });
    assert.deepEqual(
      first.repositories.map((r) => r.repositoryName),
      ['a-repo', 'b-repo'],
    );
    assert.ok(first.nextToken);
    const second = await h.call<{ repositories: RepositoryOut[]; nextToken?: string }>('DescribeRepositories', {
      maxResults: 2,
      nextToken: first.nextToken,
    });
    assert.deepEqual(
      second.repositories.map((r) => r.repositoryName),
      ['c-repo'],
    );
    assert.equal(second.nextToken, undefined);
  });

  it("answers RepositoryNotFoundException for a missing name, with ECR's message", async () => {
    await rejectsWith(
      h.call('DescribeRepositories', { repositoryNames: ['missing'] }),
      'RepositoryNotFoundException',
      `The repository with name 'missing' does not exist in the registry with id '${ACCOUNT}'`,
    );
    await rejectsWith(h.call('DescribeRepositories', { nextToken: 'garbage!' }), 'InvalidParameterException');
  });
});

describe('DeleteRepository', () => {
  it('refuses a repository with images unless forced', async () => {
    await createRepository(h, 'my-app');
    pushImage(h, 'my-app', 'one', 'v1');
    await rejectsWith(
      h.call('DeleteRepository', { repositoryName: 'my-app' }),
      'RepositoryNotEmptyException',
      `The repository with name 'my-app' in registry with id '${ACCOUNT}' cannot be deleted because it still contains images`,
    );
    const { repository } = await h.call<{ repository: RepositoryOut }>('DeleteRepository', {
      repositoryName: 'my-app',
      force: true,
    });
    assert.equal(repository.repositoryName, 'my-app');
    assert.equal(h.images.getManifest('my-app', 'v1'), undefined);
    await rejectsWith(h.call('DeleteRepository', { repositoryName: 'my-app' }), 'RepositoryNotFoundException');
  });

  it('deletes an empty repository without force', async () => {
    await createRepository(h, 'empty');
    await h.call('DeleteRepository', { repositoryName: 'empty' });
    assert.equal(h.images.getRepository('empty'), undefined);
  });
});

describe('PutImageTagMutability', () => {
  it('changes the mode that putManifest enforces', async () => {
    await createRepository(h, 'my-app');
    const out = await h.call('PutImageTagMutability', { repositoryName: 'my-app', imageTagMutability: 'IMMUTABLE' });
    assert.deepEqual(out, { registryId: ACCOUNT, repositoryName: 'my-app', imageTagMutability: 'IMMUTABLE' });
    assert.equal(h.images.getRepository('my-app')?.tagMutability, 'IMMUTABLE');
    await rejectsWith(
      h.call('PutImageTagMutability', { repositoryName: 'nope', imageTagMutability: 'IMMUTABLE' }),
      'RepositoryNotFoundException',
    );
  });
});

describe('tagging', () => {
  it('tags, replaces, untags and lists', async () => {
    await createRepository(h, 'my-app');
    await h.call('TagResource', {
      resourceArn: ARN('my-app'),
      tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    await h.call('TagResource', { resourceArn: ARN('my-app'), tags: [{ Key: 'a', Value: '3' }] });
    await h.call('UntagResource', { resourceArn: ARN('my-app'), tagKeys: ['b', 'absent'] });
    const { tags } = await h.call<{ tags: unknown[] }>('ListTagsForResource', { resourceArn: ARN('my-app') });
    assert.deepEqual(tags, [{ Key: 'a', Value: '3' }]);
  });

  it('refuses more than 50 tags, reserved keys, malformed ARNs and unknown repositories', async () => {
    await createRepository(h, 'my-app');
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(h.call('TagResource', { resourceArn: ARN('my-app'), tags: many }), 'TooManyTagsException');
    await rejectsWith(
      h.call('TagResource', { resourceArn: ARN('my-app'), tags: [{ Key: 'aws:x', Value: 'v' }] }),
      'InvalidTagParameterException',
    );
    await rejectsWith(h.call('ListTagsForResource', { resourceArn: 'not-an-arn' }), 'InvalidParameterException');
    await rejectsWith(h.call('ListTagsForResource', { resourceArn: ARN('nope') }), 'RepositoryNotFoundException');
  });
});

describe('repository policies', () => {
  it('sets, gets and deletes a valid resource policy', async () => {
    await createRepository(h, 'my-app');
    await rejectsWith(
      h.call('GetRepositoryPolicy', { repositoryName: 'my-app' }),
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name 'my-app' in the registry with id '${ACCOUNT}'`,
    );
    const set = await h.call('SetRepositoryPolicy', { repositoryName: 'my-app', policyText: POLICY });
    assert.deepEqual(set, { registryId: ACCOUNT, repositoryName: 'my-app', policyText: POLICY });
    assert.deepEqual(await h.call('GetRepositoryPolicy', { repositoryName: 'my-app' }), set);
    assert.deepEqual(await h.call('DeleteRepositoryPolicy', { repositoryName: 'my-app' }), set);
    await rejectsWith(
      h.call('DeleteRepositoryPolicy', { repositoryName: 'my-app' }),
      'RepositoryPolicyNotFoundException',
    );
  });

  it('refuses an invalid policy with InvalidParameterException', async () => {
    await createRepository(h, 'my-app');
    await rejectsWith(
      h.call('SetRepositoryPolicy', { repositoryName: 'my-app', policyText: '{not json' }),
      'InvalidParameterException',
      /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided/,
    );
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] });
    await rejectsWith(
      h.call('SetRepositoryPolicy', { repositoryName: 'my-app', policyText: noPrincipal }),
      'InvalidParameterException',
    );
  });
});

describe('GetAuthorizationToken', () => {
  it('answers base64("AWS:" + password), a 12-hour expiry and the registry address', async () => {
    const out = await h.call<{
      authorizationData: { authorizationToken: string; expiresAt: Date; proxyEndpoint: string }[];
    }>('GetAuthorizationToken');
    assert.equal(out.authorizationData.length, 1);
    const [data] = out.authorizationData;
    assert.ok(data);
    assert.equal(Buffer.from(data.authorizationToken, 'base64').toString(), `AWS:pw-root-${START.getTime()}`);
    assert.deepEqual(data.expiresAt, new Date(START.getTime() + 12 * 3600 * 1000));
    assert.equal(data.proxyEndpoint, 'http://localhost:4566');
    await rejectsWith(h.call('GetAuthorizationToken', { registryIds: ['12'] }), 'InvalidParameterException');
  });
});

describe('authorization', () => {
  it("asks for ECR's action on the repository ARN, with the repository policy and tags", async () => {
    await createRepository(h, 'my-app', { tags: [{ Key: 'team', Value: 'platform' }] });
    await h.call('SetRepositoryPolicy', { repositoryName: 'my-app', policyText: POLICY });
    const [auth] = await h.authorize('BatchGetImage', { repositoryName: 'my-app', imageIds: [{ imageTag: 'v1' }] });
    assert.deepEqual(auth, {
      action: 'ecr:BatchGetImage',
      resource: ARN('my-app'),
      resourcePolicy: POLICY,
      context: { 'aws:ResourceTag/team': 'platform', 'ecr:ResourceTag/team': 'platform' },
    });
    assert.deepEqual(await h.authorize('PutImage', { repositoryName: 'other', imageManifest: '{}' }), [
      { action: 'ecr:PutImage', resource: ARN('other') },
    ]);
  });

  it('uses * for GetAuthorizationToken and repository/* for DescribeRepositories without names', async () => {
    assert.deepEqual(await h.authorize('GetAuthorizationToken'), [
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
    ]);
    assert.deepEqual(await h.authorize('DescribeRepositories'), [
      { action: 'ecr:DescribeRepositories', resource: ARN('*') },
    ]);
    assert.deepEqual(
      (await h.authorize('DescribeRepositories', { repositoryNames: ['a-1', 'b-2'] })).map((a) => a.resource),
      [ARN('a-1'), ARN('b-2')],
    );
  });

  it('passes request tags to IAM when tagging, and needs ecr:TagResource to tag on create', async () => {
    const create = await h.authorize('CreateRepository', {
      repositoryName: 'new-repo',
      tags: [{ Key: 'env', Value: 'prod' }],
    });
    assert.deepEqual(
      create.map((a) => a.action),
      ['ecr:CreateRepository', 'ecr:TagResource'],
    );
    assert.deepEqual(create[0]?.context, { 'aws:TagKeys': ['env'], 'aws:RequestTag/env': 'prod' });
    const untag = await h.authorize('UntagResource', { resourceArn: ARN('new-repo'), tagKeys: ['env'] });
    assert.deepEqual(untag, [
      { action: 'ecr:UntagResource', resource: ARN('new-repo'), context: { 'aws:TagKeys': ['env'] } },
    ]);
  });
});
