/**
 * CreateService: a REPLICA service on Fargate with its first PRIMARY deployment. Creating a
 * service again with the same parameters while it is ACTIVE returns it (AWS's idempotency);
 * different parameters are "Creation of service was not idempotent."; a DRAINING one of the
 * same name cannot be started; an INACTIVE one is replaced.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { clusterArn, clusterNameOf, parseTaskDefinitionRef, serviceArn, taskDefinitionResource } from '../arns.js';
import { authorization, requestTagContext, tagOnCreate } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { deploymentConfiguration, initiatorOf, startDeployment } from '../deployments.js';
import { ecsErrors, invalidParameter } from '../errors.js';
import {
  mergeTags,
  readDeploymentConfiguration,
  readNetworkConfiguration,
  readTags,
  type DeploymentConfigurationInput,
} from '../input-rules.js';
import { requireActiveTaskDefinition, requireCluster } from '../lookups.js';
import type { NetworkConfiguration, Service, Tag } from '../model.js';
import { serviceOutput } from '../outputs.js';
import { checkFargateCompatible, checkLaunch, checkNetwork } from '../placement.js';

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

export interface CreateServiceInput {
  cluster?: string;
  serviceName: string;
  taskDefinition?: string;
  desiredCount?: number;
  launchType?: string;
  capacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  deploymentConfiguration?: DeploymentConfigurationInput;
  healthCheckGracePeriodSeconds?: number;
  schedulingStrategy?: string;
  deploymentController?: string;
  loadBalancers: number;
  serviceRegistries: number;
  tags?: Tag[];
  propagateTags?: 'NONE' | 'SERVICE' | 'TASK_DEFINITION';
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
}

/** Reads capacityProviderStrategy (shared with RunTask). */
export function readCapacityProviderStrategy(r: InputReader): CreateServiceInput['capacityProviderStrategy'] {
  return r.list(
    'capacityProviderStrategy',
    (s) => ({
      capacityProvider: s.string('capacityProvider', { required: true, min: 1, max: 255 }),
      weight: s.integer('weight', { min: 0, max: 1000 }),
      base: s.integer('base', { min: 0, max: 100000 }),
    }),
    { maxItems: 20 },
  );
}

