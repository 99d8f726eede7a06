/**
 * What each IAM operation asks the authorizer for: the IAM action, the resource ARN (role ARNs
 * with their path, `*` where the Service Authorization Reference has no resource type), the
 * Tag* action when tags come with a create, and the request's condition keys.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IamOperationName } from '../../../src/services/iam/index.js';
import {
  ACCOUNT,
  ECS_FULL_ACCESS,
  ECS_TASKS_TRUST,
  S3_READ,
  createGithubProvider,
  createHarness,
  createTaskRole,
  type IamHarness,
} from './fixtures.js';

let h: IamHarness;
beforeEach(async () => {
  h = createHarness();
  await createTaskRole(h, 'app', { Path: '/svc/' });
});
afterEach(() => h.dispose());

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/svc/app`;
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/p`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

describe('authorize', () => {
  it('names the role ARN with its path for every role operation', async () => {
    const cases: [IamOperationName, Record<string, unknown>][] = [
      ['GetRole', {}],
      ['DeleteRole', {}],
      ['UpdateRole', {}],
      ['UpdateRoleDescription', { Description: 'd' }],
      ['UpdateAssumeRolePolicy', { PolicyDocument: ECS_TASKS_TRUST }],
      ['ListRoleTags', {}],
      ['PutRolePolicy', { PolicyName: 'p', PolicyDocument: S3_READ }],
      ['GetRolePolicy', { PolicyName: 'p' }],
      ['ListRolePolicies', {}],
      ['DeleteRolePolicy', { PolicyName: 'p' }],
      ['ListAttachedRolePolicies', {}],
    ];
    for (const [operation, input] of cases) {
      assert.deepEqual(
        await h.authorize(operation, { RoleName: 'app', ...input }),
        [{ action: `iam:${operation}`, resource: ROLE_ARN }],
        operation,
      );
    }
  });

  it('uses the root path for a role that does not exist', async () => {
    assert.deepEqual(await h.authorize('GetRole', { RoleName: 'ghost' }), [
      { action: 'iam:GetRole', resource: `arn:aws:iam::${ACCOUNT}:role/ghost` },
    ]);
  });

  it('CreateRole: the new ARN, tags as condition keys, iam:TagRole and the boundary key', async () => {
    assert.deepEqual(
      await h.authorize('CreateRole', { RoleName: 'r', Path: '/a/b/', AssumeRolePolicyDocument: ECS_TASKS_TRUST }),
      [{ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCOUNT}:role/a/b/r` }],
    );
    const tags = [
      { Key: 'team', Value: 'ci' },
      { Key: 'env', Value: 'prod' },
    ];
    const context = { 'aws:TagKeys': ['team', 'env'], 'aws:RequestTag/team': 'ci', 'aws:RequestTag/env': 'prod' };
    assert.deepEqual(
      await h.authorize('CreateRole', {
        RoleName: 'r',
        AssumeRolePolicyDocument: ECS_TASKS_TRUST,
        Tags: tags,
        PermissionsBoundary: ECS_FULL_ACCESS,
      }),
      [
        {
          action: 'iam:CreateRole',
          resource: `arn:aws:iam::${ACCOUNT}:role/r`,
          context: { ...context, 'iam:PermissionsBoundary': ECS_FULL_ACCESS },
        },
        { action: 'iam:TagRole', resource: `arn:aws:iam::${ACCOUNT}:role/r`, context },
      ],
    );
  });

  it('TagRole and UntagRole carry their tag keys', async () => {
    assert.deepEqual(await h.authorize('TagRole', { RoleName: 'app', Tags: [{ Key: 'k', Value: 'v' }] }), [
      { action: 'iam:TagRole', resource: ROLE_ARN, context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' } },
    ]);
    assert.deepEqual(await h.authorize('UntagRole', { RoleName: 'app', TagKeys: ['k'] }), [
      { action: 'iam:UntagRole', resource: ROLE_ARN, context: { 'aws:TagKeys': ['k'] } },
    ]);
  });

  it('Attach/DetachRolePolicy: the role, with iam:PolicyARN', async () => {
    for (const operation of ['AttachRolePolicy', 'DetachRolePolicy'] as const) {
      assert.deepEqual(await h.authorize(operation, { RoleName: 'app', PolicyArn: ECS_FULL_ACCESS }), [
        { action: `iam:${operation}`, resource: ROLE_ARN, context: { 'iam:PolicyARN': ECS_FULL_ACCESS } },
      ]);
    }
  });

  it('policy operations name the policy ARN', async () => {
    assert.deepEqual(await h.authorize('CreatePolicy', { PolicyName: 'p', Path: '/x/', PolicyDocument: S3_READ }), [
      { action: 'iam:CreatePolicy', resource: `arn:aws:iam::${ACCOUNT}:policy/x/p` },
    ]);
    assert.deepEqual(
      (
        await h.authorize('CreatePolicy', {
          PolicyName: 'p',
          PolicyDocument: S3_READ,
          Tags: [{ Key: 'k', Value: 'v' }],
        })
      )[1],
      {
        action: 'iam:TagPolicy',
        resource: POLICY_ARN,
        context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' },
      },
    );
    const cases: [IamOperationName, Record<string, unknown>][] = [
      ['GetPolicy', {}],
      ['DeletePolicy', {}],
      ['ListEntitiesForPolicy', {}],
      ['ListPolicyVersions', {}],
      ['GetPolicyVersion', { VersionId: 'v1' }],
      ['CreatePolicyVersion', { PolicyDocument: S3_READ }],
      ['DeletePolicyVersion', { VersionId: 'v1' }],
      ['SetDefaultPolicyVersion', { VersionId: 'v1' }],
    ];
    for (const [operation, input] of cases) {
      assert.deepEqual(
        await h.authorize(operation, { PolicyArn: POLICY_ARN, ...input }),
        [{ action: `iam:${operation}`, resource: POLICY_ARN }],
        operation,
      );
    }
  });

  it('provider operations name the provider ARN', async () => {
    assert.deepEqual(
      await h.authorize('CreateOpenIDConnectProvider', { Url: 'https://token.actions.githubusercontent.com' }),
      [{ action: 'iam:CreateOpenIDConnectProvider', resource: PROVIDER_ARN }],
    );
    assert.equal(
      (
        await h.authorize('CreateOpenIDConnectProvider', {
          Url: 'https://x.example.com',
          Tags: [{ Key: 'k', Value: 'v' }],
        })
      )[1]?.action,
      'iam:TagOpenIDConnectProvider',
    );
    await createGithubProvider(h);
    const cases: [IamOperationName, Record<string, unknown>][] = [
      ['GetOpenIDConnectProvider', {}],
      ['DeleteOpenIDConnectProvider', {}],
      ['AddClientIDToOpenIDConnectProvider', { ClientID: 'c' }],
      ['RemoveClientIDFromOpenIDConnectProvider', { ClientID: 'c' }],
      ['UpdateOpenIDConnectProviderThumbprint', { ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'] }],
    ];
    for (const [operation, input] of cases) {
      assert.deepEqual(
        await h.authorize(operation, { OpenIDConnectProviderArn: PROVIDER_ARN, ...input }),
        [{ action: `iam:${operation}`, resource: PROVIDER_ARN }],
        operation,
      );
    }
  });

  it('user, access-key and group operations name the user or group ARN, path included', async () => {
    await h.call('CreateUser', { UserName: 'ci', Path: '/deploy/' });
    await h.call('CreateGroup', { GroupName: 'deployers', Path: '/teams/' });
    const user = `arn:aws:iam::${ACCOUNT}:user/deploy/ci`;
    const group = `arn:aws:iam::${ACCOUNT}:group/teams/deployers`;
    assert.deepEqual(
      await h.authorize('CreateUser', {
        UserName: 'new',
        Path: '/x/',
        Tags: [{ Key: 'k', Value: 'v' }],
        PermissionsBoundary: ECS_FULL_ACCESS,
      }),
      [
        {
          action: 'iam:CreateUser',
          resource: `arn:aws:iam::${ACCOUNT}:user/x/new`,
          context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v', 'iam:PermissionsBoundary': ECS_FULL_ACCESS },
        },
        {
          action: 'iam:TagUser',
          resource: `arn:aws:iam::${ACCOUNT}:user/x/new`,
          context: { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' },
        },
      ],
    );
    const onUser: [IamOperationName, Record<string, unknown>][] = [
      ['GetUser', {}],
      ['DeleteUser', {}],
      ['ListUserTags', {}],
      ['PutUserPolicy', { PolicyName: 'p', PolicyDocument: S3_READ }],
      ['ListAttachedUserPolicies', {}],
      ['CreateAccessKey', {}],
      ['ListAccessKeys', {}],
      ['DeleteAccessKey', { AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
      ['ListGroupsForUser', {}],
    ];
    for (const [operation, input] of onUser) {
      assert.deepEqual(
        await h.authorize(operation, { UserName: 'ci', ...input }),
        [{ action: `iam:${operation}`, resource: user }],
        operation,
      );
    }
    assert.deepEqual(await h.authorize('AttachUserPolicy', { UserName: 'ci', PolicyArn: ECS_FULL_ACCESS }), [
      { action: 'iam:AttachUserPolicy', resource: user, context: { 'iam:PolicyARN': ECS_FULL_ACCESS } },
    ]);
    for (const operation of ['GetGroup', 'DeleteGroup', 'ListGroupPolicies', 'ListAttachedGroupPolicies'] as const) {
      assert.deepEqual(
        await h.authorize(operation, { GroupName: 'deployers' }),
        [{ action: `iam:${operation}`, resource: group }],
        operation,
      );
    }
    assert.deepEqual(await h.authorize('AddUserToGroup', { GroupName: 'deployers', UserName: 'ci' }), [
      { action: 'iam:AddUserToGroup', resource: group },
    ]);
    assert.deepEqual(await h.authorize('UpdateUser', { UserName: 'ci', NewUserName: 'cd' }), [
      { action: 'iam:UpdateUser', resource: user },
      { action: 'iam:UpdateUser', resource: `arn:aws:iam::${ACCOUNT}:user/deploy/cd` },
    ]);
    const key = await h.call<{ AccessKey: { AccessKeyId: string } }>('CreateAccessKey', { UserName: 'ci' });
    assert.deepEqual(await h.authorize('GetAccessKeyLastUsed', { AccessKeyId: key.AccessKey.AccessKeyId }), [
      { action: 'iam:GetAccessKeyLastUsed', resource: user },
    ]);
  });

  it('ListRoles, ListPolicies and ListOpenIDConnectProviders have no resource type: *', async () => {
    for (const operation of [
      'ListRoles',
      'ListPolicies',
      'ListOpenIDConnectProviders',
      'ListUsers',
      'ListGroups',
    ] as const) {
      assert.deepEqual(await h.authorize(operation), [{ action: `iam:${operation}`, resource: '*' }]);
    }
  });

  it('the service serves exactly the operations of IamOperationName', () => {
    assert.equal(Object.keys(h.service.operations).length, 69);
    assert.equal(h.service.protocol, 'awsQuery');
    assert.equal(h.service.xmlns, 'https://iam.amazonaws.com/doc/2010-05-08/');
    assert.equal(h.service.version, '2010-05-08');
  });
});
