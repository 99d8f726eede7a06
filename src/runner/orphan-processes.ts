/**
 * Job processes a killed cloud left behind. Steps run as host processes in their own process
 * groups; a clean stop kills them, but after kill -9 of the cloud they live on, re-parented,
 * with nobody to read their output or stop them. Every step process (and so everything it
 * starts) carries `DOCKYARD_RUNNER=<this cloud's label>` in its environment; at start the
 * runner finds the processes that carry its label (Linux /proc) and kills them, as GitHub's
 * runner kills a job's orphans.
 *
 * By design: a step that removes the variable from its children's environment escapes the
 * sweep (as a daemon that double-forks escapes GitHub's). Without /proc nothing is swept.
 */
import { killMarkedProcesses } from '../host/processes.js';

/** The variable every step process carries. */
export const RUNNER_MARKER = 'DOCKYARD_RUNNER';

/** Kills (SIGKILL) every process whose environment carries this runner's label; returns their pids. */
export function killOrphanedJobProcesses(label: string): number[] {
  return killMarkedProcesses(RUNNER_MARKER, label);
}
