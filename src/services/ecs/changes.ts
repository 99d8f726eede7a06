/**
 * What changed in EcsStore, for in-process subscribers (the run's deployment notices, the
 * console's live views): a service written, a deployment written, a task written (and, once,
 * that it reached STOPPED), a service event appended, a task definition registered or changed.
 * Subscribers hear of a change on a microtask after the write, so the store transaction that
 * made it has committed and they never run inside it; with no subscriber a change costs nothing.
 *
 * Gap: a change written by a transaction that then rolls back is still announced (the
 * scheduler's transactions do not roll back in normal operation).
 */
import type { Deployment, Service, ServiceEvent, Task, TaskDefinition } from './model.js';

export type EcsChange =
  | { type: 'service'; service: Service }
  | { type: 'deployment'; deployment: Deployment }
  | { type: 'task'; task: Task }
  | { type: 'task-stopped'; task: Task }
  | { type: 'service-event'; serviceArn: string; event: ServiceEvent }
  | { type: 'task-definition'; definition: TaskDefinition };

export type EcsChangeListener = (change: EcsChange) => void;

export class EcsChanges {
  private readonly listeners = new Set<EcsChangeListener>();

  /** Calls `listener` with every later change; returns the unsubscribe function. */
  subscribe(listener: EcsChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(change: EcsChange): void {
    if (this.listeners.size === 0) return;
    queueMicrotask(() => {
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // A subscriber's failure is its own; the store's writers never see it.
        }
      }
    });
  }
}
