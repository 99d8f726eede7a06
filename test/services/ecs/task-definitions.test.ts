/**
 * RegisterTaskDefinition with the seed's ecs-task-def.json, every validation message,
 * revisions, DescribeTaskDefinition (include TAGS), the lists and DeregisterTaskDefinition.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT,
  ECS_ARN,
  EXECUTION_ROLE,
  START,
  TASK_ROLE,
  createHarness,
  rejectsWith,
  seedTaskDefinition,
  type EcsHarness,
} from './fixtures.js';

let h: EcsHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

interface TaskDefinitionOut {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: string;
  cpu?: string;
  memory?: string;
  networkMode?: string;
  compatibilities: string[];
  containerDefinitions: Record<string, unknown>[];
  registeredAt: Date;
  registeredBy: string;
  deregisteredAt?: Date;
  requiresAttributes: { name: string }[];
}

type Container = Record<string, unknown>;

const register = (input: Record<string, unknown>) =>
  h.call<{ taskDefinition: TaskDefinitionOut; tags?: unknown }>('RegisterTaskDefinition', input);

/** The seed's task definition with changes to the task and its one container. */
function variant(task: Record<string, unknown>, container: Container = {}): Record<string, unknown> {
  const base = seedTaskDefinition();
  const [first] = base.containerDefinitions as Container[];
  return { ...base, ...task, containerDefinitions: [{ ...first, ...container }] };
}

