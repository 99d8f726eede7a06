/**
 * Managed policies and their versions: the account's own (full lifecycle) and AWS's (published
 * documents, read-only), with listing, usage counts and AWS's conflicts and limits.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../../src/policy/index.js';
import { AWS_MANAGED_POLICIES } from '../../../src/services/iam/aws-managed-policies.js';
import type { PolicyOutput, PolicyVersionOutput } from '../../../src/services/iam/outputs.js';
import {
  ACCOUNT,
  ECR_FULL_ACCESS,
  ECS_FULL_ACCESS,
  S3_READ,
  START,
  TASK_EXECUTION,
  createHarness,
  createTaskRole,
  rejectsWith,
  type IamHarness,
} from './fixtures.js';

let h: IamHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const ARN = `arn:aws:iam::${ACCOUNT}:policy/ci/deploy`;
const createDeploy = (extra: Record<string, unknown> = {}) =>
  h.call<{ Policy: PolicyOutput }>('CreatePolicy', {
    PolicyName: 'deploy',
    Path: '/ci/',
    PolicyDocument: S3_READ,
    ...extra,
  });
const getPolicy = async (arn: string): Promise<PolicyOutput> =>
  (await h.call<{ Policy: PolicyOutput }>('GetPolicy', { PolicyArn: arn })).Policy;
const versionIds = async (arn: string): Promise<string[]> =>
  (await h.call<{ Versions: PolicyVersionOutput[] }>('ListPolicyVersions', { PolicyArn: arn })).Versions.map(
    (v) => v.VersionId,
  );

describe('CreatePolicy and GetPolicy', () => {
  it('creates v1 with an ANPA id; GetPolicy adds Description and Tags', async () => {
    const { Policy } = await createDeploy({ Description: 'deploys', Tags: [{ Key: 'team', Value: 'ci' }] });
    assert.equal(Policy.Arn, ARN);
    assert.match(Policy.PolicyId, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(Policy.DefaultVersionId, 'v1');
    assert.equal(Policy.Description, undefined);
    assert.deepEqual(Policy.CreateDate, START);
    assert.deepEqual(Policy.UpdateDate, START);
    const got = await getPolicy(ARN);
    assert.deepEqual(got, {
      PolicyName: 'deploy',
      PolicyId: Policy.PolicyId,
      Arn: ARN,
      Path: '/ci/',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: 'deploys',
      CreateDate: START,
      UpdateDate: START,
      Tags: [{ Key: 'team', Value: 'ci' }],
    });
  });

  it('refuses a duplicate name, whatever its path or case', async () => {
    await createDeploy();
    await rejectsWith(
      h.call('CreatePolicy', { PolicyName: 'DEPLOY', PolicyDocument: S3_READ }),
      'EntityAlreadyExists',
      'A policy called DEPLOY already exists. Duplicate names are not allowed.',
      409,
    );
  });

  it('validates documents as managed policies', async () => {
    await rejectsWith(
      createDeploy({ PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }),
      'MalformedPolicyDocument',
      'Policy document must be version 2012-10-17 or greater.',
    );
    await rejectsWith(createDeploy({ PolicyDocument: 'nope' }), 'MalformedPolicyDocument', 'Syntax errors in policy.');
    await rejectsWith(
      createDeploy({ PolicyDocument: 'é€' }),
      'ValidationError',
      /at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });

  it('limits a version to 6,144 characters, white space not counted', async () => {
    const resources = Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`);
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }],
    });
    assert.ok(big.length > 6144);
    await rejectsWith(
      createDeploy({ PolicyDocument: big }),
      'LimitExceeded',
      'Cannot exceed quota for PolicySize: 6144',
      409,
    );
  });

  it('answers NoSuchEntity or InvalidInput for ARNs that name nothing', async () => {
    await rejectsWith(
      getPolicy(`arn:aws:iam::${ACCOUNT}:policy/none`),
      'NoSuchEntity',
      `Policy arn:aws:iam::${ACCOUNT}:policy/none was not found.`,
      404,
    );
    await rejectsWith(getPolicy('arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy'), 'NoSuchEntity');
    await rejectsWith(
      getPolicy('arn:aws:s3:::not-a-policy-arn'),
      'InvalidInput',
      'ARN arn:aws:s3:::not-a-policy-arn is not valid.',
    );
  });
});

describe('policy versions', () => {
  it('creates, lists newest first, switches the default and reads documents URL-encoded', async () => {
    await createDeploy();
    h.clock.advance(60_000);
    const v2doc = S3_READ.replace('s3:GetObject', 's3:PutObject');
    const { PolicyVersion } = await h.call<{ PolicyVersion: PolicyVersionOutput }>('CreatePolicyVersion', {
      PolicyArn: ARN,
      PolicyDocument: v2doc,
    });
    assert.deepEqual(PolicyVersion, {
      VersionId: 'v2',
      IsDefaultVersion: false,
      CreateDate: new Date(START.getTime() + 60_000),
    });
    assert.deepEqual(await versionIds(ARN), ['v2', 'v1']);
    assert.equal(h.store.managedPolicyDefaultDocument(ARN), S3_READ);
    await h.call('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v2' });
    assert.equal(h.store.managedPolicyDefaultDocument(ARN), v2doc);
    const got = await h.call<{ PolicyVersion: PolicyVersionOutput }>('GetPolicyVersion', {
      PolicyArn: ARN,
      VersionId: 'v2',
    });
    assert.deepEqual(got.PolicyVersion, {
      Document: encodeURIComponent(v2doc),
      VersionId: 'v2',
      IsDefaultVersion: true,
      CreateDate: new Date(START.getTime() + 60_000),
    });
    const policy = await getPolicy(ARN);
    assert.equal(policy.DefaultVersionId, 'v2');
    assert.deepEqual(policy.UpdateDate, new Date(START.getTime() + 60_000));
  });

  it('keeps at most five versions and never reuses a version id', async () => {
    await createDeploy();
    for (let i = 2; i <= 5; i++) await h.call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: S3_READ });
    await rejectsWith(
      h.call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: S3_READ }),
      'LimitExceeded',
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
      409,
    );
    await h.call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v3' });
    const { PolicyVersion } = await h.call<{ PolicyVersion: PolicyVersionOutput }>('CreatePolicyVersion', {
      PolicyArn: ARN,
      PolicyDocument: S3_READ,
      SetAsDefault: true,
    });
    assert.equal(PolicyVersion.VersionId, 'v6');
    assert.deepEqual(await versionIds(ARN), ['v6', 'v5', 'v4', 'v2', 'v1']);
    const page = await h.call<{ Versions: PolicyVersionOutput[]; IsTruncated: boolean; Marker?: string }>(
      'ListPolicyVersions',
      { PolicyArn: ARN, MaxItems: 3 },
    );
    assert.deepEqual(
      page.Versions.map((v) => v.VersionId),
      ['v6', 'v5', 'v4'],
    );
    const rest = await h.call<{ Versions: PolicyVersionOutput[] }>('ListPolicyVersions', {
      PolicyArn: ARN,
      Marker: page.Marker,
    });
    assert.deepEqual(
      rest.Versions.map((v) => v.VersionId),
      ['v2', 'v1'],
    );
  });

  it('refuses to delete the default version, and names missing versions', async () => {
    await createDeploy();
    await rejectsWith(
      h.call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }),
      'DeleteConflict',
      'Cannot delete the default version of a policy.',
      409,
    );
    await rejectsWith(
      h.call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v9' }),
      'NoSuchEntity',
      `Policy ${ARN} version v9 does not exist or is not attachable.`,
      404,
    );
    await rejectsWith(h.call('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v2' }), 'NoSuchEntity');
    await rejectsWith(
      h.call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'version1' }),
      'ValidationError',
      "1 validation error detected: Value 'version1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
    );
  });
});

describe('DeletePolicy', () => {
  it('refuses while attached or used as a boundary, and while it has other versions', async () => {
    await createDeploy();
    await createTaskRole(h, 'r');
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ARN });
    await rejectsWith(
      h.call('DeletePolicy', { PolicyArn: ARN }),
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
      409,
    );
    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: ARN });
    await createTaskRole(h, 'bounded', { PermissionsBoundary: ARN });
    assert.equal((await getPolicy(ARN)).PermissionsBoundaryUsageCount, 1);
    await rejectsWith(
      h.call('DeletePolicy', { PolicyArn: ARN }),
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
    );
    await h.call('DeleteRole', { RoleName: 'bounded' });
    await h.call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: S3_READ });
    await rejectsWith(
      h.call('DeletePolicy', { PolicyArn: ARN }),
      'DeleteConflict',
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    await h.call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' });
    await h.call('DeletePolicy', { PolicyArn: ARN });
    await rejectsWith(getPolicy(ARN), 'NoSuchEntity');
    assert.equal(h.store.managedPolicyDefaultDocument(ARN), undefined);
    // The name is free again.
    await createDeploy();
  });
});

describe('AWS-managed policies', () => {
  it('are published with AWS’s ids, versions, dates and paths', async () => {
    const ecs = await getPolicy(ECS_FULL_ACCESS);
    assert.equal(ecs.PolicyId, 'ANPAJ7S7AN6YQPTJC7IFS');
    assert.equal(ecs.DefaultVersionId, 'v21');
    assert.deepEqual(ecs.CreateDate, new Date('2017-11-07T21:36:54Z'));
    assert.deepEqual(ecs.UpdateDate, new Date('2024-08-13T19:39:37Z'));
    assert.match(ecs.Description ?? '', /^Provides administrative access to Amazon ECS resources/);
    const exec = await getPolicy(TASK_EXECUTION);
    assert.equal(exec.Path, '/service-role/');
    assert.equal(exec.DefaultVersionId, 'v1');
    const { PolicyVersion } = await h.call<{ PolicyVersion: PolicyVersionOutput }>('GetPolicyVersion', {
      PolicyArn: ECR_FULL_ACCESS,
      VersionId: 'v3',
    });
    assert.equal(PolicyVersion.IsDefaultVersion, true);
    assert.deepEqual(PolicyVersion.CreateDate, new Date('2020-12-05T00:04:19Z'));
    assert.match(decodeURIComponent(PolicyVersion.Document ?? ''), /"replication\.ecr\.amazonaws\.com"/);
    await rejectsWith(h.call('GetPolicyVersion', { PolicyArn: ECR_FULL_ACCESS, VersionId: 'v2' }), 'NoSuchEntity');
  });

  it('all parse as valid managed policies', () => {
    for (const policy of AWS_MANAGED_POLICIES) {
      assert.doesNotThrow(() => parsePolicy(policy.document, 'identity', { managed: true }), policy.policyName);
    }
  });

  it('are read-only', async () => {
    const denied = (p: Promise<unknown>) => rejectsWith(p, 'AccessDenied', 'Policy is outside your own account.', 403);
    await denied(h.call('CreatePolicyVersion', { PolicyArn: ECS_FULL_ACCESS, PolicyDocument: S3_READ }));
    await denied(h.call('SetDefaultPolicyVersion', { PolicyArn: ECS_FULL_ACCESS, VersionId: 'v21' }));
    await denied(h.call('DeletePolicyVersion', { PolicyArn: ECS_FULL_ACCESS, VersionId: 'v21' }));
    await denied(h.call('DeletePolicy', { PolicyArn: ECS_FULL_ACCESS }));
  });
});

describe('ListPolicies', () => {
  it('filters by scope, path, attachment and usage, in creation order as AWS lists them', async () => {
    await createDeploy();
    await h.call('CreatePolicy', { PolicyName: 'AAA', PolicyDocument: S3_READ });
    await createTaskRole(h, 'r', { PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/AAA` });
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ECS_FULL_ACCESS });
    const names = async (input: Record<string, unknown>) =>
      (await h.call<{ Policies: PolicyOutput[] }>('ListPolicies', input)).Policies.map((p) => p.PolicyName);
    assert.deepEqual(await names({ Scope: 'Local' }), ['deploy', 'AAA']);
    assert.deepEqual(await names({ Scope: 'AWS' }), [
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEC2ContainerRegistryPowerUser',
      'AmazonEC2ContainerRegistryFullAccess',
      'AmazonECS_FullAccess',
      'AmazonECSTaskExecutionRolePolicy',
    ]);
    assert.equal((await names({})).length, 7);
    assert.deepEqual(await names({ OnlyAttached: true }), ['AmazonECS_FullAccess', 'AAA']);
    assert.deepEqual(await names({ PolicyUsageFilter: 'PermissionsBoundary' }), ['AAA']);
    assert.deepEqual(await names({ PathPrefix: '/ci/' }), ['deploy']);
    const listed = (await h.call<{ Policies: PolicyOutput[] }>('ListPolicies', { Scope: 'Local', PathPrefix: '/ci/' }))
      .Policies[0];
    assert.ok(listed);
    assert.equal('Description' in listed, false);
    await rejectsWith(
      h.call('ListPolicies', { Scope: 'Mine' }),
      'ValidationError',
      "1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]",
    );
  });

  it('pages', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await h.call<{ Policies: PolicyOutput[]; Marker?: string }>('ListPolicies', {
        MaxItems: 2,
        Marker: marker,
      });
      seen.push(...page.Policies.map((p) => p.PolicyName));
      marker = page.Marker;
    } while (marker);
    assert.equal(seen.length, 5);
  });
});

describe('ListEntitiesForPolicy', () => {
  it('lists the roles using a policy, by filter', async () => {
    await createDeploy();
    await createTaskRole(h, 'attached');
    await createTaskRole(h, 'bounded', { PermissionsBoundary: ARN });
    await h.call('AttachRolePolicy', { RoleName: 'attached', PolicyArn: ARN });
    const roles = async (input: Record<string, unknown>) =>
      (
        await h.call<{ PolicyRoles: { RoleName: string }[]; PolicyUsers: unknown[]; PolicyGroups: unknown[] }>(
          'ListEntitiesForPolicy',
          { PolicyArn: ARN, ...input },
        )
      ).PolicyRoles.map((r) => r.RoleName);
    assert.deepEqual(await roles({}), ['attached', 'bounded']);
    assert.deepEqual(await roles({ PolicyUsageFilter: 'PermissionsPolicy' }), ['attached']);
    assert.deepEqual(await roles({ PolicyUsageFilter: 'PermissionsBoundary' }), ['bounded']);
    assert.deepEqual(await roles({ EntityFilter: 'User' }), []);
    await rejectsWith(
      h.call('ListEntitiesForPolicy', { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/none` }),
      'NoSuchEntity',
    );
  });
});
