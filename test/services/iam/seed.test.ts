/**
 * The seed's Step 3: GitHub as an OIDC identity provider, a role trusted through it, and
 * AmazonECS_FullAccess plus AmazonEC2ContainerRegistryFullAccess attached — then what STS and
 * the authorizer read back from the store.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleOutput } from '../../../src/services/iam/outputs.js';
import {
  ACCOUNT,
  ECR_FULL_ACCESS,
  ECS_FULL_ACCESS,
  SEED_TRUST_POLICY,
  START,
  createGithubProvider,
  createHarness,
  type IamHarness,
} from './fixtures.js';

const ROLE = 'github-actions-ecs-deploy';

describe('seed Step 3: OIDC provider, web-identity role, managed policies', () => {
  let h: IamHarness;
  let providerArn: string;
  before(async () => {
    h = createHarness();
    providerArn = await createGithubProvider(h);
    await h.call('CreateRole', {
      RoleName: ROLE,
      AssumeRolePolicyDocument: SEED_TRUST_POLICY,
      Description: 'GitHub Actions deploys to ECS',
    });
    await h.call('AttachRolePolicy', { RoleName: ROLE, PolicyArn: ECS_FULL_ACCESS });
    await h.call('AttachRolePolicy', { RoleName: ROLE, PolicyArn: ECR_FULL_ACCESS });
  });
  after(() => h.dispose());

  it('registers the provider under its host', async () => {
    assert.equal(providerArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
    const provider = await h.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: providerArn });
    assert.deepEqual(provider, {
      Url: 'token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [],
      CreateDate: START,
      Tags: [],
    });
  });

  it('creates the role with the seed trust policy, URL-encoded on the way out', async () => {
    const { Role } = await h.call<{ Role: RoleOutput }>('GetRole', { RoleName: ROLE });
    assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/${ROLE}`);
    assert.match(Role.RoleId, /^AROA[A-Z2-7]{17}$/);
    assert.equal(Role.Path, '/');
    assert.equal(Role.MaxSessionDuration, 3600);
    assert.equal(Role.Description, 'GitHub Actions deploys to ECS');
    assert.equal(Role.AssumeRolePolicyDocument, encodeURIComponent(SEED_TRUST_POLICY));
    assert.equal(decodeURIComponent(Role.AssumeRolePolicyDocument), SEED_TRUST_POLICY);
  });

  it('attaches both AWS-managed policies', async () => {
    const out = await h.call('ListAttachedRolePolicies', { RoleName: ROLE });
    assert.deepEqual(out, {
      AttachedPolicies: [
        { PolicyName: 'AmazonEC2ContainerRegistryFullAccess', PolicyArn: ECR_FULL_ACCESS },
        { PolicyName: 'AmazonECS_FullAccess', PolicyArn: ECS_FULL_ACCESS },
      ],
      IsTruncated: false,
      Marker: undefined,
    });
  });

  it('gives STS the role and the provider', () => {
    const role = h.store.getRoleByArn(`arn:aws:iam::${ACCOUNT}:role/${ROLE}`);
    assert.ok(role);
    assert.equal(role.assumeRolePolicyDocument, SEED_TRUST_POLICY);
    assert.equal(role.maxSessionDuration, 3600);
    const provider = h.store.getOpenIdConnectProviderByUrl('token.actions.githubusercontent.com');
    assert.ok(provider);
    assert.equal(provider.arn, providerArn);
    assert.deepEqual(provider.clientIds, ['sts.amazonaws.com']);
  });

  it('gives the authorizer the attached policies’ documents, in attach order', () => {
    const docs = h.store.rolePolicyDocuments(ROLE);
    assert.deepEqual(
      docs.map((d) => d.source),
      [ECS_FULL_ACCESS, ECR_FULL_ACCESS],
    );
    const ecs = JSON.parse(docs[0]?.document ?? '{}') as { Statement: { Sid?: string; Action: string[] | string }[] };
    assert.equal(ecs.Statement[0]?.Sid, 'ECSIntegrationsManagementPolicy');
    assert.ok((ecs.Statement[0]?.Action as string[]).includes('ecs:*'));
    assert.match(docs[1]?.document ?? '', /"ecr:\*"/);
  });

  it('counts the attachments on the AWS-managed policies', async () => {
    const { Policy } = await h.call<{ Policy: { AttachmentCount: number; DefaultVersionId: string } }>('GetPolicy', {
      PolicyArn: ECS_FULL_ACCESS,
    });
    assert.equal(Policy.AttachmentCount, 1);
    assert.equal(Policy.DefaultVersionId, 'v21');
    const { PolicyRoles } = await h.call<{ PolicyRoles: unknown[] }>('ListEntitiesForPolicy', {
      PolicyArn: ECR_FULL_ACCESS,
    });
    assert.deepEqual(PolicyRoles, [{ RoleName: ROLE, RoleId: h.store.getRole(ROLE)?.roleId }]);
  });
});
