/**
 * Inline role policies (Put/Get/List/DeleteRolePolicy) and managed-policy attachments
 * (Attach/Detach/ListAttachedRolePolicies): happy paths, errors, quotas.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT,
  ECR_FULL_ACCESS,
  ECS_FULL_ACCESS,
  S3_READ,
  TASK_EXECUTION,
  createHarness,
  createTaskRole,
  rejectsWith,
  type IamHarness,
} from './fixtures.js';

let h: IamHarness;
beforeEach(async () => {
  h = createHarness();
  await createTaskRole(h, 'app');
});
afterEach(() => h.dispose());

/** An identity policy whose size (white space not counted) is exactly `size` characters. */
function policyOfSize(size: number): string {
  const base =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::"}]}';
  const padding = size - base.length;
  assert.ok(padding >= 0);
  return base.replace('arn:aws:s3:::', `arn:aws:s3:::${'b'.repeat(padding)}`);
}

describe('inline role policies', () => {
  it('puts, gets (URL-encoded), lists and deletes', async () => {
    const pretty = JSON.stringify(JSON.parse(S3_READ), null, 2);
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'read', PolicyDocument: pretty });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'Extra', PolicyDocument: S3_READ });
    const got = await h.call<{ RoleName: string; PolicyName: string; PolicyDocument: string }>('GetRolePolicy', {
      RoleName: 'APP',
      PolicyName: 'read',
    });
    assert.deepEqual(got, { RoleName: 'app', PolicyName: 'read', PolicyDocument: encodeURIComponent(pretty) });
    assert.match(got.PolicyDocument, /^%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22/);
    assert.deepEqual(await h.call('ListRolePolicies', { RoleName: 'app' }), {
      PolicyNames: ['Extra', 'read'],
      IsTruncated: false,
      Marker: undefined,
    });
    await h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'READ' });
    assert.deepEqual(await h.call('ListRolePolicies', { RoleName: 'app' }), {
      PolicyNames: ['Extra'],
      IsTruncated: false,
      Marker: undefined,
    });
  });

  it('replaces a policy put again under the same name', async () => {
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: S3_READ });
    const other = S3_READ.replace('s3:GetObject', 's3:PutObject');
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: other });
    assert.deepEqual(h.store.rolePolicyDocuments('app'), [{ source: 'inline:p', document: other }]);
  });

  it('answers NoSuchEntity for a missing role or policy', async () => {
    await rejectsWith(
      h.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'none' }),
      'NoSuchEntity',
      'The role policy with name none cannot be found.',
      404,
    );
    await rejectsWith(
      h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'none' }),
      'NoSuchEntity',
      'The role policy with name none cannot be found.',
    );
    await rejectsWith(
      h.call('PutRolePolicy', { RoleName: 'ghost', PolicyName: 'p', PolicyDocument: S3_READ }),
      'NoSuchEntity',
      'The role with name ghost cannot be found.',
    );
    await rejectsWith(h.call('ListRolePolicies', { RoleName: 'ghost' }), 'NoSuchEntity');
  });

  it('validates documents with the identity validator', async () => {
    await rejectsWith(
      h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: '{' }),
      'MalformedPolicyDocument',
      'Syntax errors in policy.',
      400,
    );
    await rejectsWith(
      h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'bad name', PolicyDocument: S3_READ }),
      'ValidationError',
      /at 'policyName'/,
    );
  });

  it('holds all inline policies of a role to 10,240 characters together', async () => {
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'a', PolicyDocument: policyOfSize(6000) });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'b', PolicyDocument: policyOfSize(4240) });
    await rejectsWith(
      h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'c', PolicyDocument: S3_READ }),
      'LimitExceeded',
      'Maximum policy size of 10240 bytes exceeded for role app',
      409,
    );
    // Replacing a policy counts its new size, not old + new.
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'b', PolicyDocument: policyOfSize(4000) });
  });
});

