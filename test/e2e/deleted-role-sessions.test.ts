/**
 * A session belongs to the role's unique id, as in AWS: when the role is deleted and a role of
 * the same name is created again (a new RoleId), the old sessions' calls are denied with AWS's
 * AccessDenied (no identity-based policy allows the action) and never gain the new role's
 * permissions, while new sessions have them. For AssumeRole, AssumeRoleWithWebIdentity and
 * role chaining, both for the chained role and for the role the chain started from.
 */
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sdkConfig, seedTrustPolicy, startTestCloud, type TestCloud } from '../support/cloud.js';
import { prepareSeedRole } from '../support/sts-fixture.js';

type SessionKeys = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

describe('sessions of a deleted role', () => {
  let cloud: TestCloud;
  let iam: IAMClient;
  const accountTrust = () =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${cloud.accountId}:root` }, Action: 'sts:AssumeRole' },
      ],
    });
  const allow = (actions: string[], resource = '*') =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });

  /** Creates the role with one inline policy; returns its ARN and unique id. */
  async function createRole(
    name: string,
    trust: string,
    actions: string[],
    resource = '*',
  ): Promise<{ arn: string; roleId: string }> {
    const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'permissions', PolicyDocument: allow(actions, resource) }),
    );
    return { arn: created.Role?.Arn as string, roleId: created.Role?.RoleId as string };
  }

  async function deleteRole(name: string): Promise<void> {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'permissions' }));
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
  }

  const keys = (credentials: Credentials | undefined): SessionKeys => {
    assert.ok(credentials?.AccessKeyId && credentials.SecretAccessKey && credentials.SessionToken);
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    };
  };
  const ecs = (session: SessionKeys) => new ECSClient(sdkConfig(cloud, session));
  const sts = (session?: SessionKeys) => new STSClient(sdkConfig(cloud, session));
  const assume = async (roleArn: string, name: string, as?: SessionKeys) =>
    keys((await sts(as).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name }))).Credentials);
  const webIdentity = async (roleArn: string) => {
    const token = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
    });
    return keys(
      (
        await sts().send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: 'GitHubActions',
            WebIdentityToken: token,
          }),
        )
      ).Credentials,
    );
  };

  /** AWS's answer to a session whose role no longer grants `action`. */
  const refused = (errorName: string, sessionArn: string, action: string) => (error: Error) => {
    assert.equal(error.name, errorName);
    assert.match(
      error.message,
      new RegExp(
        `^User: ${sessionArn} is not authorized to perform: ${action} on resource: .+ because no identity-based policy allows the ${action} action$`,
      ),
    );
    return true;
  };

  before(async () => {
    cloud = await startTestCloud();
    iam = new IAMClient(sdkConfig(cloud));
  });
  after(async () => cloud?.stop());

  it('AssumeRole: the old session is refused, also what the new role allows; a new session works', async () => {
    const original = await createRole('app', accountTrust(), ['ecs:ListClusters']);
    const old = await assume(original.arn, 'old');
    await ecs(old).send(new ListClustersCommand({}));
    const oldArn = `arn:aws:sts::${cloud.accountId}:assumed-role/app/old`;

    await deleteRole('app');
    await assert.rejects(
      ecs(old).send(new ListClustersCommand({})),
      refused('AccessDeniedException', oldArn, 'ecs:ListClusters'),
    );

    const recreated = await createRole('app', accountTrust(), ['ecs:ListClusters', 'ecs:CreateCluster']);
    assert.notEqual(recreated.roleId, original.roleId, 'a role created again has a new unique id');
    await assert.rejects(
      ecs(old).send(new ListClustersCommand({})),
      refused('AccessDeniedException', oldArn, 'ecs:ListClusters'),
    );
    await assert.rejects(
      ecs(old).send(new CreateClusterCommand({ clusterName: 'by-old-session' })),
      refused('AccessDeniedException', oldArn, 'ecs:CreateCluster'),
    );
    // Authentication still works (AWS evaluates permissions, not the token): it names the old role's id.
    const who = await sts(old).send(new GetCallerIdentityCommand({}));
    assert.equal(who.UserId, `${original.roleId}:old`);

    const fresh = await assume(recreated.arn, 'new');
    await ecs(fresh).send(new CreateClusterCommand({ clusterName: 'by-new-session' }));
    assert.equal((await sts(fresh).send(new GetCallerIdentityCommand({}))).UserId, `${recreated.roleId}:new`);
    await deleteRole('app');
  });

  it('AssumeRoleWithWebIdentity and role chaining: every session is bound to its own role', async () => {
    // ci: the web-identity role, allowed to chain into deployer; deployer: allowed ListClusters.
    await prepareSeedRole(cloud, 'ci');
    const ciArn = `arn:aws:iam::${cloud.accountId}:role/ci`;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'ci',
        PolicyName: 'permissions',
        PolicyDocument: allow(['sts:AssumeRole']),
      }),
    );
    const deployerTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ciArn }, Action: 'sts:AssumeRole' }],
    });
    const deployer = await createRole('deployer', deployerTrust, ['ecs:ListClusters']);
    const ci = await webIdentity(ciArn);
    const chained = await assume(deployer.arn, 'chained', ci);
    await ecs(chained).send(new ListClustersCommand({}));

    // The chained-to role is deleted and created again with more: the chained session is refused.
    await deleteRole('deployer');
    const deployerAgain = await createRole('deployer', deployerTrust, ['ecs:ListClusters', 'ecs:CreateCluster']);
    const chainedArn = `arn:aws:sts::${cloud.accountId}:assumed-role/deployer/chained`;
    await assert.rejects(
      ecs(chained).send(new CreateClusterCommand({ clusterName: 'by-old-chain' })),
      refused('AccessDeniedException', chainedArn, 'ecs:CreateCluster'),
    );
    // The web-identity session still holds: its own role was untouched.
    await ecs(await assume(deployerAgain.arn, 'chained-again', ci)).send(
      new CreateClusterCommand({ clusterName: 'by-new-chain' }),
    );

    // The web-identity role is deleted and created again: its old session can no longer chain.
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'ci', PolicyName: 'permissions' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'ci' }));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'ci', AssumeRolePolicyDocument: seedTrustPolicy(cloud.accountId) }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'ci',
        PolicyName: 'permissions',
        PolicyDocument: allow(['sts:AssumeRole', 'ecs:*']),
      }),
    );
    const ciSessionArn = `arn:aws:sts::${cloud.accountId}:assumed-role/ci/GitHubActions`;
    await assert.rejects(
      assume(deployerAgain.arn, 'from-old-ci', ci),
      refused('AccessDenied', ciSessionArn, 'sts:AssumeRole'),
    );
    await assert.rejects(
      ecs(ci).send(new ListClustersCommand({})),
      refused('AccessDeniedException', ciSessionArn, 'ecs:ListClusters'),
    );
    await ecs(await webIdentity(ciArn)).send(new ListClustersCommand({}));
  });
});