function readInput(r: InputReader): CreateServiceInput {
  return {
    cluster: r.string('cluster'),
    serviceName: r.string('serviceName', { required: true }),
    taskDefinition: r.string('taskDefinition'),
    desiredCount: r.integer('desiredCount', { min: 0 }),
    launchType: r.string('launchType', { oneOf: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
    capacityProviderStrategy: readCapacityProviderStrategy(r),
    platformVersion: r.string('platformVersion'),
    networkConfiguration: readNetworkConfiguration(r),
    deploymentConfiguration: readDeploymentConfiguration(r),
    healthCheckGracePeriodSeconds: r.integer('healthCheckGracePeriodSeconds', { min: 0, max: 2147483647 }),
    schedulingStrategy: r.string('schedulingStrategy', { oneOf: ['REPLICA', 'DAEMON'] }),
    deploymentController: r.structure('deploymentController', (d) =>
      d.string('type', { required: true, oneOf: ['ECS', 'CODE_DEPLOY', 'EXTERNAL'] }),
    ),
    loadBalancers: r.list('loadBalancers', () => null)?.length ?? 0,
    serviceRegistries: r.list('serviceRegistries', () => null)?.length ?? 0,
    tags: readTags(r),
    propagateTags: r.string('propagateTags', { oneOf: ['NONE', 'SERVICE', 'TASK_DEFINITION'] }),
    enableECSManagedTags: r.boolean('enableECSManagedTags'),
    enableExecuteCommand: r.boolean('enableExecuteCommand'),
  };
}

/** What makes two CreateService calls the same call. */
function fingerprint(input: CreateServiceInput, taskDefinitionArn: string): string {
  return JSON.stringify({
    taskDefinitionArn,
    desiredCount: input.desiredCount,
    launchType: input.launchType,
    capacityProviderStrategy: input.capacityProviderStrategy,
    platformVersion: input.platformVersion ?? 'LATEST',
    networkConfiguration: input.networkConfiguration,
    deploymentConfiguration: input.deploymentConfiguration,
    healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
  });
}

/** Refuses what dockyard cannot run, loudly (STYLE: never silently accept). */
function checkSupported(input: CreateServiceInput): void {
  if (input.loadBalancers > 0)
    throw invalidParameter(
      'dockyard does not emulate Elastic Load Balancing: loadBalancers must be empty (each service gets a stable local endpoint instead).',
    );
  if (input.serviceRegistries > 0)
    throw invalidParameter('dockyard does not emulate Cloud Map: serviceRegistries must be empty.');
  if (input.deploymentController !== undefined && input.deploymentController !== 'ECS') {
    throw invalidParameter(`dockyard supports the ECS deployment controller only, not ${input.deploymentController}.`);
  }
  if (input.schedulingStrategy === 'DAEMON')
    throw invalidParameter('The DAEMON scheduling strategy is not supported with the FARGATE launch type.'); // unverified
}

export function createService(
  deps: EcsServiceDeps,
): Operation<CreateServiceInput, { service: Record<string, unknown> }> {
  const { store } = deps;
  return {
    input: readInput,
    authorize: (input) => {
      const cluster = clusterNameOf(input.cluster);
      const arn = serviceArn(store.partition, cluster, input.serviceName);
      const context: Record<string, string | string[]> = {
        ...requestTagContext(input.tags),
        'ecs:cluster': clusterArn(store.partition, cluster),
      };
      if (input.taskDefinition !== undefined) {
        const ref = parseTaskDefinitionRef(input.taskDefinition);
        const resolved = ref ? store.taskDefinitions.resolve(ref) : undefined;
        context['ecs:task-definition'] =
          resolved?.taskDefinitionArn ?? taskDefinitionResource(store.partition, input.taskDefinition);
      }
      return [authorization('ecs:CreateService', arn, context), ...tagOnCreate('CreateService', arn, input.tags)];
    },
    run: (input, ctx) =>
      store.transaction(() => {
        const cluster = requireCluster(store, input.cluster);
        if (!SERVICE_NAME.test(input.serviceName)) {
          throw invalidParameter(
            'Service name can only contain letters, numbers, hyphens and underscores, up to 255 characters.',
          ); // unverified
        }
        checkSupported(input);
        checkLaunch(input);
        if (input.desiredCount === undefined)
          throw invalidParameter('desiredCount must be specified for a service using the REPLICA scheduling strategy.'); // unverified
        if (input.taskDefinition === undefined) throw invalidParameter('A task definition must be specified.'); // unverified
        const definition = requireActiveTaskDefinition(store, input.taskDefinition);
        checkFargateCompatible(definition);
        checkNetwork(definition, input.networkConfiguration, deps.network);
        const config = deploymentConfiguration(input.deploymentConfiguration);
        if (config.minimumHealthyPercent > 100)
          throw invalidParameter('minimumHealthyPercent must be between 0 and 100.'); // unverified

        const arn = serviceArn(store.partition, cluster.clusterName, input.serviceName);
        const print = fingerprint(input, definition.taskDefinitionArn);
        const existing = store.services.get(arn);
        if (existing?.status === 'ACTIVE') {
          if (existing.creationFingerprint !== print) throw ecsErrors.notIdempotent();
          return { service: serviceOutput(store, existing, true) };
        }
        if (existing?.status === 'DRAINING') throw ecsErrors.stillDraining();

        const now = ctx.clock.now();
        const service: Service = {
          serviceArn: arn,
          serviceName: input.serviceName,
          clusterArn: cluster.clusterArn,
          status: 'ACTIVE',
          desiredCount: input.desiredCount,
          launchType: 'FARGATE',
          platformVersion: input.platformVersion ?? 'LATEST',
          taskDefinition: definition.taskDefinitionArn,
          deploymentConfiguration: config,
          createdAt: now,
          createdBy:
            ctx.caller.kind === 'anonymous'
              ? `arn:aws:iam::${ctx.accountId}:root`
              : ctx.caller.kind === 'assumed-role'
                ? ctx.caller.roleArn
                : ctx.caller.arn,
          tags: mergeTags([], input.tags ?? []),
          propagateTags: input.propagateTags ?? 'NONE',
          enableECSManagedTags: input.enableECSManagedTags ?? false,
          enableExecuteCommand: input.enableExecuteCommand ?? false,
          creationFingerprint: print,
        };
        if (input.networkConfiguration) service.networkConfiguration = input.networkConfiguration;
        if (input.healthCheckGracePeriodSeconds !== undefined)
          service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
        store.services.create(service, cluster.clusterName);
        startDeployment(store.services, service, now, initiatorOf(ctx.caller));
        return { service: serviceOutput(store, service, true) };
      }),
  };
}
