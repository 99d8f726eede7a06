/**
 * A rolling update drawn over time, from what ECS records about each task: created (pending),
 * startedAt (running), healthyAt (its health checks passed; a task without health checks
 * counts as healthy once running, as the scheduler counts it), stoppingAt (told to stop:
 * draining) and stoppedAt. Pure; the page turns it into SVG.
 */
import type { Deployment, Task } from '../../services/ecs/model.js';
import { isAbnormalStop } from '../../scheduler/failure-signals.js';
import type { Timeline, TimelineLane } from '../contract.js';

/** Lanes drawn at most: the newest tasks; the rest are counted in `omitted`. */
export const MAX_LANES = 40;

export function buildTimeline(
  deployments: readonly Deployment[],
  tasks: readonly Task[],
  now: Date,
  /** Whether the task's definition has health checks (else running counts as healthy). */
  healthChecked: (task: Task) => boolean,
): Timeline {
  const ordered = [...deployments].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const index = new Map(ordered.map((d, i) => [d.id, i]));
  const shown = [...tasks]
    .filter((t) => t.startedBy !== undefined && index.has(t.startedBy))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const kept = shown.slice(-MAX_LANES);
  const lanes = kept.map((task) => lane(task, index.get(task.startedBy ?? '') ?? 0, now, healthChecked(task)));
  const starts = [...kept.map((t) => t.createdAt.getTime()), ...ordered.slice(-1).map((d) => d.createdAt.getTime())];
  const from = starts.length > 0 ? Math.min(...starts) : now.getTime();
  return {
    from: new Date(from).toISOString(),
    to: now.toISOString(),
    deployments: ordered.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      createdAt: d.createdAt.toISOString(),
    })),
    lanes,
    omitted: shown.length - kept.length,
  };
}

function lane(task: Task, deployment: number, now: Date, checked: boolean): TimelineLane {
  const end = task.stoppedAt ?? now;
  const segments: TimelineLane['segments'] = [];
  const add = (phase: TimelineLane['segments'][number]['phase'], from: Date | undefined, to: Date | undefined) => {
    if (from === undefined || to === undefined || to.getTime() < from.getTime()) return;
    segments.push({ phase, from: from.toISOString(), to: to.toISOString() });
  };
  const stopping = task.stoppingAt;
  const started = task.startedAt;
  // Each phase ends where the next one begins (or at the stop, or now).
  add('pending', task.createdAt, started ?? end);
  if (started) {
    const healthy = checked ? task.healthyAt : started;
    const stillRunningUntil = stopping ?? end;
    if (healthy === undefined || healthy.getTime() >= stillRunningUntil.getTime()) {
      add('running', started, stillRunningUntil);
    } else {
      if (healthy.getTime() > started.getTime()) add('running', started, healthy);
      add('healthy', healthy, stillRunningUntil);
    }
    if (stopping) add('draining', stopping, end);
  }
  return {
    task: task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1),
    deployment,
    segments,
    ...(task.stoppedAt ? { stoppedAt: task.stoppedAt.toISOString() } : {}),
    abnormal: task.lastStatus === 'STOPPED' && isAbnormalStop(task),
  };
}
