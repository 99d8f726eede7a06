/**
 * Cluster operations: CreateCluster, DescribeClusters, ListClusters and DeleteCluster. A
 * cluster is a name and its tags (Fargate needs no capacity); deleting one marks it INACTIVE,
 * which DescribeClusters still shows, and creating it again makes it ACTIVE anew.
 */
import type { Operation } from '../../../core/operation.js';
import { clusterArn, clusterNameOf } from '../arns.js';
import { authorization, requestTagContext, resourceTagContext, tagOnCreate } from '../authorization.js';
import type { EcsServiceDeps } from '../deps.js';
import { ecsErrors, invalidParameter } from '../errors.js';
import { mergeTags, paginate, readIncludeTags, readPaging, readTags, type Paging } from '../input-rules.js';
import { requireCluster } from '../lookups.js';
import type { Cluster, Tag } from '../model.js';
import { clusterOutput } from '../outputs.js';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
type Out = Record<string, unknown>;

interface CreateClusterInput {
  clusterName: string;
  tags?: Tag[];
  settings?: { name: string; value: string }[];
}

/** CreateCluster: idempotent for an ACTIVE cluster of the same name (it is returned as it is). */
export function createCluster({ store }: EcsServiceDeps): Operation<CreateClusterInput, { cluster: Out }> {
  return {
    input: (r) => ({
      clusterName: r.string('clusterName') ?? 'default',
      tags: readTags(r),
      settings: r.list('settings', (s) => ({
        name: s.string('name', { required: true, oneOf: ['containerInsights'] }),
        value: s.string('value', { required: true, oneOf: ['enabled', 'disabled', 'enhanced'] }),
      })),
    }),
    authorize: (input) => {
      const arn = clusterArn(store.partition, input.clusterName);
      return [
        authorization('ecs:CreateCluster', arn, requestTagContext(input.tags)),
        ...tagOnCreate('CreateCluster', arn, input.tags),
      ];
    },
    run: (input, ctx) => {
      if (!CLUSTER_NAME.test(input.clusterName)) {
        throw invalidParameter(
          'Cluster name can only contain letters, numbers, hyphens and underscores, up to 255 characters.',
        ); // unverified
      }
      return store.transaction(() => {
        const existing = store.clusters.get(input.clusterName);
        if (existing?.status === 'ACTIVE') return { cluster: clusterOutput(store, existing, true) };
        const cluster: Cluster = {
          clusterName: input.clusterName,
          clusterArn: clusterArn(store.partition, input.clusterName),
          status: 'ACTIVE',
          createdAt: ctx.clock.now(),
          settings: input.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
          tags: mergeTags([], input.tags ?? []),
        };
        store.clusters.put(cluster);
        return { cluster: clusterOutput(store, cluster, true) };
      });
    },
  };
}

interface DescribeClustersInput {
  clusters: string[];
  withTags: boolean;
}

/** DescribeClusters: unknown clusters are failures with reason MISSING, not errors. */
export function describeClusters({
  store,
}: EcsServiceDeps): Operation<DescribeClustersInput, { clusters: Out[]; failures: Out[] }> {
  return {
    input: (r) => ({
      clusters: r.stringList('clusters', { maxItems: 100 }) ?? ['default'],
      withTags: readIncludeTags(r),
    }),
    authorize: (input) =>
      input.clusters.map((c) => {
        const cluster = store.clusters.get(clusterNameOf(c));
        return authorization(
          'ecs:DescribeClusters',
          clusterArn(store.partition, clusterNameOf(c)),
          resourceTagContext(cluster?.tags),
        );
      }),
    run: (input) => {
      const clusters: Out[] = [];
      const failures: Out[] = [];
      for (const value of input.clusters) {
        const cluster = store.clusters.get(clusterNameOf(value));
        if (cluster) clusters.push(clusterOutput(store, cluster, input.withTags));
        else failures.push({ arn: clusterArn(store.partition, clusterNameOf(value)), reason: 'MISSING' });
      }
      return { clusters, failures };
    },
  };
}

/** ListClusters: ACTIVE clusters' ARNs, by name. */
export function listClusters({
  store,
}: EcsServiceDeps): Operation<Paging, { clusterArns: string[]; nextToken?: string }> {
  return {
    input: (r) => readPaging(r),
    authorize: () => [authorization('ecs:ListClusters', '*')],
    run: (input) => {
      const page = paginate(store.clusters.list(), input);
      return { clusterArns: page.items.map((c) => c.clusterArn), nextToken: page.nextToken };
    },
  };
}

/** DeleteCluster: refused while services or tasks remain; the cluster becomes INACTIVE. */
export function deleteCluster({ store }: EcsServiceDeps): Operation<{ cluster: string }, { cluster: Out }> {
  return {
    input: (r) => ({ cluster: r.string('cluster', { required: true }) }),
    authorize: (input) => {
      const name = clusterNameOf(input.cluster);
      return [
        authorization(
          'ecs:DeleteCluster',
          clusterArn(store.partition, name),
          resourceTagContext(store.clusters.get(name)?.tags),
        ),
      ];
    },
    run: (input) =>
      store.transaction(() => {
        const cluster = requireCluster(store, input.cluster);
        if (store.services.list(cluster.clusterName).length > 0) throw ecsErrors.clusterContainsServices();
        if (store.tasks.list({ cluster: cluster.clusterName, live: true }).length > 0)
          throw ecsErrors.clusterContainsTasks();
        const deleted: Cluster = { ...cluster, status: 'INACTIVE' };
        store.clusters.put(deleted);
        return { cluster: clusterOutput(store, deleted, false) };
      }),
  };
}
