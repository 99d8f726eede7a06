/**
 * UpdateService. A new task definition (other than the current one), forceNewDeployment, a
 * new network configuration or platform version start a new PRIMARY deployment and turn the
 * previous PRIMARY into ACTIVE; a desiredCount change alone rescales the PRIMARY deployment.
 * deploymentConfiguration members given replace the stored ones.
 */
import type { Operation } from '../../../core/operation.js';
import { clusterArn, clusterNameOf, parseTaskDefinitionRef, taskDefinitionResource } from '../arns.js';
import { authorization, resourceTagContext } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { deploymentConfiguration, initiatorOf, startDeployment } from '../deployments.js';
import { ecsErrors, invalidParameter } from '../errors.js';
import {
  readDeploymentConfiguration,
  readNetworkConfiguration,
  type DeploymentConfigurationInput,
} from '../input-rules.js';
import { requireActiveTaskDefinition, requireCluster, requireService, serviceArnOf } from '../lookups.js';
import type { NetworkConfiguration, Service } from '../model.js';
import { serviceOutput } from '../outputs.js';
import { checkFargateCompatible, checkLaunch, checkNetwork } from '../placement.js';
import { readCapacityProviderStrategy } from './create-service.js';

interface UpdateServiceInput {
  cluster?: string;
  service: string;
  desiredCount?: number;
  taskDefinition?: string;
  forceNewDeployment: boolean;
  deploymentConfiguration?: DeploymentConfigurationInput;
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
  capacityProviderStrategy?: { capacityProvider: string }[];
  healthCheckGracePeriodSeconds?: number;
  enableExecuteCommand?: boolean;
  enableECSManagedTags?: boolean;
  propagateTags?: Service['propagateTags'];
  loadBalancers: number;
}

export function updateService(
  deps: EcsServiceDeps,
): Operation<UpdateServiceInput, { service: Record<string, unknown> }> {
  const { store } = deps;
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      service: r.string('service', { required: true }),
      desiredCount: r.integer('desiredCount', { min: 0 }),
      taskDefinition: r.string('taskDefinition'),
      forceNewDeployment: r.boolean('forceNewDeployment') ?? false,
      deploymentConfiguration: readDeploymentConfiguration(r),
      networkConfiguration: readNetworkConfiguration(r),
      platformVersion: r.string('platformVersion'),
      capacityProviderStrategy: readCapacityProviderStrategy(r),
      healthCheckGracePeriodSeconds: r.integer('healthCheckGracePeriodSeconds', { min: 0, max: 2147483647 }),
      enableExecuteCommand: r.boolean('enableExecuteCommand'),
      enableECSManagedTags: r.boolean('enableECSManagedTags'),
      propagateTags: r.string('propagateTags', { oneOf: ['NONE', 'SERVICE', 'TASK_DEFINITION'] }),
      loadBalancers: r.list('loadBalancers', () => null)?.length ?? 0,
    }),
    authorize: (input) => {
      const cluster = clusterNameOf(input.cluster);
      const arn = serviceArnOf(store, cluster, input.service);
      const context: Record<string, string | string[]> = {
        ...resourceTagContext(store.services.get(arn)?.tags),
        'ecs:cluster': clusterArn(store.partition, cluster),
      };
      if (input.taskDefinition !== undefined) {
        const ref = parseTaskDefinitionRef(input.taskDefinition);
        context['ecs:task-definition'] =
          (ref && store.taskDefinitions.resolve(ref)?.taskDefinitionArn) ||
          taskDefinitionResource(store.partition, input.taskDefinition);
      }
      return [authorization('ecs:UpdateService', arn, context)];
    },
    run: (input, ctx) =>
      store.transaction(() => {
        const cluster = requireCluster(store, input.cluster);
        const current = requireService(store, cluster, input.service);
        if (current.status !== 'ACTIVE') throw ecsErrors.serviceNotActive();
        if (input.loadBalancers > 0)
          throw invalidParameter('dockyard does not emulate Elastic Load Balancing: loadBalancers must be empty.');
        if (input.capacityProviderStrategy !== undefined || input.platformVersion !== undefined) {
          checkLaunch({
            capacityProviderStrategy: input.capacityProviderStrategy,
            launchType: input.capacityProviderStrategy ? undefined : 'FARGATE',
            platformVersion: input.platformVersion,
          });
        }
        const definition =
          input.taskDefinition === undefined ? undefined : requireActiveTaskDefinition(store, input.taskDefinition);
        if (definition) checkFargateCompatible(definition);
        const network = input.networkConfiguration ?? current.networkConfiguration;
        if (input.networkConfiguration !== undefined || definition) {
          checkNetwork(definition ?? requireTaskDefinitionOf(current), network, deps.network);
        }
        const config = deploymentConfiguration(input.deploymentConfiguration, current.deploymentConfiguration);
        if (config.minimumHealthyPercent > 100)
          throw invalidParameter('minimumHealthyPercent must be between 0 and 100.'); // unverified

        const next: Service = {
          ...current,
          desiredCount: input.desiredCount ?? current.desiredCount,
          taskDefinition: definition?.taskDefinitionArn ?? current.taskDefinition,
          deploymentConfiguration: config,
          platformVersion: input.platformVersion ?? current.platformVersion,
          enableExecuteCommand: input.enableExecuteCommand ?? current.enableExecuteCommand,
          enableECSManagedTags: input.enableECSManagedTags ?? current.enableECSManagedTags,
          propagateTags: input.propagateTags ?? current.propagateTags,
        };
        if (network) next.networkConfiguration = network;
        if (input.healthCheckGracePeriodSeconds !== undefined)
          next.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;

        const now = ctx.clock.now();
        const redeploy =
          input.forceNewDeployment ||
          next.taskDefinition !== current.taskDefinition ||
          next.platformVersion !== current.platformVersion ||
          JSON.stringify(next.networkConfiguration) !== JSON.stringify(current.networkConfiguration);
        store.services.put(next);
        if (redeploy) {
          startDeployment(store.services, next, now, initiatorOf(ctx.caller));
        } else if (next.desiredCount !== current.desiredCount) {
          const primary = store.services.deployments(next.serviceArn).find((d) => d.status === 'PRIMARY');
          if (primary) store.services.putDeployment({ ...primary, desiredCount: next.desiredCount, updatedAt: now });
        }
        return { service: serviceOutput(store, next, false) };
      }),
  };

  /** The service's current task definition (it may be INACTIVE by now). */
  function requireTaskDefinitionOf(service: Service) {
    const ref = parseTaskDefinitionRef(service.taskDefinition);
    const definition = ref ? store.taskDefinitions.resolve(ref) : undefined;
    if (!definition) throw ecsErrors.unableToDescribeTaskDefinition();
    return definition;
  }
}