describe('RegisterTaskDefinition', () => {
  it("registers the seed's Step 2 task definition as ECS describes it", async () => {
    const { taskDefinition, tags } = await register(seedTaskDefinition());
    assert.equal(tags, undefined);
    assert.deepEqual(taskDefinition, {
      taskDefinitionArn: ECS_ARN('task-definition/my-app-task:1'),
      containerDefinitions: [
        {
          name: 'my-app',
          image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/my-app:latest`,
          cpu: 256,
          memory: 512,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ],
      family: 'my-app-task',
      executionRoleArn: EXECUTION_ROLE,
      networkMode: 'awsvpc',
      revision: 1,
      volumes: [],
      status: 'ACTIVE',
      requiresAttributes: [
        { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' },
        { name: 'com.amazonaws.ecs.capability.ecr-auth' },
        { name: 'ecs.capability.execution-role-ecr-pull' },
        { name: 'ecs.capability.task-eni' },
      ],
      placementConstraints: [],
      compatibilities: ['EC2', 'FARGATE'],
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      registeredAt: START,
      registeredBy: `arn:aws:iam::${ACCOUNT}:root`,
    });
  });

  it('numbers revisions per family, deregistered ones included', async () => {
    assert.equal((await register(seedTaskDefinition())).taskDefinition.revision, 1);
    assert.equal((await register(seedTaskDefinition())).taskDefinition.revision, 2);
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:2' });
    assert.equal((await register(seedTaskDefinition())).taskDefinition.revision, 3);
    assert.equal((await register({ ...seedTaskDefinition(), family: 'other' })).taskDefinition.revision, 1);
  });

  it('normalises "1 vCPU" and "2GB" and applies container defaults', async () => {
    const { taskDefinition } = await register(
      variant(
        { cpu: '1 vCPU', memory: '2GB' },
        {
          essential: undefined,
          cpu: undefined,
          healthCheck: { command: ['CMD-SHELL', 'curl -f localhost || exit 1'] },
        },
      ),
    );
    assert.equal(taskDefinition.cpu, '1024');
    assert.equal(taskDefinition.memory, '2048');
    const [container] = taskDefinition.containerDefinitions;
    assert.equal(container?.essential, true);
    assert.deepEqual(container?.healthCheck, {
      command: ['CMD-SHELL', 'curl -f localhost || exit 1'],
      interval: 30,
      timeout: 5,
      retries: 3,
    });
    assert.equal((await register(variant({ cpu: '0.5 vCPU', memory: '1 GB' }))).taskDefinition.cpu, '512');
  });

  it('accepts images from the local registry, and public images without an execution role', async () => {
    await register(variant({}, { image: 'localhost:4566/my-app:latest' }));
    const { taskDefinition } = await register(variant({ executionRoleArn: undefined }, { image: 'nginx:latest' }));
    assert.deepEqual(taskDefinition.compatibilities, ['EC2', 'FARGATE']);
  });

  it('computes compatibilities without requiresCompatibilities', async () => {
    const ec2Only = await register({
      family: 'bridge-app',
      containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }],
    });
    assert.deepEqual(ec2Only.taskDefinition.compatibilities, ['EC2']);
    assert.equal(ec2Only.taskDefinition.networkMode, undefined);
  });

  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'bridge under Fargate',
      variant({ networkMode: undefined }),
      'ClientException',
      'Fargate only supports network mode \u2018awsvpc\u2019.',
    ],
    [
      'no task cpu',
      variant({ cpu: undefined }, { cpu: undefined }),
      'ClientException',
      "Fargate requires that 'cpu' be defined at the task level.",
    ],
    [
      'no task memory',
      variant({ memory: undefined }),
      'ClientException',
      "Fargate requires that 'memory' be defined at the task level.",
    ],
    [
      '256 CPU with 4096 MiB',
      variant({ memory: '4096' }, { memory: 512 }),
      'ClientException',
      'No Fargate configuration exists for given values.',
    ],
    ['300 CPU', variant({ cpu: '300' }), 'ClientException', 'No Fargate configuration exists for given values.'],
    [
      'unparseable cpu',
      variant({ cpu: 'lots' }),
      'ClientException',
      "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
    ],
    [
      'ECR image without execution role',
      variant({ executionRoleArn: undefined }),
      'ClientException',
      'Fargate requires task definition to have execution role ARN to support ECR images.',
    ],
    [
      'local registry image without execution role',
      variant({ executionRoleArn: undefined }, { image: 'localhost:4566/my-app:1' }),
      'ClientException',
      'Fargate requires task definition to have execution role ARN to support ECR images.',
    ],
    [
      'awslogs without execution role',
      variant(
        { executionRoleArn: undefined },
        { image: 'nginx', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app' } } },
      ),
      'ClientException',
      'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
    ],
    [
      'hostPort differs under awsvpc',
      variant({}, { portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
      'ClientException',
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    ],
    ['empty image', variant({}, { image: '' }), 'ClientException', 'Container.image should not be null or empty.'],
    [
      'no essential container',
      variant({}, { essential: false }),
      'ClientException',
      'At least one essential container is required.',
    ],
    [
      'execution role that does not exist',
      variant({ executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/missing` }),
      'ClientException',
      'Role is not valid',
    ],
    ['task role that is not an ARN', variant({ taskRoleArn: 'not-a-role' }), 'ClientException', 'Role is not valid'],
    [
      'bad family',
      { ...seedTaskDefinition(), family: 'my app' },
      'ClientException',
      /^Family contains invalid characters/.source,
    ],
    [
      'health check command',
      variant({}, { healthCheck: { command: ['curl', 'x'] } }),
      'ClientException',
      "Invalid 'healthCheck' setting for container 'my-app'. 'command' must start with CMD or CMD-SHELL.",
    ],
    [
      'health check interval',
      variant({}, { healthCheck: { command: ['CMD', 'true'], interval: 4 } }),
      'ClientException',
      "Invalid 'healthCheck' setting for container 'my-app'. 'interval' must be between 5 and 300.",
    ],
    [
      'health check timeout',
      variant({}, { healthCheck: { command: ['CMD', 'true'], timeout: 61 } }),
      'ClientException',
      "Invalid 'healthCheck' setting for container 'my-app'. 'timeout' must be between 2 and 60.",
    ],
    [
      'health check retries',
      variant({}, { healthCheck: { command: ['CMD', 'true'], retries: 11 } }),
      'ClientException',
      "Invalid 'healthCheck' setting for container 'my-app'. 'retries' must be between 1 and 10.",
    ],
    [
      'health check startPeriod',
      variant({}, { healthCheck: { command: ['CMD', 'true'], startPeriod: 301 } }),
      'ClientException',
      "Invalid 'healthCheck' setting for container 'my-app'. 'startPeriod' must be between 0 and 300.",
    ],
    [
      'container memory above task memory',
      variant({}, { memory: 1024 }),
      'ClientException',
      "Invalid 'memory' setting for container 'my-app'. It exceeds the task's memory (512 MiB).",
    ],
    [
      'memoryReservation above memory',
      variant({}, { memory: 256, memoryReservation: 300 }),
      'ClientException',
      "Invalid setting for container 'my-app'. 'memoryReservation' must be less than or equal to 'memory'.",
    ],
    [
      'container cpu above task cpu',
      variant({}, { cpu: 512 }),
      'ClientException',
      "Invalid 'cpu' setting for containers. The sum of container 'cpu' values (512) exceeds the task's 'cpu' (256).",
    ],
    [
      'stopTimeout above 120 on Fargate',
      variant({}, { stopTimeout: 121 }),
      'ClientException',
      "Invalid 'stopTimeout' setting for container 'my-app'. Fargate allows at most 120 seconds.",
    ],
    [
      'EC2 container without memory',
      { family: 'ec2-app', containerDefinitions: [{ name: 'web', image: 'nginx' }] },
      'ClientException',
      "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    ],
    [
      'wrong member type',
      variant({}, { cpu: 'many' }),
      'InvalidParameterException',
      /^1 validation error detected: Value 'many' at 'containerDefinitions\.1\.member\.cpu'/.source,
    ],
  ];
  for (const [name, input, code, message] of cases) {
    it(`refuses ${name}`, async () => {
      await rejectsWith(register(input), code, message.startsWith('^') ? new RegExp(message) : message);
    });
  }

  it('refuses more than 10 containers, duplicate names and more than 64 KiB', async () => {
    const containers = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'nginx', essential: i === 0 }));
    await rejectsWith(
      register({ ...seedTaskDefinition(), containerDefinitions: containers }),
      'ClientException',
      'Too many containers. A task definition can have at most 10 containers.',
    );
    await rejectsWith(
      register({
        ...seedTaskDefinition(),
        containerDefinitions: [
          { name: 'a', image: 'nginx' },
          { name: 'a', image: 'nginx' },
        ],
      }),
      'ClientException',
      "Duplicate container name 'a'. Container names must be unique within a task definition.",
    );
    const big = variant(
      {},
      {
        image: 'nginx',
        environment: Array.from({ length: 700 }, (_, i) => ({ name: `VAR_${i}`, value: 'x'.repeat(90) })),
      },
    );
    await rejectsWith(
      register(big),
      'ClientException',
      /^Actual length: '\d+'\. Max allowed length is '65536' bytes\.$/,
    );
  });
});

