/**
 * Which ECS deployments belong to which workflow run: a deployment started by a session that
 * descends from a job token (AssumeRoleWithWebIdentity, then AssumeRole chaining) records that
 * token's run_id; one started with the admin key records none; and neither the session's run
 * nor the deployment's initiator ever appears on the wire.
 */
import assert from 'node:assert/strict';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { after, before, describe, it } from 'node:test';
import { EcsStore } from '../../src/services/ecs/index.js';
import { registerWeb, TRUST } from '../runtime/support.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { prepareSeedRole } from '../support/sts-fixture.js';

const SERVICE_ARN = (cloud: TestCloud) => `arn:aws:ecs:${cloud.region}:${cloud.accountId}:service/apps/web`;

describe('run attribution: sessions and the deployments they start', () => {
  let cloud: TestCloud;
  let ciRole: string;
  let deployer: string;
  let store: EcsStore;

  before(async () => {
    cloud = await startTestCloud();
    store = new EcsStore(cloud.cloud.state.db, { region: cloud.region, accountId: cloud.accountId });
    ciRole = await prepareSeedRole(cloud, 'ci');
    const iam = new IAMClient(sdkConfig(cloud));
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'ci', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }),
    );
    const target = await iam.send(
      new CreateRoleCommand({
        RoleName: 'deployer',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: ciRole }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    deployer = target.Role?.Arn ?? '';
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'deployer', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'ci',
        PolicyName: 'chain',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: deployer }],
        }),
      }),
    );
    const ecs = new ECSClient(sdkConfig(cloud));
    const ec2 = new EC2Client(sdkConfig(cloud));
    await ecs.send(new CreateClusterCommand({ clusterName: 'apps' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: TRUST }));
    await registerWeb(cloud.cloud, ecs, 'web', 'exec');
    const subnet = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets?.[0]?.SubnetId ?? '';
    const group =
      (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups?.find((g) => g.GroupName === 'default')
        ?.GroupId ?? '';
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'apps',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } },
      }),
    );
  });
  after(async () => cloud?.stop());

  const asKeys = (c: Credentials | undefined) => ({
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  });
  const redeploy = async (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
    const ecs = new ECSClient(sdkConfig(cloud, credentials));
    const raw = await ecs.send(new UpdateServiceCommand({ cluster: 'apps', service: 'web', forceNewDeployment: true }));
    const primary = store.services.deployments(SERVICE_ARN(cloud)).find((d) => d.status === 'PRIMARY');
    assert.ok(primary);
    assert.equal(primary.id, raw.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id);
    return { primary, wire: JSON.stringify(raw) };
  };

  it("a job token's run_id follows its session, and a chained one, to the deployments they start", async () => {
    const token = await cloud.cloud.state.issuer.issue({
      repository: 'your-username/ecsapp',
      ref: 'refs/heads/main',
      audience: 'sts.amazonaws.com',
      runId: 4242,
    });
    const sts = new STSClient(sdkConfig(cloud));
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ciRole,
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token,
      }),
    );
    const session = asKeys(assumed.Credentials);

    const direct = await redeploy(session);
    assert.deepEqual(direct.primary.initiatedBy, { accessKeyId: session.accessKeyId, ciRunId: '4242' });
    assert.doesNotMatch(direct.wire, /4242|initiatedBy|ciRunId/, 'UpdateService answers as AWS does');
    const stored = cloud.cloud.state.credentials.lookup(session.accessKeyId)?.caller;
    assert.equal(stored?.kind === 'assumed-role' ? stored.ciRunId : undefined, '4242', 'the session remembers its run');

    const chained = asKeys(
      (
        await new STSClient(sdkConfig(cloud, session)).send(
          new AssumeRoleCommand({ RoleArn: deployer, RoleSessionName: 'deploy' }),
        )
      ).Credentials,
    );
    const second = await redeploy(chained);
    assert.deepEqual(second.primary.initiatedBy, { accessKeyId: chained.accessKeyId, ciRunId: '4242' });
  });

  it('the admin key starts deployments that belong to no run', async () => {
    const { primary } = await redeploy(cloud.admin);
    assert.deepEqual(primary.initiatedBy, { accessKeyId: cloud.admin.accessKeyId });
  });
});
