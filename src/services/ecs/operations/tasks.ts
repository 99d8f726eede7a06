/**
 * Task operations: RunTask (PROVISIONING tasks that the scheduler starts), StopTask (desired
 * status STOPPED; the scheduler stops the containers), DescribeTasks (unknown tasks are
 * failures with reason MISSING) and ListTasks (desiredStatus RUNNING unless told otherwise).
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Authorization, Operation } from '../../../core/operation.js';
import {
  clusterArn,
  clusterNameOf,
  parseTaskDefinitionRef,
  taskArn,
  taskDefinitionResource,
  taskIdOf,
} from '../arns.js';
import { authorization, passRoles, requestTagContext, resourceTagContext, tagOnCreate } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { ecsErrors, invalidParameter } from '../errors.js';
import {
  mergeTags,
  paginate,
  readIncludeTags,
  readNetworkConfiguration,
  readPaging,
  readTags,
  type Paging,
} from '../input-rules.js';
import { requireActiveTaskDefinition, requireCluster, serviceArnOf } from '../lookups.js';
import type { DesiredStatus, NetworkConfiguration, Tag, TaskOverride } from '../model.js';
import { taskOutput } from '../outputs.js';
import { checkFargateCompatible, checkLaunch, checkNetwork } from '../placement.js';
import { readFields } from '../shapes.js';
import { newTask } from '../task-factory.js';
import { readCapacityProviderStrategy } from './create-service.js';

type Out = Record<string, unknown>;

interface RunTaskInput {
  cluster?: string;
  taskDefinition: string;
  count: number;
  launchType?: string;
  capacityProviderStrategy?: { capacityProvider: string }[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  group?: string;
  startedBy?: string;
  overrides?: TaskOverride;
  tags?: Tag[];
}

function readOverrides(r: InputReader): TaskOverride | undefined {
  return r.structure('overrides', (o) => {
    const out: TaskOverride = {
      containerOverrides:
        (o.list('containerOverrides', (c) =>
          readFields(c, {
            name: 'string',
            command: 'stringList',
            environment: { list: { name: 'string', value: 'string' } },
            cpu: 'integer',
            memory: 'integer',
            memoryReservation: 'integer',
          }),
        ) as TaskOverride['containerOverrides'] | undefined) ?? [],
    };
    for (const key of ['taskRoleArn', 'executionRoleArn', 'cpu', 'memory'] as const) {
      const value = o.string(key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  });
}

export function runTask(deps: EcsServiceDeps): Operation<RunTaskInput, { tasks: Out[]; failures: Out[] }> {
  const { store } = deps;
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      taskDefinition: r.string('taskDefinition', { required: true }),
      count: r.integer('count', { min: 1, max: 10 }) ?? 1,
      launchType: r.string('launchType', { oneOf: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
      capacityProviderStrategy: readCapacityProviderStrategy(r),
      platformVersion: r.string('platformVersion'),
      networkConfiguration: readNetworkConfiguration(r),
      group: r.string('group', { max: 255 }),
      startedBy: r.string('startedBy', { max: 128 }),
      overrides: readOverrides(r),
      tags: readTags(r),
    }),
    authorize: (input) => {
      const cluster = clusterNameOf(input.cluster);
      const ref = parseTaskDefinitionRef(input.taskDefinition);
      const definition = ref ? store.taskDefinitions.resolve(ref) : undefined;
      const auths: Authorization[] = [
        authorization('ecs:RunTask', taskDefinitionResource(store.partition, input.taskDefinition), {
          ...requestTagContext(input.tags),
          'ecs:cluster': clusterArn(store.partition, cluster),
        }),
        ...tagOnCreate('RunTask', taskArn(store.partition, cluster, '*'), input.tags),
        // Running a task hands its roles to ECS: AWS checks iam:PassRole here too.
        ...passRoles([
          input.overrides?.taskRoleArn ?? definition?.document.taskRoleArn,
          input.overrides?.executionRoleArn ?? definition?.document.executionRoleArn,
        ]),
      ];
      return auths;
    },
    run: (input, ctx) =>
      store.transaction(() => {
        const cluster = requireCluster(store, input.cluster);
        checkLaunch(input);
        const definition = requireActiveTaskDefinition(store, input.taskDefinition);
        checkFargateCompatible(definition);
        checkNetwork(definition, input.networkConfiguration, deps.network);
        const names = new Set(definition.document.containerDefinitions.map((c) => c.name));
        const unknown = input.overrides?.containerOverrides.find((o) => !names.has(o.name));
        if (unknown)
          throw invalidParameter(
            `Override for container named ${unknown.name} is not a container in the TaskDefinition.`,
          ); // unverified
        for (const role of [input.overrides?.taskRoleArn, input.overrides?.executionRoleArn]) {
          if (role !== undefined && deps.roles.getRoleByArn(role) === undefined) throw ecsErrors.roleNotValid();
        }
        const now = ctx.clock.now();
        const tags = mergeTags([], input.tags ?? []);
        const tasks = Array.from({ length: input.count }, (_, index) =>
          store.tasks.put(
            newTask(store.partition, {
              cluster,
              definition,
              group: input.group ?? `family:${definition.family}`,
              startedBy: input.startedBy,
              networkConfiguration: input.networkConfiguration,
              overrides: input.overrides
                ? {
                    ...input.overrides,
                    containerOverrides: mergeOverrides(
                      definition.document.containerDefinitions.map((c) => c.name),
                      input.overrides,
                    ),
                  }
                : undefined,
              tags,
              now,
              index,
            }),
          ),
        );
        return { tasks: tasks.map((t) => taskOutput(t, tags.length > 0)), failures: [] };
      }),
  };
}

/** Every container gets an override entry (ECS lists each container by name). */
function mergeOverrides(names: string[], overrides: TaskOverride): TaskOverride['containerOverrides'] {
  return names.map((name) => overrides.containerOverrides.find((o) => o.name === name) ?? { name });
}