describe('DescribeTaskDefinition and the lists', () => {
  it('describes FAMILY as its latest ACTIVE revision, and tags with include TAGS', async () => {
    await register({ ...seedTaskDefinition(), tags: [{ key: 'team', value: 'web' }] });
    await register({ ...seedTaskDefinition(), taskRoleArn: TASK_ROLE });
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:2' });
    const latest = await h.call<{ taskDefinition: TaskDefinitionOut; tags?: unknown }>('DescribeTaskDefinition', {
      taskDefinition: 'my-app-task',
      include: ['TAGS'],
    });
    assert.equal(latest.taskDefinition.revision, 1);
    assert.deepEqual(latest.tags, [{ key: 'team', value: 'web' }]);
    const inactive = await h.call<{ taskDefinition: TaskDefinitionOut; tags?: unknown }>('DescribeTaskDefinition', {
      taskDefinition: ECS_ARN('task-definition/my-app-task:2'),
    });
    assert.equal(inactive.taskDefinition.status, 'INACTIVE');
    assert.deepEqual(inactive.taskDefinition.deregisteredAt, START);
    assert.equal(inactive.tags, undefined);
    await rejectsWith(
      h.call('DescribeTaskDefinition', { taskDefinition: 'nope' }),
      'ClientException',
      'Unable to describe task definition.',
    );
    await rejectsWith(
      h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task' }),
      'InvalidParameterException',
    );
  });

  it('lists task definitions by family and status, sorted and paged', async () => {
    for (let i = 0; i < 3; i++) await register(seedTaskDefinition());
    await register({ ...seedTaskDefinition(), family: 'another' });
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-app-task:1' });
    const all = await h.call<{ taskDefinitionArns: string[] }>('ListTaskDefinitions');
    assert.deepEqual(all.taskDefinitionArns, [
      ECS_ARN('task-definition/another:1'),
      ECS_ARN('task-definition/my-app-task:2'),
      ECS_ARN('task-definition/my-app-task:3'),
    ]);
    const desc = await h.call<{ taskDefinitionArns: string[]; nextToken?: string }>('ListTaskDefinitions', {
      familyPrefix: 'my-app-task',
      sort: 'DESC',
      maxResults: 1,
    });
    assert.deepEqual(desc.taskDefinitionArns, [ECS_ARN('task-definition/my-app-task:3')]);
    const next = await h.call<{ taskDefinitionArns: string[]; nextToken?: string }>('ListTaskDefinitions', {
      familyPrefix: 'my-app-task',
      sort: 'DESC',
      maxResults: 1,
      nextToken: desc.nextToken,
    });
    assert.deepEqual(next.taskDefinitionArns, [ECS_ARN('task-definition/my-app-task:2')]);
    const inactive = await h.call<{ taskDefinitionArns: string[] }>('ListTaskDefinitions', { status: 'INACTIVE' });
    assert.deepEqual(inactive.taskDefinitionArns, [ECS_ARN('task-definition/my-app-task:1')]);
    // familyPrefix is a whole family name.
    assert.deepEqual(
      (await h.call<{ taskDefinitionArns: string[] }>('ListTaskDefinitions', { familyPrefix: 'my-app' }))
        .taskDefinitionArns,
      [],
    );
  });

  it('lists families by prefix and status', async () => {
    await register(seedTaskDefinition());
    await register({ ...seedTaskDefinition(), family: 'my-worker' });
    await h.call('DeregisterTaskDefinition', { taskDefinition: 'my-worker:1' });
    assert.deepEqual((await h.call<{ families: string[] }>('ListTaskDefinitionFamilies')).families, [
      'my-app-task',
      'my-worker',
    ]);
    assert.deepEqual(
      (await h.call<{ families: string[] }>('ListTaskDefinitionFamilies', { status: 'ACTIVE' })).families,
      ['my-app-task'],
    );
    assert.deepEqual(
      (await h.call<{ families: string[] }>('ListTaskDefinitionFamilies', { status: 'INACTIVE', familyPrefix: 'my-' }))
        .families,
      ['my-worker'],
    );
  });
});
