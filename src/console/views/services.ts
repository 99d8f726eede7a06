/**
 * The services views: clusters and their services (counts, rollout, where they answer), one
 * service (deployments, the rollout drawn over time, events, tasks) and one task (containers,
 * why it stopped, its logs' stream). Read from EcsStore as the scheduler leaves it.
 */
import { parseTaskDefinitionRef } from '../../services/ecs/arns.js';
import type { Deployment, Service, Task, TaskDefinition } from '../../services/ecs/model.js';
import { isAbnormalStop } from '../../scheduler/failure-signals.js';
import type {
  ContainerView,
  DeploymentView,
  ServiceSummary,
  ServicesView,
  ServiceView,
  TaskSummary,
  TaskView,
} from '../contract.js';
import type { ConsoleDeps } from '../deps.js';
import { buildTimeline } from './timeline.js';

type Deps = Pick<ConsoleDeps, 'ecs' | 'endpointPort' | 'clock'>;

/** Tasks listed on a service's page at most (the newest). */
const MAX_TASKS = 100;
/** Events listed on a service's page at most (ECS keeps 100). */
const MAX_EVENTS = 100;

export function servicesView(deps: Deps): ServicesView {
  const definitions = new DefinitionCache(deps);
  return {
    clusters: deps.ecs.clusters.list().map((cluster) => ({
      name: cluster.clusterName,
      services: deps.ecs.services
        .list(cluster.clusterName)
        .map((service) => summary(deps, definitions, service, deps.ecs.services.deployments(service.serviceArn))),
    })),
  };
}

/** One service by cluster and name; undefined when there is none. */
export function serviceView(deps: Deps, cluster: string, name: string): ServiceView | undefined {
  const service = findService(deps, cluster, name);
  if (!service) return undefined;
  const definitions = new DefinitionCache(deps);
  const all = deps.ecs.services.deployments(service.serviceArn, { includeInactive: true });
  const live = all.filter((d) => d.status !== 'INACTIVE');
  const counts = deps.ecs.serviceCounts(service, all);
  const tasks = deps.ecs.tasks.list({ startedByAny: all.map((d) => d.id) });
  const now = deps.clock.now();
  // The timeline shows the deployments still in play and the few before them.
  const drawn = [...all]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, Math.max(3, live.length));
  return {
    ...summary(deps, definitions, service, live),
    arn: service.serviceArn,
    taskDefinition: service.taskDefinition,
    createdAt: service.createdAt.toISOString(),
    deploymentList: [...all]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((d) => deploymentView(d, counts.byDeployment.get(d.id))),
    events: deps.ecs.services
      .events(service.serviceArn)
      .slice(0, MAX_EVENTS)
      .map((e) => ({ at: e.createdAt.toISOString(), message: e.message })),
    tasks: tasks
      .slice(-MAX_TASKS)
      .reverse()
      .map((t) => taskSummary(t, definitions)),
    timeline: buildTimeline(drawn, tasks, now, (task) => definitions.healthChecked(task.taskDefinitionArn)),
  };
}

/** One task by cluster and id. */
export function taskView(deps: Deps, cluster: string, id: string): TaskView | undefined {
  if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
  const task = deps.ecs.tasks.list({ cluster }).find((t) => t.taskArn.endsWith(`/${id}`));
  if (!task) return undefined;
  const definitions = new DefinitionCache(deps);
  const definition = definitions.get(task.taskDefinitionArn);
  return {
    ...taskSummary(task, definitions),
    arn: task.taskArn,
    ...(task.group.startsWith('service:') ? { service: task.group.slice('service:'.length) } : {}),
    containers: task.containers.map((c): ContainerView => {
      const logs = awslogsStream(definition, c.name, id);
      return {
        name: c.name,
        image: c.image,
        lastStatus: c.lastStatus,
        health: c.healthStatus,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        ...(logs ? { logs } : {}),
      };
    }),
  };
}

/** The ACTIVE (else newest) service of that name in the cluster. */
export function findService(deps: Pick<ConsoleDeps, 'ecs'>, cluster: string, name: string): Service | undefined {
  const candidates = deps.ecs.services.list(cluster, { includeInactive: true }).filter((s) => s.serviceName === name);
  return candidates.find((s) => s.status !== 'INACTIVE') ?? candidates.at(-1);
}

