/**
 * The labels that mark a cloud's task containers, in a module of their own: the runner's job
 * marker (cloud/ci.ts) needs the cloud's label without loading the runtime.
 */
import { createHash } from 'node:crypto';

/** Labels every task container carries. */
export const LABEL = { cloud: 'dockyard.cloud', task: 'dockyard.task', container: 'dockyard.container' } as const;

/** A stable label value for a cloud: a short hash of its data directory. */
export function cloudLabelFor(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}
