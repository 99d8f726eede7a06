/**
 * IamStore as the rest of the cloud uses it: state survives closing and reopening the
 * database, migrations run once, and the hot-path reads answer what STS and the authorizer need.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityPolicySource } from '../../../src/auth/authorizer.js';
import { IamStore } from '../../../src/services/iam/index.js';
import type { StsRoleSource } from '../../../src/trust/role-source.js';
import {
  ACCOUNT,
  ECS_FULL_ACCESS,
  S3_READ,
  SEED_TRUST_POLICY,
  START,
  TASK_EXECUTION,
  createGithubProvider,
  createHarness,
  createTaskRole,
  type IamHarness,
} from './fixtures.js';

let h: IamHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

describe('persistence', () => {
  it('keeps roles, policies, versions, attachments and providers across reopening', async () => {
    await createGithubProvider(h);
    await h.call('CreateRole', {
      RoleName: 'deploy',
      Path: '/ci/',
      AssumeRolePolicyDocument: SEED_TRUST_POLICY,
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    await h.call('PutRolePolicy', { RoleName: 'deploy', PolicyName: 'inline', PolicyDocument: S3_READ });
    await h.call('CreatePolicy', { PolicyName: 'mine', PolicyDocument: S3_READ, Description: 'd' });
    const mine = `arn:aws:iam::${ACCOUNT}:policy/mine`;
    await h.call('CreatePolicyVersion', { PolicyArn: mine, PolicyDocument: S3_READ, SetAsDefault: true });
    await h.call('AttachRolePolicy', { RoleName: 'deploy', PolicyArn: ECS_FULL_ACCESS });
    await h.call('AttachRolePolicy', { RoleName: 'deploy', PolicyArn: mine });
    const before = h.store.getRole('deploy');

    h = h.reopen();
    assert.deepEqual(h.store.getRole('deploy'), before);
    assert.deepEqual(before?.tags, [{ key: 'k', value: 'v' }]);
    assert.deepEqual(
      h.store.rolePolicyDocuments('deploy').map((d) => d.source),
      ['inline:inline', ECS_FULL_ACCESS, mine],
    );
    const policy = await h.call<{ Policy: { DefaultVersionId: string; Description: string; AttachmentCount: number } }>(
      'GetPolicy',
      { PolicyArn: mine },
    );
    assert.deepEqual(
      [policy.Policy.DefaultVersionId, policy.Policy.Description, policy.Policy.AttachmentCount],
      ['v2', 'd', 1],
    );
    const provider = h.store.getOpenIdConnectProviderByUrl('token.actions.githubusercontent.com');
    assert.deepEqual(provider?.createDate, START);
    // The version counter survives too: the next version is v3.
    const { PolicyVersion } = await h.call<{ PolicyVersion: { VersionId: string } }>('CreatePolicyVersion', {
      PolicyArn: mine,
      PolicyDocument: S3_READ,
    });
    assert.equal(PolicyVersion.VersionId, 'v3');
  });

  it('migrates a database once and reuses it', () => {
    const again = new IamStore(h.db, ACCOUNT, h.clock);
    assert.equal(again.getRole('none'), undefined);
    const row = h.db.prepare("SELECT version FROM schema_versions WHERE module = 'iam'").get() as { version: number };
    assert.equal(row.version, 2);
  });
});

describe('hot-path reads', () => {
  it('IamStore is what STS and the authorizer take (checked by the compiler)', () => {
    const sts: StsRoleSource = h.store;
    const authorizer: IdentityPolicySource = h.store;
    assert.equal(
      sts.managedPolicyDefaultDocument(ECS_FULL_ACCESS),
      authorizer.managedPolicyDefaultDocument(ECS_FULL_ACCESS),
    );
  });

  it('getRole is case-insensitive; getRoleByArn needs the exact ARN with path', async () => {
    await createTaskRole(h, 'TaskRole', { Path: '/svc/', Description: 'x', MaxSessionDuration: 7200 });
    const role = h.store.getRole('taskrole');
    assert.ok(role);
    assert.deepEqual(
      { ...role, roleId: 'id' },
      {
        roleName: 'TaskRole',
        roleId: 'id',
        arn: `arn:aws:iam::${ACCOUNT}:role/svc/TaskRole`,
        path: '/svc/',
        assumeRolePolicyDocument: role.assumeRolePolicyDocument,
        maxSessionDuration: 7200,
        createDate: START,
        description: 'x',
        tags: [],
      },
    );
    assert.equal(h.store.getRoleByArn(`arn:aws:iam::${ACCOUNT}:role/svc/TaskRole`)?.roleId, role.roleId);
    assert.equal(h.store.getRoleByArn(`arn:aws:iam::${ACCOUNT}:role/TaskRole`), undefined);
  });

  it('managedPolicyDefaultDocument covers AWS-managed and own policies', async () => {
    assert.match(h.store.managedPolicyDefaultDocument(TASK_EXECUTION) ?? '', /"ecr:GetAuthorizationToken"/);
    assert.equal(h.store.managedPolicyDefaultDocument('arn:aws:iam::aws:policy/AdministratorAccess'), undefined);
    await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: S3_READ });
    assert.equal(h.store.managedPolicyDefaultDocument(`arn:aws:iam::${ACCOUNT}:policy/p`), S3_READ);
  });

  it('rolePermissionsBoundary reports the boundary only for roles that have one', async () => {
    await createTaskRole(h, 'plain');
    await createTaskRole(h, 'bounded', { PermissionsBoundary: ECS_FULL_ACCESS });
    assert.equal(h.store.rolePermissionsBoundary('plain'), undefined);
    assert.equal(h.store.rolePermissionsBoundary('bounded'), ECS_FULL_ACCESS);
    assert.equal(h.store.rolePermissionsBoundary('ghost'), undefined);
  });
});