function summary(
  deps: Deps,
  definitions: DefinitionCache,
  service: Service,
  deployments: readonly Deployment[],
): ServiceSummary {
  const counts = deps.ecs.serviceCounts(service, deployments);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const port = deps.endpointPort(service.serviceArn);
  const running = primary
    ? deps.ecs.tasks.list({ startedBy: primary.id, lastStatus: 'RUNNING' }).filter((t) => t.desiredStatus === 'RUNNING')
    : [];
  const [lastEvent] = deps.ecs.services.events(service.serviceArn, 1);
  const cluster = service.clusterArn.slice(service.clusterArn.lastIndexOf('/') + 1);
  return {
    cluster,
    name: service.serviceName,
    status: service.status,
    desired: service.desiredCount,
    running: counts.running,
    pending: counts.pending,
    ...(primary ? { rollout: primary.rolloutState, rolloutReason: primary.rolloutStateReason } : {}),
    deployments: deployments.length,
    ...(port !== undefined ? { endpoint: `http://127.0.0.1:${port}/` } : {}),
    taskUrls: running.flatMap((t) => {
      const url = taskUrl(t, definitions.get(t.taskDefinitionArn));
      return url ? [url] : [];
    }),
    ...(lastEvent ? { lastEvent: { at: lastEvent.createdAt.toISOString(), message: lastEvent.message } } : {}),
  };
}

function deploymentView(d: Deployment, counts: { running: number; pending: number } | undefined): DeploymentView {
  const runId = Number(d.initiatedBy?.ciRunId);
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desired: d.desiredCount,
    running: counts?.running ?? 0,
    pending: counts?.pending ?? 0,
    failed: d.failedTasks,
    rollout: d.rolloutState,
    rolloutReason: d.rolloutStateReason,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    ...(Number.isSafeInteger(runId) && runId > 0 ? { runId } : {}),
  };
}

function taskSummary(task: Task, definitions: DefinitionCache): TaskSummary {
  const iso = (date: Date | undefined) => date?.toISOString();
  const url = task.lastStatus === 'RUNNING' ? taskUrl(task, definitions.get(task.taskDefinitionArn)) : undefined;
  const optional = {
    startedAt: iso(task.startedAt),
    healthyAt: iso(task.healthyAt),
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    deployment: task.startedBy,
    url,
  };
  return {
    id: task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1),
    cluster: task.clusterArn.slice(task.clusterArn.lastIndexOf('/') + 1),
    taskDefinition: task.taskDefinitionArn.slice(task.taskDefinitionArn.lastIndexOf('/') + 1),
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    health: task.healthStatus,
    createdAt: task.createdAt.toISOString(),
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<TaskSummary>),
    abnormal: task.lastStatus === 'STOPPED' && isAbnormalStop(task),
  };
}

/**
 * Where a running task answers: its ENI's address and the first port its essential container
 * maps (as the seed's Step 5 opens http://PUBLIC_IP/). Its public IP, when it has one, is the
 * same loopback address here.
 */
function taskUrl(task: Task, definition: TaskDefinition | undefined): string | undefined {
  const address = task.attachments.flatMap((a) => a.details).find((d) => d.name === 'privateIPv4Address')?.value;
  const port = definition?.document.containerDefinitions
    .filter((c) => c.essential)
    .flatMap((c) => c.portMappings)
    .find((p) => p.containerPort !== undefined)?.containerPort;
  if (!address || port === undefined) return undefined;
  return `http://${address}${port === 80 ? '' : `:${port}`}/`;
}

/** The awslogs stream a container writes to: PREFIX/CONTAINER/TASK-ID in the configured group. */
function awslogsStream(
  definition: TaskDefinition | undefined,
  container: string,
  taskId: string,
): { group: string; stream: string } | undefined {
  const config = definition?.document.containerDefinitions.find((c) => c.name === container)?.logConfiguration;
  const group = config?.options?.['awslogs-group'];
  const prefix = config?.options?.['awslogs-stream-prefix'];
  if (config?.logDriver !== 'awslogs' || !group || !prefix) return undefined;
  return { group, stream: `${prefix}/${container}/${taskId}` };
}

/** Task definitions by ARN, read once per view. */
class DefinitionCache {
  private readonly cache = new Map<string, TaskDefinition | undefined>();

  constructor(private readonly deps: Pick<ConsoleDeps, 'ecs'>) {}

  get(arn: string): TaskDefinition | undefined {
    if (!this.cache.has(arn)) {
      const ref = parseTaskDefinitionRef(arn);
      this.cache.set(arn, ref ? this.deps.ecs.taskDefinitions.resolve(ref) : undefined);
    }
    return this.cache.get(arn);
  }

  healthChecked(arn: string): boolean {
    return this.get(arn)?.document.containerDefinitions.some((c) => c.essential && c.healthCheck) ?? false;
  }
}