interface StopTaskInput {
  cluster?: string;
  task: string;
  reason?: string;
}

export function stopTask({ store }: EcsServiceDeps): Operation<StopTaskInput, { task: Out }> {
  const arnOf = (cluster: string | undefined, value: string) =>
    value.startsWith('arn:') ? value : taskArn(store.partition, clusterNameOf(cluster), taskIdOf(value));
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      task: r.string('task', { required: true }),
      reason: r.string('reason', { max: 255 }),
    }),
    authorize: (input) => {
      const arn = arnOf(input.cluster, input.task);
      return [
        authorization('ecs:StopTask', arn, {
          ...resourceTagContext(store.tasks.get(arn)?.tags),
          'ecs:cluster': clusterArn(store.partition, clusterNameOf(input.cluster)),
        }),
      ];
    },
    run: (input) =>
      store.transaction(() => {
        requireCluster(store, input.cluster);
        const task = store.tasks.get(arnOf(input.cluster, input.task));
        if (!task) throw ecsErrors.taskNotFound();
        if (task.desiredStatus === 'STOPPED') return { task: taskOutput(task, false) };
        const stopped = store.tasks.put({
          ...task,
          desiredStatus: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: input.reason ?? 'Task stopped by user',
        });
        return { task: taskOutput(stopped, false) };
      }),
  };
}

interface DescribeTasksInput {
  cluster?: string;
  tasks: string[];
  withTags: boolean;
}

export function describeTasks({
  store,
}: EcsServiceDeps): Operation<DescribeTasksInput, { tasks: Out[]; failures: Out[] }> {
  const arnOf = (cluster: string | undefined, value: string) =>
    value.startsWith('arn:') ? value : taskArn(store.partition, clusterNameOf(cluster), taskIdOf(value));
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      tasks: r.stringList('tasks', { required: true, maxItems: 100 }) ?? [],
      withTags: readIncludeTags(r),
    }),
    authorize: (input) =>
      input.tasks.map((t) => {
        const arn = arnOf(input.cluster, t);
        return authorization('ecs:DescribeTasks', arn, {
          ...resourceTagContext(store.tasks.get(arn)?.tags),
          'ecs:cluster': clusterArn(store.partition, clusterNameOf(input.cluster)),
        });
      }),
    run: (input) => {
      requireCluster(store, input.cluster);
      const tasks: Out[] = [];
      const failures: Out[] = [];
      for (const value of input.tasks) {
        const arn = arnOf(input.cluster, value);
        const task = store.tasks.get(arn);
        if (task) tasks.push(taskOutput(task, input.withTags));
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { tasks, failures };
    },
  };
}

interface ListTasksInput extends Paging {
  cluster?: string;
  family?: string;
  serviceName?: string;
  startedBy?: string;
  desiredStatus: DesiredStatus;
  launchType?: string;
}

export function listTasks({
  store,
}: EcsServiceDeps): Operation<ListTasksInput, { taskArns: string[]; nextToken?: string }> {
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      family: r.string('family'),
      serviceName: r.string('serviceName'),
      startedBy: r.string('startedBy'),
      desiredStatus: r.string('desiredStatus', { oneOf: ['RUNNING', 'PENDING', 'STOPPED'] }) ?? 'RUNNING',
      launchType: r.string('launchType', { oneOf: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
      ...readPaging(r),
    }),
    authorize: (input) => [
      authorization('ecs:ListTasks', '*', { 'ecs:cluster': clusterArn(store.partition, clusterNameOf(input.cluster)) }),
    ],
    run: (input) => {
      const cluster = requireCluster(store, input.cluster);
      let group: string | undefined;
      if (input.serviceName !== undefined) {
        const service = store.services.get(serviceArnOf(store, cluster.clusterName, input.serviceName));
        if (!service) throw ecsErrors.serviceNotFound();
        group = `service:${service.serviceName}`;
      }
      const tasks =
        input.launchType !== undefined && input.launchType !== 'FARGATE'
          ? []
          : store.tasks.list({
              cluster: cluster.clusterName,
              family: input.family,
              group,
              startedBy: input.startedBy,
              desiredStatus: input.desiredStatus,
            });
      const page = paginate(tasks, input);
      return { taskArns: page.items.map((t) => t.taskArn), nextToken: page.nextToken };
    },
  };
}
