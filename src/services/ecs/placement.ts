/**
 * What a service or a task needs before ECS will run it on Fargate: a FARGATE launch type
 * (or a FARGATE capacity provider strategy), a Fargate-compatible ACTIVE task definition,
 * and for awsvpc an awsvpcConfiguration that EC2 accepts. Shared by CreateService,
 * UpdateService and RunTask.
 */
import type { AwsVpcValidator } from './deps.js';
import { ecsErrors, invalidParameter } from './errors.js';
import type { NetworkConfiguration, TaskDefinition } from './model.js';

/** Platform versions dockyard runs: all of them are 1.4.0. */
export const PLATFORM_VERSION = '1.4.0';

export interface LaunchInput {
  launchType?: string;
  capacityProviderStrategy?: { capacityProvider: string }[];
  platformVersion?: string;
}

/** Checks the launch type and platform version; dockyard's tasks are all FARGATE. */
export function checkLaunch(input: LaunchInput): void {
  const strategy = input.capacityProviderStrategy;
  if (input.launchType !== undefined && strategy !== undefined && strategy.length > 0)
    throw ecsErrors.launchTypeAndStrategy();
  if (strategy !== undefined && strategy.length > 0) {
    const other = strategy.find((s) => s.capacityProvider !== 'FARGATE' && s.capacityProvider !== 'FARGATE_SPOT');
    if (other) throw ecsErrors.fargateOnly(`capacity provider ${other.capacityProvider} is not available`);
  } else if (input.launchType === undefined) {
    // AWS would use launch type EC2 and find no container instances.
    throw ecsErrors.fargateOnly('no launchType was given, and ECS would use EC2');
  } else if (input.launchType !== 'FARGATE') {
    throw ecsErrors.fargateOnly(`launch type ${input.launchType} is not available`);
  }
  if (
    input.platformVersion !== undefined &&
    input.platformVersion !== 'LATEST' &&
    input.platformVersion !== PLATFORM_VERSION
  ) {
    throw ecsErrors.platformUnknown();
  }
}

/** The task definition must be able to run on Fargate. */
export function checkFargateCompatible(definition: TaskDefinition): void {
  if (!definition.document.compatibilities.includes('FARGATE')) throw ecsErrors.incompatibleLaunchType('FARGATE');
}

/** Checks the network configuration against the task definition's network mode and EC2. */
export function checkNetwork(
  definition: TaskDefinition,
  network: NetworkConfiguration | undefined,
  ec2: AwsVpcValidator,
): void {
  if (definition.document.networkMode !== 'awsvpc') {
    // Fargate task definitions are always awsvpc; this guards the others. Unverified wording.
    if (network !== undefined)
      throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.');
    return;
  }
  if (network === undefined) throw ecsErrors.networkConfigurationRequired();
  const config = network.awsvpcConfiguration;
  if (config.subnets.length === 0) throw ecsErrors.subnetsEmpty();
  // Limits, existence and one-VPC membership are EC2's to judge (Ec2Store.validateAwsvpc).
  const problem = ec2.validateAwsvpc(config);
  if (problem !== undefined) throw invalidParameter(problem);
}
