/**
 * Deployment notices: while a run is in progress, what happens to the ECS deployments its jobs
 * started is told to the run, under the step that is running (a task that stopped, and why; a
 * service event that reports trouble). `git push`, `dockyard push` and `dockyard runs watch`
 * show them as they happen, so a failing deployment is seen within a second rather than at the
 * deploy action's timeout. The action itself is untouched and keeps waiting, as on AWS.
 *
 * Which deployments are a run's: those CreateService or UpdateService started for a caller
 * whose session descends from one of the run's job tokens (STS records the token's run_id on
 * the session; ECS copies it to the deployment's internal `initiatedBy`). Deployments the
 * scheduler starts on such a service afterwards (a circuit-breaker rollback) count too.
 * Driven by EcsStore's change feed: nothing polls.
 *
 * A crash loop must not flood the stream: each distinct stop reason and trouble event is told
 * once per service and run as a recorded warning (an annotation); a stop reason seen again is
 * told briefly at its 2nd, 4th, 8th… occurrence, as a notice that is not recorded.
 */
import type { Logger } from '../core/logger.js';
import type { Runner } from '../runner/runner.js';
import { describeStop, isAbnormalStop, isTroubleEvent } from '../scheduler/failure-signals.js';
import { taskId } from '../scheduler/service-events.js';
import type { EcsChange } from '../services/ecs/changes.js';
import type { Deployment, ServiceEvent, Task } from '../services/ecs/model.js';
import { errorMessage } from '../core/errors.js';

export interface DeploymentNoticeDeps {
  changes: { subscribe(listener: (change: EcsChange) => void): () => void };
  services: { get(arn: string): { serviceName: string; clusterArn: string } | undefined };
  runner: Pick<Runner, 'getRun' | 'notify' | 'waitFor'>;
  logger: Logger;
}

/** Annotations one run gets from its deployments, at most (GitHub caps a job's at 50). */
const MAX_RECORDED = 20;

/** One run's interest in one service. */
interface Watch {
  runId: number;
  serviceArn: string;
  /** cluster/service, the notices' title. */
  label: string;
  /** Events and rollbacks from this instant on are the run's. */
  since: number;
  /** How often each stop reason or event was seen. */
  seen: Map<string, number>;
}

/** Starts telling runs about their deployments; returns the function that stops it. */
export function startDeploymentNotices(deps: DeploymentNoticeDeps): () => void {
  const watches = new Map<string, Watch>();
  const byService = new Map<string, Set<Watch>>();
  const byDeployment = new Map<string, Set<Watch>>();
  /** Per run being watched: how many annotations it has had from here. */
  const recorded = new Map<number, number>();

  const watch = (runId: number, deployment: Deployment): void => {
    const key = `${runId} ${deployment.serviceArn}`;
    let entry = watches.get(key);
    if (!entry) {
      const service = deps.services.get(deployment.serviceArn);
      if (!service) return;
      const cluster = service.clusterArn.slice(service.clusterArn.lastIndexOf('/') + 1);
      entry = {
        runId,
        serviceArn: deployment.serviceArn,
        label: `${cluster}/${service.serviceName}`,
        since: deployment.createdAt.getTime(),
        seen: new Map(),
      };
      watches.set(key, entry);
      add(byService, deployment.serviceArn, entry);
      if (!recorded.has(runId)) {
        recorded.set(runId, 0);
        void deps.runner.waitFor(runId).then(
          () => forget(runId),
          () => forget(runId),
        );
      }
    }
    add(byDeployment, deployment.id, entry);
  };

  const forget = (runId: number): void => {
    for (const [key, entry] of watches) {
      if (entry.runId !== runId) continue;
      watches.delete(key);
      byService.get(entry.serviceArn)?.delete(entry);
      if (byService.get(entry.serviceArn)?.size === 0) byService.delete(entry.serviceArn);
      for (const [id, set] of byDeployment) {
        set.delete(entry);
        if (set.size === 0) byDeployment.delete(id);
      }
    }
    recorded.delete(runId);
  };

  /** Tells `first()` the first time `key` is seen, `again(n)` the 2nd, 4th, 8th… time. */
  const tell = (entry: Watch, key: string, first: () => string, again: (count: number) => string): void => {
    const count = (entry.seen.get(key) ?? 0) + 1;
    entry.seen.set(key, count);
    if ((count & (count - 1)) !== 0) return;
    const record = count === 1 && (recorded.get(entry.runId) ?? 0) < MAX_RECORDED;
    if (record) recorded.set(entry.runId, (recorded.get(entry.runId) ?? 0) + 1);
    deps.runner.notify(entry.runId, {
      level: count === 1 ? 'warning' : 'notice',
      title: `ECS service ${entry.label}`,
      message: count === 1 ? first() : again(count),
      record,
    });
  };

  const onDeployment = (deployment: Deployment): void => {
    const runId = Number(deployment.initiatedBy?.ciRunId);
    if (Number.isSafeInteger(runId) && runId > 0) {
      if (byDeployment.get(deployment.id)?.size) return;
      if (deps.runner.getRun(runId)?.status !== 'in_progress') return;
      watch(runId, deployment);
      return;
    }
    // The scheduler's rollback of a service a run is watching.
    for (const entry of byService.get(deployment.serviceArn) ?? []) {
      if (deployment.createdAt.getTime() >= entry.since) watch(entry.runId, deployment);
    }
  };

  const onTaskStopped = (task: Task): void => {
    const entries = task.startedBy === undefined ? undefined : byDeployment.get(task.startedBy);
    if (!entries || !isAbnormalStop(task)) return;
    // Reasons name the task (a pull's session is named after it): the same failure of two tasks is one reason.
    const reason = (task.stoppedReason ?? '').replace(/\b[0-9a-f]{32}\b/g, '<task>');
    const again = (count: number) =>
      `Task ${taskId(task.taskArn)} stopped${task.startedAt ? '' : ' before RUNNING'} for the same reason (${count} tasks so far)`;
    for (const entry of entries) tell(entry, `stop ${task.stopCode ?? ''} ${reason}`, () => describeStop(task), again);
  };

  const onServiceEvent = (serviceArn: string, event: ServiceEvent): void => {
    if (!isTroubleEvent(event.message)) return;
    for (const entry of byService.get(serviceArn) ?? []) {
      // An event is told once: ECS repeats "unable to consistently start tasks" at every retry.
      if (event.createdAt.getTime() >= entry.since && !entry.seen.has(`event ${event.message}`))
        tell(
          entry,
          `event ${event.message}`,
          () => event.message,
          () => event.message,
        );
    }
  };

  return deps.changes.subscribe((change) => {
    try {
      if (change.type === 'deployment') onDeployment(change.deployment);
      else if (change.type === 'task-stopped') onTaskStopped(change.task);
      else if (change.type === 'service-event') onServiceEvent(change.serviceArn, change.event);
    } catch (error) {
      deps.logger.warn('deployment notices: a change could not be told to its run', { error: errorMessage(error) });
    }
  });
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key) ?? new Set<V>();
  set.add(value);
  map.set(key, set);
}
