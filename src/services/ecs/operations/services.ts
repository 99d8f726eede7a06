/**
 * DescribeServices, ListServices and DeleteService. A missing service is a failure with
 * reason MISSING, not an error (the ServicesStable waiter depends on it). DeleteService sets
 * the desired count to 0 and the status to DRAINING; the scheduler stops the tasks and then
 * marks the service INACTIVE (ServiceStore.setStatus).
 */
import type { Operation } from '../../../core/operation.js';
import { clusterArn, clusterNameOf } from '../arns.js';
import { authorization, resourceTagContext } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { ecsErrors } from '../errors.js';
import { paginate, readIncludeTags, readPaging, type Paging } from '../input-rules.js';
import { requireCluster, requireService, serviceArnOf } from '../lookups.js';
import { serviceOutput } from '../outputs.js';

type Out = Record<string, unknown>;

interface DescribeServicesInput {
  cluster?: string;
  services: string[];
  withTags: boolean;
}

export function describeServices({
  store,
}: EcsServiceDeps): Operation<DescribeServicesInput, { services: Out[]; failures: Out[] }> {
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      services: r.stringList('services', { required: true, maxItems: 10 }) ?? [],
      withTags: readIncludeTags(r),
    }),
    authorize: (input) => {
      const cluster = clusterNameOf(input.cluster);
      return input.services.map((s) => {
        const arn = serviceArnOf(store, cluster, s);
        return authorization('ecs:DescribeServices', arn, {
          ...resourceTagContext(store.services.get(arn)?.tags),
          'ecs:cluster': clusterArn(store.partition, cluster),
        });
      });
    },
    run: (input) => {
      const cluster = requireCluster(store, input.cluster);
      const services: Out[] = [];
      const failures: Out[] = [];
      for (const name of input.services) {
        const arn = serviceArnOf(store, cluster.clusterName, name);
        const service = store.services.get(arn);
        if (service) services.push(serviceOutput(store, service, input.withTags));
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { services, failures };
    },
  };
}

interface ListServicesInput extends Paging {
  cluster?: string;
  launchType?: string;
  schedulingStrategy?: string;
}

/** ListServices: ACTIVE and DRAINING services of the cluster, by name. */
export function listServices({
  store,
}: EcsServiceDeps): Operation<ListServicesInput, { serviceArns: string[]; nextToken?: string }> {
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      launchType: r.string('launchType', { oneOf: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] }),
      schedulingStrategy: r.string('schedulingStrategy', { oneOf: ['REPLICA', 'DAEMON'] }),
      ...readPaging(r),
    }),
    authorize: (input) => [
      authorization('ecs:ListServices', '*', {
        'ecs:cluster': clusterArn(store.partition, clusterNameOf(input.cluster)),
      }),
    ],
    run: (input) => {
      const cluster = requireCluster(store, input.cluster);
      const services = store.services
        .list(cluster.clusterName)
        .filter((s) => input.launchType === undefined || s.launchType === input.launchType)
        // Every dockyard service is REPLICA.
        .filter(() => input.schedulingStrategy === undefined || input.schedulingStrategy === 'REPLICA');
      const page = paginate(services, input);
      return { serviceArns: page.items.map((s) => s.serviceArn), nextToken: page.nextToken };
    },
  };
}

interface DeleteServiceInput {
  cluster?: string;
  service: string;
  force: boolean;
}

export function deleteService({ store }: EcsServiceDeps): Operation<DeleteServiceInput, { service: Out }> {
  return {
    input: (r) => ({
      cluster: r.string('cluster'),
      service: r.string('service', { required: true }),
      force: r.boolean('force') ?? false,
    }),
    authorize: (input) => {
      const cluster = clusterNameOf(input.cluster);
      const arn = serviceArnOf(store, cluster, input.service);
      return [
        authorization('ecs:DeleteService', arn, {
          ...resourceTagContext(store.services.get(arn)?.tags),
          'ecs:cluster': clusterArn(store.partition, cluster),
        }),
      ];
    },
    run: (input, ctx) =>
      store.transaction(() => {
        const cluster = requireCluster(store, input.cluster);
        const service = requireService(store, cluster, input.service);
        if (service.status !== 'ACTIVE') throw ecsErrors.serviceNotActive();
        if (service.desiredCount > 0 && !input.force) throw ecsErrors.scaledAboveZero();
        const now = ctx.clock.now();
        const draining = { ...service, status: 'DRAINING' as const, desiredCount: 0 };
        store.services.put(draining);
        for (const deployment of store.services.deployments(service.serviceArn)) {
          store.services.putDeployment({ ...deployment, desiredCount: 0, updatedAt: now });
        }
        return { service: serviceOutput(store, draining, false) };
      }),
  };
}
