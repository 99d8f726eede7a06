/**
 * The seed's Step 2 control plane with the AWS CLI v2: create-cluster, register-task-definition
 * from the seed's ecs-task-def.json (image in AWS's form for the local account, an execution
 * role that exists), the networking describes, create-service with the seed's network
 * configuration. (Running the service's tasks is the scheduler's part of the ECS issue.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../support/aws-cli.js';
import { startTestCloud, type TestCloud } from '../support/cloud.js';

describe("the seed's Step 2 with the AWS CLI v2", () => {
  let cloud: TestCloud;
  let work: string;
  before(async () => {
    cloud = await startTestCloud();
    work = mkdtempSync(join(tmpdir(), 'dockyard-step2-'));
  });
  after(async () => {
    await cloud.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const ok = async (args: string[]) => {
    const result = await awsCli(cloud, args);
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };

  it('creates the cluster, registers the task definition and creates the service', async () => {
    const cluster = JSON.parse(
      await ok(['ecs', 'create-cluster', '--cluster-name', 'my-app-cluster', '--region', cloud.region]),
    ) as { cluster: { clusterArn: string; status: string } };
    assert.equal(cluster.cluster.clusterArn, `arn:aws:ecs:${cloud.region}:${cloud.accountId}:cluster/my-app-cluster`);
    assert.equal(cluster.cluster.status, 'ACTIVE');

    writeFileSync(
      join(work, 'trust.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    );
    await ok([
      'iam',
      'create-role',
      '--role-name',
      'ecsTaskExecutionRole',
      '--assume-role-policy-document',
      `file://${join(work, 'trust.json')}`,
    ]);
    const taskDef = {
      family: 'my-app-task',
      executionRoleArn: `arn:aws:iam::${cloud.accountId}:role/ecsTaskExecutionRole`,
      networkMode: 'awsvpc',
      containerDefinitions: [
        {
          name: 'my-app',
          image: `${cloud.accountId}.dkr.ecr.us-east-1.amazonaws.com/my-app:latest`,
          cpu: 256,
          memory: 512,
          essential: true,
          portMappings: [{ containerPort: 80 }],
        },
      ],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
    };
    writeFileSync(join(work, 'ecs-task-def.json'), JSON.stringify(taskDef, null, 2));
    const registered = JSON.parse(
      await ok(['ecs', 'register-task-definition', '--cli-input-json', `file://${join(work, 'ecs-task-def.json')}`]),
    ) as {
      taskDefinition: {
        taskDefinitionArn: string;
        revision: number;
        status: string;
        compatibilities: string[];
        containerDefinitions: { portMappings: { hostPort: number; protocol: string }[] }[];
      };
    };
    assert.equal(
      registered.taskDefinition.taskDefinitionArn,
      `arn:aws:ecs:${cloud.region}:${cloud.accountId}:task-definition/my-app-task:1`,
    );
    assert.equal(registered.taskDefinition.status, 'ACTIVE');
    assert.deepEqual(registered.taskDefinition.containerDefinitions[0]?.portMappings, [
      { containerPort: 80, hostPort: 80, protocol: 'tcp' },
    ]);

    const vpc = (
      await awsCli(cloud, [
        'ec2',
        'describe-vpcs',
        '--filters',
        'Name=isDefault,Values=true',
        '--query',
        'Vpcs[0].VpcId',
        '--output',
        'text',
      ])
    ).stdout.trim();
    const subnets = (
      await awsCli(cloud, [
        'ec2',
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        '--query',
        'Subnets[*].SubnetId',
        '--output',
        'text',
      ])
    ).stdout
      .trim()
      .split(/\s+/);
    const group = (
      await awsCli(cloud, [
        'ec2',
        'describe-security-groups',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        '--query',
        "SecurityGroups[?GroupName=='default'].GroupId",
        '--output',
        'text',
      ])
    ).stdout.trim();
    await ok([
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group,
      '--protocol',
      'tcp',
      '--port',
      '80',
      '--cidr',
      '0.0.0.0/0',
    ]);

    const created = JSON.parse(
      await ok([
        'ecs',
        'create-service',
        '--cluster',
        'my-app-cluster',
        '--service-name',
        'my-app-service',
        '--task-definition',
        'my-app-task',
        '--desired-count',
        '1',
        '--launch-type',
        'FARGATE',
        '--network-configuration',
        `awsvpcConfiguration={subnets=[${subnets.slice(0, 2).join(',')}],securityGroups=[${group}],assignPublicIp=ENABLED}`,
      ]),
    ) as {
      service: {
        serviceArn: string;
        status: string;
        desiredCount: number;
        deployments: { id: string; status: string; rolloutState: string }[];
      };
    };
    assert.equal(
      created.service.serviceArn,
      `arn:aws:ecs:${cloud.region}:${cloud.accountId}:service/my-app-cluster/my-app-service`,
    );
    assert.equal(created.service.status, 'ACTIVE');
    assert.equal(created.service.desiredCount, 1);
    assert.match(created.service.deployments[0]?.id ?? '', /^ecs-svc\/\d{19}$/);
    assert.equal(created.service.deployments[0]?.status, 'PRIMARY');

    const missing = JSON.parse(
      await ok(['ecs', 'describe-services', '--cluster', 'my-app-cluster', '--services', 'nope']),
    ) as { failures: { arn: string; reason: string }[] };
    assert.deepEqual(missing.failures, [
      { arn: `arn:aws:ecs:${cloud.region}:${cloud.accountId}:service/my-app-cluster/nope`, reason: 'MISSING' },
    ]);
  });

  it('refuses a Fargate task definition the way AWS does', async () => {
    writeFileSync(
      join(work, 'bad.json'),
      JSON.stringify({
        family: 'bad',
        networkMode: 'bridge',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'a', image: 'busybox' }],
      }),
    );
    const result = await awsCli(cloud, [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      `file://${join(work, 'bad.json')}`,
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /ClientException/);
    assert.match(result.stderr, /Fargate only supports network mode ‘awsvpc’\./);
  });
});
