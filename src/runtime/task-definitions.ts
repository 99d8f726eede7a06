/** The task definition a task was started from, decoded once per revision. */
import { parseTaskDefinitionRef } from '../services/ecs/arns.js';
import type { Task, TaskDefinition } from '../services/ecs/model.js';
import type { EcsStore } from '../services/ecs/store.js';

/**
 * Task definitions by ARN, per store. A revision's document never changes (deregistering only
 * changes its status, which the runtime does not read), so it is read and decoded once, not on
 * every tick for every task.
 */
const definitions = new WeakMap<EcsStore, Map<string, TaskDefinition>>();

/** The task definition a task was started from. */
export function definitionOf(store: EcsStore, task: Pick<Task, 'taskDefinitionArn'>): TaskDefinition | undefined {
  let cache = definitions.get(store);
  if (!cache) {
    cache = new Map();
    definitions.set(store, cache);
  }
  const cached = cache.get(task.taskDefinitionArn);
  if (cached) return cached;
  const ref = parseTaskDefinitionRef(task.taskDefinitionArn);
  const definition = ref ? store.taskDefinitions.resolve(ref) : undefined;
  if (definition) cache.set(task.taskDefinitionArn, definition);
  return definition;
}
