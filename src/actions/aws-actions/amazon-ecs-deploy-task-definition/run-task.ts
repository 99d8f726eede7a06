/**
 * The deploy action's `run-task`: a stand-alone task of the new revision (before the service
 * update), its ARNs as the `run-task-arn` output, and optionally a wait until it stops plus a
 * check of its containers' exit codes.
 *
 * By design: the stop waiter polls every 2 s (the real action: at least 15 s), as for services.
 */
import * as core from '@actions/core';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  waitUntilTasksStopped,
  type AssignPublicIp,
  type ECSClient,
  type LaunchType,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { POLL_SECONDS } from './service-stability.js';

export interface RunTaskOptions {
  cluster: string;
  taskDefinitionArn: string;
  waitForMinutes: number;
  maxDelaySeconds: number | undefined;
  enableECSManagedTags: boolean | undefined;
}

export async function runTask(ecs: ECSClient, options: RunTaskOptions): Promise<void> {
  core.info('Running task');
  const waitForStop = core.getInput('wait-for-task-stopped') || 'false';
  const subnets = core.getInput('run-task-subnets');
  const securityGroups = core.getInput('run-task-security-groups');
  const assignPublicIp = core.getInput('run-task-assign-public-IP') || 'DISABLED';
  const capacityProviderStrategy = JSON.parse(
    core.getInput('run-task-capacity-provider-strategy') || '[]',
  ) as RunTaskCommandInput['capacityProviderStrategy'] & unknown[];
  if (core.getInput('run-task-managed-ebs-volume-name')) {
    throw new Error('run-task-managed-ebs-volume-name is not supported: dockyard has no EBS volumes');
  }
  const awsvpc: { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: AssignPublicIp } = {};
  if (subnets) awsvpc.subnets = subnets.split(',');
  if (securityGroups) awsvpc.securityGroups = securityGroups.split(',');
  if (assignPublicIp && (subnets || securityGroups)) awsvpc.assignPublicIp = assignPublicIp as AssignPublicIp;

  const response = await ecs.send(
    new RunTaskCommand({
      startedBy: core.getInput('run-task-started-by') || 'GitHub-Actions',
      cluster: options.cluster,
      taskDefinition: options.taskDefinitionArn,
      overrides: { containerOverrides: JSON.parse(core.getInput('run-task-container-overrides') || '[]') as never[] },
      ...(capacityProviderStrategy.length > 0
        ? { capacityProviderStrategy }
        : { launchType: (core.getInput('run-task-launch-type') || 'FARGATE') as LaunchType }),
      ...(Object.keys(awsvpc).length > 0
        ? { networkConfiguration: { awsvpcConfiguration: awsvpc as { subnets: string[] } } }
        : {}),
      ...(options.enableECSManagedTags !== undefined ? { enableECSManagedTags: options.enableECSManagedTags } : {}),
      tags: JSON.parse(core.getInput('run-task-tags') || '[]') as never[],
    }),
  );
  const taskArns = (response.tasks ?? []).map((task) => task.taskArn ?? '');
  // Reproduced quirk: the array itself is the output, so it arrives JSON-encoded.
  core.setOutput('run-task-arn', taskArns);
  const region = await ecs.config.region();
  core.info(
    `Task running: https://${region.startsWith('cn') ? 'console.amazonaws.cn' : 'console.aws.amazon.com'}/ecs/home?region=${region}#/clusters/${options.cluster}/tasks`,
  );
  const failure = response.failures?.[0];
  if (failure) throw new Error(`${failure.arn} is ${failure.reason}`);

  if (waitForStop.toLowerCase() !== 'true') return;
  const minutes = Math.min(options.waitForMinutes, 360);
  core.info(`Waiting for tasks to stop. Will wait for ${minutes} minutes`);
  await waitUntilTasksStopped(
    {
      client: ecs,
      minDelay: POLL_SECONDS,
      maxDelay: Math.max(POLL_SECONDS, options.maxDelaySeconds ?? POLL_SECONDS),
      maxWaitTime: minutes * 60,
    },
    { cluster: options.cluster, tasks: taskArns },
  );
  core.info('All tasks have stopped.');
  const described = await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: taskArns }));
  const containers = (described.tasks ?? []).flatMap((task) => task.containers ?? []);
  const reasons = containers.filter((container) => container.exitCode !== 0).map((container) => container.reason);
  if (reasons.length > 0) throw new Error(`Run task failed: ${JSON.stringify(reasons)}`);
}