describe('managed policy attachments', () => {
  it('attaches once, lists with PathPrefix, detaches', async () => {
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: TASK_EXECUTION });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: TASK_EXECUTION });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: ECS_FULL_ACCESS });
    const all = await h.call<{ AttachedPolicies: { PolicyArn: string }[] }>('ListAttachedRolePolicies', {
      RoleName: 'app',
    });
    assert.deepEqual(
      all.AttachedPolicies.map((p) => p.PolicyArn),
      [ECS_FULL_ACCESS, TASK_EXECUTION],
    );
    const serviceRole = await h.call('ListAttachedRolePolicies', { RoleName: 'app', PathPrefix: '/service-role/' });
    assert.deepEqual(serviceRole, {
      AttachedPolicies: [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: TASK_EXECUTION }],
      IsTruncated: false,
      Marker: undefined,
    });
    await h.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: TASK_EXECUTION });
    assert.deepEqual(
      h.store.rolePolicyDocuments('app').map((d) => d.source),
      [ECS_FULL_ACCESS],
    );
  });

  it('answers AWS’s errors for missing, unattachable and malformed policy ARNs', async () => {
    const missing = 'arn:aws:iam::aws:policy/AmazonECS_FullAccessX';
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: missing }),
      'NoSuchEntity',
      `Policy ${missing} does not exist or is not attachable.`,
      404,
    );
    const otherAccount = 'arn:aws:iam::999999999999:policy/theirs';
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: otherAccount }),
      'NoSuchEntity',
      `Policy ${otherAccount} does not exist or is not attachable.`,
    );
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'not-an-arn-but-long-enough' }),
      'InvalidInput',
      'ARN not-an-arn-but-long-enough is not valid.',
      400,
    );
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: 'short' }),
      'ValidationError',
      /at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20/,
    );
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'ghost', PolicyArn: ECS_FULL_ACCESS }),
      'NoSuchEntity',
      'The role with name ghost cannot be found.',
    );
    await rejectsWith(
      h.call('DetachRolePolicy', { RoleName: 'app', PolicyArn: ECR_FULL_ACCESS }),
      'NoSuchEntity',
      `Policy ${ECR_FULL_ACCESS} was not found.`,
      404,
    );
  });

  it('limits a role to 10 managed policies', async () => {
    for (let i = 0; i < 10; i++) {
      await h.call('CreatePolicy', { PolicyName: `p${i}`, PolicyDocument: S3_READ });
      await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` });
    }
    await rejectsWith(
      h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: ECS_FULL_ACCESS }),
      'LimitExceeded',
      'Cannot exceed quota for PoliciesPerRole: 10',
      409,
    );
    // Re-attaching one already attached is still fine.
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p3` });
    const page = await h.call<{ AttachedPolicies: unknown[]; IsTruncated: boolean; Marker?: string }>(
      'ListAttachedRolePolicies',
      { RoleName: 'app', MaxItems: 6 },
    );
    assert.equal(page.AttachedPolicies.length, 6);
    assert.equal(page.IsTruncated, true);
    const rest = await h.call<{ AttachedPolicies: unknown[]; IsTruncated: boolean }>('ListAttachedRolePolicies', {
      RoleName: 'app',
      Marker: page.Marker,
    });
    assert.equal(rest.AttachedPolicies.length, 4);
    assert.equal(rest.IsTruncated, false);
  });
});

describe('rolePolicyDocuments', () => {
  it('returns inline policies by name, then attached default versions in attach order', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/custom`;
    await h.call('CreatePolicy', { PolicyName: 'custom', PolicyDocument: S3_READ });
    const v2 = S3_READ.replace('s3:GetObject', 's3:ListBucket');
    await h.call('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: v2, SetAsDefault: true });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: TASK_EXECUTION });
    await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'zeta', PolicyDocument: S3_READ });
    await h.call('PutRolePolicy', { RoleName: 'app', PolicyName: 'alpha', PolicyDocument: S3_READ });
    const docs = h.store.rolePolicyDocuments('App');
    assert.deepEqual(
      docs.map((d) => d.source),
      ['inline:alpha', 'inline:zeta', TASK_EXECUTION, arn],
    );
    assert.equal(docs[3]?.document, v2);
    assert.match(docs[2]?.document ?? '', /"logs:PutLogEvents"/);
    assert.deepEqual(h.store.rolePolicyDocuments('ghost'), []);
  });
});
