/**
 * dockyard's amazon-ecs-deploy-task-definition against a cloud without a container runtime
 * (tasks stay records there, so services never become stable): registration with the file
 * clean-up and its warnings, the register/describe failures, UpdateService with desired-count,
 * and the stability waiter's FAILURE acceptor (the service is deleted while the step waits).
 * The successful wait runs in amazon-ecs-deploy-task-definition-runtime.test.ts.
 *
 * Not covered: the CODE_DEPLOY branch, because dockyard's CreateService refuses that controller.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ec2Store } from '../../src/services/ec2/store.js';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { ACTIONS, TestJob } from './support.js';
import { waitFor } from '../support/wait-for.js';

const ACTION = ACTIONS.deployTaskDefinition;

describe('amazon-ecs-deploy-task-definition (built-in, no runtime)', () => {
  let cloud: TestCloud;
  let ecs: ECSClient;
  let subnet: string;
  const jobs: TestJob[] = [];
  const newJob = (taskDefinition: unknown) => {
    const job = new TestJob({
      env: {
        AWS_ENDPOINT_URL: cloud.url,
        AWS_REGION: cloud.region,
        AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      },
    });
    jobs.push(job);
    writeFileSync(
      join(job.workspace, 'task-definition.json'),
      typeof taskDefinition === 'string' ? taskDefinition : JSON.stringify(taskDefinition),
    );
    return job;
  };
  const taskDefinition = (extra: Record<string, unknown> = {}) => ({
    family: 'ecsapp',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image: 'app:1',
        essential: true,
        environment: [
          { name: 'EMPTY', value: '' },
          { name: 'SET', value: '1' },
        ],
      },
    ],
    ...extra,
  });
  async function createService(name: string, desiredCount = 1): Promise<void> {
    const job = newJob(taskDefinition());
    const registered = await job.run(ACTION, 'deploy', { inputs: { 'task-definition': 'task-definition.json' } });
    assert.equal(registered.exitCode, 0, registered.stdout + registered.stderr);
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: name,
        taskDefinition: registered.outputs['task-definition-arn'],
        desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
      }),
    );
  }

  before(async () => {
    cloud = await startTestCloud();
    ecs = new ECSClient(sdkConfig(cloud));
    subnet =
      new Ec2Store(cloud.cloud.state.db, { accountId: cloud.accountId, region: cloud.region }).subnets()[0]?.id ?? '';
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
  });
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
  });

  it('registers the file (YAML too), warning about describe-only fields and dropping empty values', async () => {
    const job = newJob(
      taskDefinition({ revision: 7, status: 'ACTIVE', compatibilities: ['FARGATE'], taskRoleArn: '', volumes: [] }),
    );
    const step = await job.run(ACTION, 'deploy', { inputs: { 'task-definition': 'task-definition.json' } });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.match(
      step.outputs['task-definition-arn'] ?? '',
      new RegExp(`^arn:aws:ecs:${cloud.region}:${cloud.accountId}:task-definition/ecsapp:\\d+$`),
    );
    assert.deepEqual(
      step.warnings.map((warning) => /^Ignoring property '(\w+)'/.exec(warning)?.[1]),
      ['compatibilities', 'revision', 'status'],
    );

    const yaml = newJob(
      'family: ecsapp-yaml\ncontainerDefinitions:\n  - name: app\n    image: app:1\n    memory: 128\n',
    );
    const fromYaml = await yaml.run(ACTION, 'deploy', { inputs: { 'task-definition': 'task-definition.json' } });
    assert.equal(fromYaml.exitCode, 0, fromYaml.stdout + fromYaml.stderr);
    assert.match(fromYaml.outputs['task-definition-arn'] ?? '', /task-definition\/ecsapp-yaml:1$/);
  });

  it('reports a rejected registration with the real prefix', async () => {
    const job = newJob({ family: 'broken', containerDefinitions: [] });
    const step = await job.run(ACTION, 'deploy', { inputs: { 'task-definition': 'task-definition.json' } });
    assert.equal(step.exitCode, 1);
    assert.match(step.errors[0] ?? '', /^Failed to register task definition in ECS: /);
    assert.equal(step.outputs['task-definition-arn'], undefined);
  });

  it('updates the service to the new revision with desired-count, without waiting', async () => {
    await createService('web');
    const job = newJob(taskDefinition());
    const step = await job.run(ACTION, 'deploy', {
      inputs: {
        'task-definition': 'task-definition.json',
        service: 'web',
        'desired-count': '2',
        'force-new-deployment': 'true',
      },
    });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    assert.match(
      step.stdout,
      /Deployment started\. Watch this deployment's progress in the Amazon ECS console: https:\/\/us-east-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/default\/services\/web\/deployments/,
    );
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['web'] }));
    const service = described.services?.[0];
    assert.equal(service?.taskDefinition, step.outputs['task-definition-arn']);
    assert.equal(service?.desiredCount, 2);
    assert.equal(
      service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.taskDefinition,
      step.outputs['task-definition-arn'],
    );
  });

  it('runs the new revision as a stand-alone task with run-task', async () => {
    const job = newJob(taskDefinition());
    const step = await job.run(ACTION, 'deploy', {
      inputs: {
        'task-definition': 'task-definition.json',
        'run-task': 'true',
        'run-task-subnets': subnet,
        'run-task-started-by': 'ci',
      },
    });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    // The real action outputs the array itself, which core JSON-encodes.
    const arns = JSON.parse(step.outputs['run-task-arn'] ?? '[]') as string[];
    assert.equal(arns.length, 1);
    assert.match(
      arns[0] ?? '',
      new RegExp(`^arn:aws:ecs:${cloud.region}:${cloud.accountId}:task/default/[0-9a-f]{32}$`),
    );
    const tasks = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: arns }));
    assert.equal(tasks.tasks?.[0]?.startedBy, 'ci');
    assert.equal(tasks.tasks?.[0]?.taskDefinitionArn, step.outputs['task-definition-arn']);
  });

  it('fails on a missing service, naming it as ECS does', async () => {
    const job = newJob(taskDefinition());
    const step = await job.run(ACTION, 'deploy', {
      inputs: { 'task-definition': 'task-definition.json', service: 'nothing' },
    });
    assert.equal(step.exitCode, 1);
    assert.deepEqual(step.errors, [
      `arn:aws:ecs:${cloud.region}:${cloud.accountId}:service/default/nothing is MISSING`,
    ]);
    assert.ok(step.outputs['task-definition-arn'], 'the revision is registered before the service is looked at');
  });

  it('fails when the service goes away while waiting for stability (the waiter FAILURE acceptor)', async () => {
    await createService('doomed');
    const job = newJob(taskDefinition());
    const running = job.run(ACTION, 'deploy', {
      inputs: {
        'task-definition': 'task-definition.json',
        service: 'doomed',
        'wait-for-service-stability': 'true',
        'wait-for-minutes': '1',
      },
    });
    // Once UpdateService has happened (the service names a newer revision), delete it.
    await waitFor(
      'the step to update the service',
      async () => {
        const described = await ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['doomed'] }));
        return (described.services?.[0]?.deployments?.length ?? 0) > 1;
      },
      { timeoutMs: 20_000 },
    );
    await ecs.send(new DeleteServiceCommand({ cluster: 'default', service: 'doomed', force: true }));
    const step = await running;
    assert.equal(step.exitCode, 1);
    const error = JSON.parse(step.errors[0] ?? '{}') as {
      state?: string;
      reason?: { services?: { status?: string }[] };
    };
    assert.equal(error.state, 'FAILURE');
    assert.match(error.reason?.services?.[0]?.status ?? '', /^(DRAINING|INACTIVE)$/);
  });
});
