/**
 * dockyard's amazon-ecs-render-task-definition: from a workspace file and from a family
 * registered in a real cloud (tags merged, describe-only fields dropped), every container edit,
 * and the real action's error messages.
 */
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sdkConfig, startTestCloud, type TestCloud } from '../support/cloud.js';
import { ACTIONS, TestJob } from './support.js';

const ACTION = ACTIONS.renderTaskDefinition;

/** The seed's task definition shape, as a user keeps it in the repository. */
function taskDefinitionFile(accountId: string) {
  return {
    family: 'ecsapp',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${accountId}:role/ecsTaskExecutionRole`,
    containerDefinitions: [
      {
        name: 'app',
        image: 'placeholder',
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        environment: [{ name: 'MODE', value: 'old' }],
      },
      { name: 'sidecar', image: 'placeholder', essential: false },
    ],
  };
}

interface Rendered {
  family?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  tags?: { key: string; value: string }[];
  containerDefinitions: {
    name: string;
    image: string;
    command?: string[];
    environment?: { name: string; value: string }[];
    secrets?: { name: string; valueFrom: string }[];
    environmentFiles?: { value: string; type: string }[];
    logConfiguration?: { logDriver: string; options: Record<string, string> };
    dockerLabels?: Record<string, string>;
  }[];
  [key: string]: unknown;
}

describe('amazon-ecs-render-task-definition (built-in)', () => {
  let cloud: TestCloud;
  const jobs: TestJob[] = [];
  const newJob = () => {
    const job = new TestJob({
      env: {
        AWS_ENDPOINT_URL: cloud.url,
        AWS_REGION: cloud.region,
        AWS_ACCESS_KEY_ID: cloud.admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: cloud.admin.secretAccessKey,
      },
    });
    jobs.push(job);
    writeFileSync(join(job.workspace, 'task-definition.json'), JSON.stringify(taskDefinitionFile(cloud.accountId)));
    return job;
  };
  const read = (path: string | undefined) => JSON.parse(readFileSync(path ?? '', 'utf8')) as Rendered;

  before(async () => (cloud = await startTestCloud()));
  after(async () => {
    for (const job of jobs) job.dispose();
    await cloud.stop();
  });

  it('renders a workspace file into a new file under RUNNER_TEMP with every edit applied', async () => {
    const job = newJob();
    const step = await job.run(ACTION, 'render', {
      inputs: {
        'task-definition': 'task-definition.json',
        'container-name': 'app,sidecar',
        image: `localhost:4566/ecsapp:abc123`,
        'environment-variables': 'MODE=new\nURL=http://x/?a=b\n',
        secrets: 'TOKEN=arn:aws:ssm:us-east-1:000000000000:parameter/token',
        'env-files': 'arn:aws:s3:::bucket/app.env',
        command: 'node server.js --port 8080',
        'log-configuration-log-driver': 'awslogs',
        'log-configuration-options': 'awslogs-group=/ecs/ecsapp\nawslogs-datetime-format=a=b',
        'docker-labels': 'team=web',
        'task-role-arn': `arn:aws:iam::${cloud.accountId}:role/app`,
      },
    });
    assert.equal(step.exitCode, 0, step.stdout + step.stderr);
    const path = step.outputs['task-definition'];
    assert.equal(dirname(path ?? ''), job.runnerTemp);
    assert.match(path ?? '', /\/task-definition-[0-9a-f]+\.json$/);
    const rendered = read(path);
    const [app, sidecar] = rendered.containerDefinitions;
    assert.equal(app?.image, 'localhost:4566/ecsapp:abc123');
    assert.equal(sidecar?.image, 'localhost:4566/ecsapp:abc123');
    assert.deepEqual(app?.environment, [
      { name: 'MODE', value: 'new' },
      { name: 'URL', value: 'http://x/?a=b' },
    ]);
    assert.deepEqual(app?.secrets, [
      { name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/token' },
    ]);
    assert.deepEqual(app?.environmentFiles, [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }]);
    assert.deepEqual(app?.command, ['node', 'server.js', '--port', '8080']);
    // The real action keeps only what precedes a second `=` in an option.
    assert.deepEqual(app?.logConfiguration, {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/ecsapp', 'awslogs-datetime-format': 'a' },
    });
    assert.deepEqual(app?.dockerLabels, { team: 'web' });
    assert.equal(rendered.taskRoleArn, `arn:aws:iam::${cloud.accountId}:role/app`);
    // The workspace file is left as it was.
    assert.equal(
      JSON.parse(readFileSync(join(job.workspace, 'task-definition.json'), 'utf8')).containerDefinitions[0].image,
      'placeholder',
    );
  });

  it('renders the latest revision of a family, and a given revision, from ECS with its tags', async () => {
    const ecs = new ECSClient(sdkConfig(cloud));
    const input = taskDefinitionFile(cloud.accountId);
    delete (input as { executionRoleArn?: string }).executionRoleArn;
    await ecs.send(new RegisterTaskDefinitionCommand({ ...input, tags: [{ key: 'team', value: 'web' }] } as never));
    const second = await ecs.send(new RegisterTaskDefinitionCommand({ ...input, cpu: '512', memory: '1024' } as never));
    assert.equal(second.taskDefinition?.revision, 2);

    const job = newJob();
    const latest = await job.run(ACTION, 'render', {
      inputs: { 'task-definition-family': 'ecsapp', 'container-name': 'app', image: 'app:2' },
    });
    assert.equal(latest.exitCode, 0, latest.stdout + latest.stderr);
    const rendered = read(latest.outputs['task-definition']);
    assert.equal(rendered.cpu, '512');
    assert.equal(rendered.containerDefinitions[0]?.image, 'app:2');
    for (const field of [
      'compatibilities',
      'taskDefinitionArn',
      'requiresAttributes',
      'revision',
      'status',
      'registeredAt',
      'registeredBy',
    ]) {
      assert.equal(field in rendered, false, field);
    }

    const first = await job.run(ACTION, 'render', {
      inputs: {
        'task-definition-family': 'ecsapp',
        'task-definition-revision': '1',
        'container-name': 'app',
        image: 'app:1',
      },
    });
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    const one = read(first.outputs['task-definition']);
    assert.equal(one.cpu, '256');
    assert.deepEqual(one.tags, [{ key: 'team', value: 'web' }]);

    const byArn = await job.run(ACTION, 'render', {
      inputs: {
        'task-definition-arn': second.taskDefinition?.taskDefinitionArn ?? '',
        'container-name': 'app',
        image: 'app:3',
      },
    });
    assert.equal(byArn.exitCode, 0, byArn.stdout + byArn.stderr);

    const missing = await job.run(ACTION, 'render', {
      inputs: { 'task-definition-family': 'nothing', 'container-name': 'app', image: 'x' },
    });
    assert.equal(missing.exitCode, 1);
    assert.match(missing.errors[0] ?? '', /^Failed to describe task definition in ECS: /);
  });

  it('fails as the real action does', async () => {
    const job = newJob();
    const cases: [Record<string, string>, string][] = [
      [
        { 'task-definition': 'task-definition.json', 'container-name': 'web', image: 'x' },
        'Invalid task definition: Could not find container definition with matching name',
      ],
      [
        { 'task-definition': 'missing.json', 'container-name': 'app', image: 'x' },
        'Task definition file does not exist: missing.json',
      ],
      [
        { 'container-name': 'app', image: 'x' },
        'Either task definition, task definition arn or task definition family must be provided',
      ],
      [
        { 'task-definition-revision': '3', 'container-name': 'app', image: 'x' },
        "You can't fetch task definition with just revision: Either use task definition file, arn or family name",
      ],
      [
        { 'task-definition': 'task-definition.json', 'container-name': 'app,', image: 'x' },
        'Invalid format for container name. Please use a single value or comma separated values',
      ],
      [
        {
          'task-definition': 'task-definition.json',
          'container-name': 'app',
          image: 'x',
          'environment-variables': 'JUSTANAME',
        },
        "Cannot parse the environment variable 'JUSTANAME'. Environment variable pairs must be of the form NAME=value.",
      ],
      [
        {
          'task-definition': 'task-definition.json',
          'container-name': 'app',
          image: 'x',
          'execution-role-arn': 'ecsTaskExecutionRole',
        },
        'Invalid ARN format for execution-role-arn. Expected format: arn:aws:iam::<account-id>:role/<role-name>',
      ],
      [
        { 'task-definition': 'task-definition.json', 'container-name': 'app' },
        'Input required and not supplied: image',
      ],
    ];
    for (const [inputs, message] of cases) {
      const step = await job.run(ACTION, 'render', { inputs });
      assert.equal(step.exitCode, 1, message);
      assert.deepEqual(step.errors, [message]);
    }
    const driver = await job.run(ACTION, 'render', {
      inputs: {
        'task-definition': 'task-definition.json',
        'container-name': 'app',
        image: 'x',
        'log-configuration-log-driver': 'stdout',
      },
    });
    assert.match(
      driver.errors[0] ?? '',
      /^'stdout' is invalid logConfigurationLogDriver\. valid options are json-file,syslog,/,
    );
  });
});
