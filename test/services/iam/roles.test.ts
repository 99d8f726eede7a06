/**
 * Role operations: create/get/list/update/delete and tagging, with AWS's validation messages,
 * conflicts and limits.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleOutput, TagOutput } from '../../../src/services/iam/outputs.js';
import {
  ACCOUNT,
  ECS_FULL_ACCESS,
  ECS_TASKS_TRUST,
  S3_READ,
  SEED_TRUST_POLICY,
  START,
  createGithubProvider,
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

const getRole = async (roleName: string): Promise<RoleOutput> =>
  (await h.call<{ Role: RoleOutput }>('GetRole', { RoleName: roleName })).Role;

describe('CreateRole', () => {
  it('answers with the new role (no MaxSessionDuration or RoleLastUsed, as AWS)', async () => {
    const { Role } = await h.call<{ Role: RoleOutput }>('CreateRole', {
      RoleName: 'deployer',
      Path: '/ci/github/',
      AssumeRolePolicyDocument: ECS_TASKS_TRUST,
      MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'platform' }],
    });
    assert.deepEqual(Object.keys(Role), [
      'Path',
      'RoleName',
      'RoleId',
      'Arn',
      'CreateDate',
      'AssumeRolePolicyDocument',
      'Tags',
    ]);
    assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/ci/github/deployer`);
    assert.deepEqual(Role.CreateDate, START);
    assert.deepEqual(Role.Tags, [{ Key: 'team', Value: 'platform' }]);
    const got = await getRole('deployer');
    assert.equal(got.MaxSessionDuration, 7200);
    assert.deepEqual(got.RoleLastUsed, {});
  });

  it('takes its create date from the clock, to the second', async () => {
    h.clock.set(new Date('2026-03-02T08:09:10.987Z'));
    await createTaskRole(h, 'r');
    assert.deepEqual((await getRole('r')).CreateDate, new Date('2026-03-02T08:09:10.000Z'));
  });

  it('refuses a name taken in any letter case', async () => {
    await createTaskRole(h, 'Deployer');
    await rejectsWith(
      createTaskRole(h, 'deployer'),
      'EntityAlreadyExists',
      'Role with name deployer already exists.',
      409,
    );
  });

  it('reports every invalid member in one ValidationError', async () => {
    await rejectsWith(
      h.call('CreateRole', { RoleName: 'bad name', Path: 'nopath', MaxSessionDuration: 60 }),
      'ValidationError',
      '4 validation errors detected: ' +
        "Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value 'nopath' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); " +
        "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null; " +
        "Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
  });

  it('limits names to 64 characters and sessions to 12 hours', async () => {
    await rejectsWith(
      createTaskRole(h, 'r'.repeat(65)),
      'ValidationError',
      /at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64$/,
    );
    await rejectsWith(
      createTaskRole(h, 'r', { MaxSessionDuration: 43201 }),
      'ValidationError',
      "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
    );
  });

  it('checks tags: pattern, count, and keys distinct case-insensitively', async () => {
    await rejectsWith(
      createTaskRole(h, 'r', { Tags: [{ Key: 'a!', Value: 'x' }] }),
      'ValidationError',
      /Value 'a!' at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\p\{L\}\\p\{Z\}\\p\{N\}_\.:\/=\+\\-@\]\+/,
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(
      createTaskRole(h, 'r', { Tags: many }),
      'ValidationError',
      /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/,
    );
    await rejectsWith(
      createTaskRole(h, 'r', {
        Tags: [
          { Key: 'Team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
      }),
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      400,
    );
  });

  it('validates the trust policy with the trust validator', async () => {
    await rejectsWith(
      createTaskRole(h, 'r', { AssumeRolePolicyDocument: '{not json' }),
      'MalformedPolicyDocument',
      'This policy contains invalid Json',
      400,
    );
    await rejectsWith(
      createTaskRole(h, 'r', { AssumeRolePolicyDocument: S3_READ }),
      'MalformedPolicyDocument',
      /Resource|Principal/,
    );
  });

  it('refuses a trust policy naming a role of this account that does not exist', async () => {
    const ghost = `arn:aws:iam::${ACCOUNT}:role/ghost`;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ghost }, Action: 'sts:AssumeRole' }],
    });
    await rejectsWith(
      createTaskRole(h, 'r', { AssumeRolePolicyDocument: trust }),
      'MalformedPolicyDocument',
      `Invalid principal in policy: "AWS":"${ghost}"`,
    );
    await createTaskRole(h, 'ghost');
    await createTaskRole(h, 'r', { AssumeRolePolicyDocument: trust });
  });

  it('refuses a trust policy federating through an OIDC provider that does not exist', async () => {
    await rejectsWith(
      createTaskRole(h, 'r', { AssumeRolePolicyDocument: SEED_TRUST_POLICY }),
      'MalformedPolicyDocument',
      'Federated principals must be valid domain names or SAML metadata ARNs',
      400,
    );
    await createGithubProvider(h);
    await createTaskRole(h, 'r', { AssumeRolePolicyDocument: SEED_TRUST_POLICY });
  });

  it('limits the trust policy to 2048 characters, white space not counted', async () => {
    const statement = (i: number) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const fits = JSON.stringify(
      { Version: '2012-10-17', Statement: Array.from({ length: 17 }, (_, i) => statement(i)) },
      null,
      8,
    );
    assert.ok(fits.length > 2048 && fits.replace(/\s/g, '').length <= 2048);
    await createTaskRole(h, 'fits', { AssumeRolePolicyDocument: fits });
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: Array.from({ length: 40 }, (_, i) => statement(i)),
    });
    await rejectsWith(
      createTaskRole(h, 'big', { AssumeRolePolicyDocument: big }),
      'LimitExceeded',
      'Cannot exceed quota for ACLSizePerRole: 2048',
      409,
    );
  });

  it('stores a permissions boundary that names an existing policy', async () => {
    await createTaskRole(h, 'bounded', { PermissionsBoundary: ECS_FULL_ACCESS });
    assert.deepEqual((await getRole('bounded')).PermissionsBoundary, {
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: ECS_FULL_ACCESS,
    });
    assert.equal(h.store.rolePermissionsBoundary('bounded'), ECS_FULL_ACCESS);
    const missing = `arn:aws:iam::${ACCOUNT}:policy/nope`;
    await rejectsWith(
      createTaskRole(h, 'r', { PermissionsBoundary: missing }),
      'NoSuchEntity',
      `Scope ARN: ${missing} does not exist or is not attachable.`,
      404,
    );
  });
});

describe('GetRole', () => {
  it('finds roles case-insensitively and answers NoSuchEntity otherwise', async () => {
    await createTaskRole(h, 'Deployer');
    assert.equal((await getRole('DEPLOYER')).RoleName, 'Deployer');
    await rejectsWith(getRole('nobody'), 'NoSuchEntity', 'The role with name nobody cannot be found.', 404);
  });
});

describe('ListRoles', () => {
  it('lists by name, filters by path prefix, and leaves out Tags and RoleLastUsed', async () => {
    await createTaskRole(h, 'b', { Path: '/app/', Tags: [{ Key: 'k', Value: 'v' }] });
    await createTaskRole(h, 'A', { Description: 'first' });
    await createTaskRole(h, 'c', { Path: '/app/x/' });
    const all = await h.call<{ Roles: RoleOutput[]; IsTruncated: boolean }>('ListRoles');
    assert.deepEqual(
      all.Roles.map((r) => r.RoleName),
      ['A', 'b', 'c'],
    );
    assert.equal(all.IsTruncated, false);
    const b = all.Roles[1] as RoleOutput;
    assert.deepEqual(Object.keys(b), [
      'Path',
      'RoleName',
      'RoleId',
      'Arn',
      'CreateDate',
      'AssumeRolePolicyDocument',
      'MaxSessionDuration',
    ]);
    assert.equal(all.Roles[0]?.Description, 'first');
    const app = await h.call<{ Roles: RoleOutput[] }>('ListRoles', { PathPrefix: '/app/' });
    assert.deepEqual(
      app.Roles.map((r) => r.RoleName),
      ['b', 'c'],
    );
  });

  it('pages with Marker and MaxItems', async () => {
    for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) await createTaskRole(h, name);
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await h.call<{ Roles: RoleOutput[]; IsTruncated: boolean; Marker?: string }>('ListRoles', {
        MaxItems: 2,
        Marker: marker,
      });
      names.push(...page.Roles.map((r) => r.RoleName));
      assert.equal(page.IsTruncated, page.Marker !== undefined);
      marker = page.Marker;
      pages++;
    } while (marker);
    assert.deepEqual(names, ['r1', 'r2', 'r3', 'r4', 'r5']);
    assert.equal(pages, 3);
    await rejectsWith(
      h.call('ListRoles', { MaxItems: 0 }),
      'ValidationError',
      /Member must have value greater than or equal to 1/,
    );
    await rejectsWith(h.call('ListRoles', { Marker: 'garbage' }), 'ValidationError', 'Invalid Marker.');
  });
});

describe('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', () => {
  it('updates the description and session duration', async () => {
    await createTaskRole(h, 'r', { Description: 'old' });
    await h.call('UpdateRole', { RoleName: 'r', MaxSessionDuration: 14400 });
    let role = await getRole('r');
    assert.equal(role.MaxSessionDuration, 14400);
    assert.equal(role.Description, 'old');
    await h.call('UpdateRole', { RoleName: 'r', Description: 'new' });
    assert.equal((await getRole('r')).Description, 'new');
    const { Role } = await h.call<{ Role: RoleOutput }>('UpdateRoleDescription', {
      RoleName: 'r',
      Description: 'newer',
    });
    assert.equal(Role.Description, 'newer');
    role = await getRole('r');
    assert.equal(role.Description, 'newer');
    assert.equal(role.MaxSessionDuration, 14400);
    await rejectsWith(
      h.call('UpdateRole', { RoleName: 'x', MaxSessionDuration: 3600 }),
      'NoSuchEntity',
      'The role with name x cannot be found.',
    );
    await rejectsWith(
      h.call('UpdateRoleDescription', { RoleName: 'r' }),
      'ValidationError',
      /Value null at 'description'/,
    );
  });

  it('replaces the trust policy after validating it', async () => {
    await createTaskRole(h, 'r');
    const trust =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    await h.call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: trust });
    assert.equal(h.store.getRole('r')?.assumeRolePolicyDocument, trust);
    await rejectsWith(
      h.call('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: '[' }),
      'MalformedPolicyDocument',
    );
    await rejectsWith(h.call('UpdateAssumeRolePolicy', { RoleName: 'nope', PolicyDocument: trust }), 'NoSuchEntity');
  });
});

describe('DeleteRole', () => {
  it('refuses while managed policies are attached, then while inline policies exist', async () => {
    await createTaskRole(h, 'r');
    await h.call('AttachRolePolicy', { RoleName: 'r', PolicyArn: ECS_FULL_ACCESS });
    await h.call('PutRolePolicy', { RoleName: 'r', PolicyName: 'inline', PolicyDocument: S3_READ });
    await rejectsWith(
      h.call('DeleteRole', { RoleName: 'r' }),
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
      409,
    );
    await h.call('DetachRolePolicy', { RoleName: 'r', PolicyArn: ECS_FULL_ACCESS });
    await rejectsWith(
      h.call('DeleteRole', { RoleName: 'r' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
      409,
    );
    await h.call('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'inline' });
    await h.call('DeleteRole', { RoleName: 'r' });
    assert.equal(h.store.getRole('r'), undefined);
    await rejectsWith(h.call('DeleteRole', { RoleName: 'r' }), 'NoSuchEntity', 'The role with name r cannot be found.');
  });
});

describe('TagRole, UntagRole, ListRoleTags', () => {
  it('adds, replaces case-insensitively, removes and pages tags', async () => {
    await createTaskRole(h, 'r', { Tags: [{ Key: 'Env', Value: 'dev' }] });
    await h.call('TagRole', {
      RoleName: 'r',
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'ci' },
        { Key: 'cost', Value: '' },
      ],
    });
    const all = await h.call<{ Tags: TagOutput[]; IsTruncated: boolean }>('ListRoleTags', { RoleName: 'r' });
    assert.deepEqual(all, {
      Tags: [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'ci' },
        { Key: 'cost', Value: '' },
      ],
      IsTruncated: false,
      Marker: undefined,
    });
    const first = await h.call<{ Tags: TagOutput[]; IsTruncated: boolean; Marker?: string }>('ListRoleTags', {
      RoleName: 'r',
      MaxItems: 2,
    });
    assert.equal(first.Tags.length, 2);
    assert.equal(first.IsTruncated, true);
    const rest = await h.call<{ Tags: TagOutput[]; IsTruncated: boolean }>('ListRoleTags', {
      RoleName: 'r',
      Marker: first.Marker,
    });
    assert.deepEqual(rest.Tags, [{ Key: 'cost', Value: '' }]);
    await h.call('UntagRole', { RoleName: 'r', TagKeys: ['ENV', 'absent'] });
    assert.deepEqual((await getRole('r')).Tags, [
      { Key: 'team', Value: 'ci' },
      { Key: 'cost', Value: '' },
    ]);
  });

  it('limits a role to 50 tags and needs the role to exist', async () => {
    await createTaskRole(h, 'r', { Tags: Array.from({ length: 30 }, (_, i) => ({ Key: `a${i}`, Value: 'v' })) });
    await rejectsWith(
      h.call('TagRole', { RoleName: 'r', Tags: Array.from({ length: 21 }, (_, i) => ({ Key: `b${i}`, Value: 'v' })) }),
      'LimitExceeded',
      'Cannot exceed quota for TagsPerRole: 50',
      409,
    );
    await rejectsWith(h.call('TagRole', { RoleName: 'nope', Tags: [{ Key: 'k', Value: 'v' }] }), 'NoSuchEntity');
    await rejectsWith(h.call('ListRoleTags', { RoleName: 'nope' }), 'NoSuchEntity');
    await rejectsWith(h.call('UntagRole', { RoleName: 'r' }), 'ValidationError', /Value null at 'tagKeys'/);
  });
});
