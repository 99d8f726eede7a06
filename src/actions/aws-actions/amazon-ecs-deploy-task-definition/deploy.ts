/**
 * dockyard's aws-actions/amazon-ecs-deploy-task-definition: register the task definition file,
 * optionally run it as a stand-alone task, then point the service at it (UpdateService) and
 * optionally wait until the service is stable; v2 also fails when the new deployment rolled back.
 *
 * Gaps: services with the CODE_DEPLOY controller fail (dockyard has no CodeDeploy); managed EBS
 * volumes fail (no EBS). By design: stability polling every 2 s (service-stability.ts); empty
 * optional UpdateService fields are left out rather than sent as null/[].
 */
import * as core from '@actions/core';
import {
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type PropagateTags,
  type RegisterTaskDefinitionCommandInput,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { runTask } from './run-task.js';
import { verifyDeployment, waitForStableService } from './service-stability.js';
import { readTaskDefinitionFile } from './task-definition-file.js';
import { errorMessage } from '../../../core/errors.js';

const MAX_WAIT_MINUTES = 360;
const USER_AGENT = 'amazon-ecs-deploy-task-definition-for-github-actions';

/** Where v1 and v2 differ. */
export interface DeployVariant {
  /** v2 (since #860) re-checks the new deployment after the service is stable. */
  verifiesDeployment: boolean;
}

export async function deploy(variant: DeployVariant): Promise<void> {
  const taskDefinitionFile = core.getInput('task-definition', { required: true });
  const service = core.getInput('service');
  const cluster = core.getInput('cluster') || 'default';
  const maxRetries = Number.parseInt(core.getInput('max-retries'), 10) || 3;
  const waitForService = core.getInput('wait-for-service-stability').toLowerCase() === 'true';
  const waitForMinutes = Math.min(Number.parseInt(core.getInput('wait-for-minutes'), 10) || 30, MAX_WAIT_MINUTES);
  const maxDelayInput = core.getInput('wait-max-delay-seconds');
  const maxDelaySeconds = maxDelayInput ? Number.parseInt(maxDelayInput, 10) : undefined;
  const forceNewDeployment = (core.getInput('force-new-deployment') || 'false').toLowerCase() === 'true';
  const desiredCount = Number.parseInt(core.getInput('desired-count'), 10);
  const managedTagsInput = core.getInput('enable-ecs-managed-tags');
  const enableECSManagedTags = managedTagsInput === '' ? undefined : managedTagsInput.toLowerCase() === 'true';
  const propagateTags = core.getInput('propagate-tags') || undefined;
  const keepNullValueKeys = core
    .getInput('keep-null-value-keys')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);

  const ecs = new ECSClient({ customUserAgent: USER_AGENT, maxAttempts: maxRetries, retryMode: 'standard' });

  core.debug('Registering the task definition');
  const taskDefinition = readTaskDefinitionFile(taskDefinitionFile, keepNullValueKeys);
  let taskDefinitionArn: string;
  try {
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand(taskDefinition as unknown as RegisterTaskDefinitionCommandInput),
    );
    taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn ?? '';
  } catch (error) {
    core.debug(`Task definition contents:\n${JSON.stringify(taskDefinition, undefined, 4)}`);
    throw new Error(`Failed to register task definition in ECS: ${errorMessage(error)}`);
  }
  core.setOutput('task-definition-arn', taskDefinitionArn);

  if ((core.getInput('run-task') || 'false').toLowerCase() === 'true') {
    await runTask(ecs, { cluster, taskDefinitionArn, waitForMinutes, maxDelaySeconds, enableECSManagedTags });
  }

  if (!service) {
    core.debug('Service was not specified, no service updated');
    return;
  }
  const described = await ecs.send(new DescribeServicesCommand({ services: [service], cluster }));
  const failure = described.failures?.[0];
  if (failure) throw new Error(`${failure.arn} is ${failure.reason}`);
  const current = described.services?.[0];
  if (current?.status !== 'ACTIVE') throw new Error(`Service is ${current?.status}`);

  const controller = current.deploymentController?.type;
  if (controller === 'CODE_DEPLOY') {
    throw new Error(
      'Services with the CODE_DEPLOY deployment controller are not supported: dockyard has no AWS CodeDeploy. Use the ECS deployment controller.',
    );
  }
  if (controller && controller !== 'ECS') throw new Error(`Unsupported deployment controller: ${controller}`);

  const beforeId = current.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id;
  if (core.getInput('service-managed-ebs-volume-name')) {
    throw new Error('service-managed-ebs-volume-name is not supported: dockyard has no EBS volumes');
  }
  const update: UpdateServiceCommandInput = {
    cluster,
    service,
    taskDefinition: taskDefinitionArn,
    forceNewDeployment,
    ...(enableECSManagedTags !== undefined ? { enableECSManagedTags } : {}),
    ...(propagateTags ? { propagateTags: propagateTags as PropagateTags } : {}),
    ...(Number.isNaN(desiredCount) ? {} : { desiredCount }),
  };
  core.debug('Updating service...');
  const updated = await ecs.send(new UpdateServiceCommand(update));
  const afterId = updated.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id;
  const region = await ecs.config.region();
  const consoleHost = region.startsWith('cn') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  core.info(
    `Deployment started. Watch this deployment's progress in the Amazon ECS console: https://${region}.${consoleHost}/ecs/v2/clusters/${cluster}/services/${service}/deployments?region=${region}`,
  );

  if (!waitForService) {
    core.debug('Not waiting for the service to become stable');
    return;
  }
  await waitForStableService(ecs, cluster, service, waitForMinutes, maxDelaySeconds);
  if (variant.verifiesDeployment && afterId && afterId !== beforeId)
    await verifyDeployment(ecs, cluster, service, afterId);
}
