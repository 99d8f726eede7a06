/**
 * Watching an ECS service's deployments from the terminal through the ECS API, as any client
 * can (the local cloud or AWS): each poll reads the service (DescribeServices) and the stopped
 * tasks of the deployments being followed (ListTasks by startedBy, then DescribeTasks for tasks
 * not seen before), and hands back what is new: tasks that stopped abnormally and service
 * events. Callers poll once a second at most, and only while they follow a deployment.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type ServiceEvent,
  type Task,
} from '@aws-sdk/client-ecs';
import { deploymentStall, isAbnormalStop, type Stall } from '../scheduler/failure-signals.js';

/** DescribeTasks takes at most 100 tasks. */
const DESCRIBE_BATCH = 100;
/** ListTasks pages (of 100) read per deployment: a crash loop's thousands of stopped tasks are not all worth reading. */
const MAX_PAGES = 20;

export interface ServiceChanges {
  service: Service | undefined;
  /** Abnormal stops first seen by this poll, by stoppedAt. */
  stops: Task[];
  /** Service events first seen by this poll, oldest first. */
  events: ServiceEvent[];
}

export interface ServiceWatchOptions {
  cluster: string;
  service: string;
  /** Which deployments to follow (decided once per deployment, when first seen; `all`: the service's now). */
  follows: (deployment: Deployment, all: readonly Deployment[]) => boolean;
}

export class ServiceWatch {
  /** Followed deployments, by id, with their first description (they vanish from DescribeServices once INACTIVE). */
  private readonly followed = new Map<string, Deployment>();
  private readonly judged = new Set<string>();
  /** Stopped tasks of followed deployments, described once each. */
  private readonly stopped = new Map<string, Task>();
  private readonly seenEvents = new Set<string>();
  private latest: Service | undefined;

  constructor(
    private readonly ecs: ECSClient,
    private readonly options: ServiceWatchOptions,
  ) {}

  /** The service as the latest poll saw it. */
  get service(): Service | undefined {
    return this.latest;
  }

  async poll(): Promise<ServiceChanges> {
    const { cluster, service } = this.options;
    const described = (await this.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })))
      .services?.[0];
    this.latest = described;
    for (const deployment of described?.deployments ?? []) {
      if (!deployment.id || this.judged.has(deployment.id)) continue;
      this.judged.add(deployment.id);
      if (this.options.follows(deployment, described?.deployments ?? [])) this.followed.set(deployment.id, deployment);
    }
    const stops: Task[] = [];
    for (const id of this.followed.keys()) stops.push(...(await this.newStops(id)));
    const since = Math.min(...[...this.followed.values()].map((d) => d.createdAt?.getTime() ?? Infinity));
    const events = (described?.events ?? [])
      .filter((e) => e.id && !this.seenEvents.has(e.id) && (e.createdAt?.getTime() ?? -Infinity) >= since)
      .reverse();
    for (const event of events) this.seenEvents.add(event.id ?? '');
    return { service: described, stops: stops.filter(isAbnormalStop).sort(byStoppedAt), events };
  }

  /**
   * Whether the newest followed deployment still in the service has stalled (failure-signals.ts):
   * what makes `dockyard demo` stop and `dockyard status` say "stalled".
   */
  stall(): { deployment: Deployment; stall: Stall } | undefined {
    const current = (this.latest?.deployments ?? [])
      .filter((d) => d.id && this.followed.has(d.id))
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
    if (!current?.id) return undefined;
    const stall = deploymentStall(current, this.stopsOf(current.id), this.latest?.events ?? []);
    return stall ? { deployment: current, stall } : undefined;
  }

  /** Every stopped task of a followed deployment seen so far. */
  stopsOf(deploymentId: string): Task[] {
    return [...this.stopped.values()].filter((t) => t.startedBy === deploymentId);
  }

  /** The deployment's stopped tasks not described before (a task still stopping is looked at again next poll). */
  private async newStops(deploymentId: string): Promise<Task[]> {
    const fresh = await stoppedTasks(this.ecs, this.options.cluster, deploymentId, {
      known: (arn) => this.stopped.has(arn),
    });
    for (const task of fresh) this.stopped.set(task.taskArn ?? '', task);
    return fresh;
  }
}

/**
 * A deployment's STOPPED tasks (ListTasks by startedBy, then DescribeTasks), leaving out those
 * `known` says were seen; tasks told to stop that have not stopped yet are left for later.
 * With `limit`, only the last that many listed are described (dockyard lists oldest first).
 */
export async function stoppedTasks(
  ecs: ECSClient,
  cluster: string,
  deploymentId: string,
  options: { known?: (taskArn: string) => boolean; limit?: number } = {},
): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await ecs.send(
      new ListTasksCommand({
        cluster,
        startedBy: deploymentId,
        desiredStatus: 'STOPPED',
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken && ++pages < MAX_PAGES);
  const known = options.known ?? (() => false);
  const unseen = arns.filter((arn) => !known(arn)).slice(-(options.limit ?? Infinity));
  const found: Task[] = [];
  for (let i = 0; i < unseen.length; i += DESCRIBE_BATCH) {
    const tasks =
      (await ecs.send(new DescribeTasksCommand({ cluster, tasks: unseen.slice(i, i + DESCRIBE_BATCH) }))).tasks ?? [];
    found.push(...tasks.filter((task) => task.lastStatus === 'STOPPED' && task.taskArn));
  }
  return found;
}

function byStoppedAt(a: Task, b: Task): number {
  return (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0);
}
