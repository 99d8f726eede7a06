/**
 * At start-up: hand over the pushes a killed predecessor accepted but never turned into runs,
 * and clear what its killed pushes left in the hosted repositories. In order:
 *
 * 1. Kill the pushes (receive-pack, its hooks) the previous process left running, and wait
 *    until they are gone: one still running could move a ref after step 3 found it unmoved,
 *    and holds its locks and quarantine.
 * 2. Per repository: bring its hooks up to date (a repository from before the journal gains
 *    it) and, unless another process is working in it (an admin pushing to the directory),
 *    remove the quarantines and lock files killed pushes left behind.
 * 3. Start the runs of every journaled push whose refs moved, oldest first, and settle its
 *    entries. Nobody is watching: the runs show in `dockyard runs list` and the log says so.
 *    A push whose runs were recorded before the crash starts nothing twice (the runner keys
 *    push runs by push id, ref and workflow).
 */
import type { PushEvent } from '../git/contract.js';
import { removeAbandonedPushFiles, PUSH_PROCESS_MARKER, type GitRepositories, type PushJournal } from '../git/index.js';
import type { RunRecord } from '../runner/types.js';
import { killMarkedProcesses, waitForExit, workingDirectories } from '../host/processes.js';
import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/errors.js';

/** A SIGKILLed process is gone within milliseconds unless stuck in the kernel (D state). */
const KILL_WAIT_MS = 5_000;

export interface PushRecoveryDeps {
  repositories: GitRepositories;
  journal: PushJournal;
  /** Starts the runs of one pushed ref, as a live push would. */
  startRuns(event: PushEvent): Promise<RunRecord[]>;
  /** The label this cloud's pushes carry (http-backend.ts: PUSH_PROCESS_MARKER). */
  processLabel: string;
  logger: Logger;
  /** True once the cloud is stopping: what is left stays journaled for the next start. */
  stopping(): boolean;
}

export async function recoverPushes(deps: PushRecoveryDeps): Promise<void> {
  const { logger } = deps;
  const killed = killMarkedProcesses(PUSH_PROCESS_MARKER, deps.processLabel);
  if (killed.length > 0) {
    logger.warn('git: killed pushes a previous process left running', { pids: killed });
    if (!(await waitForExit(killed, KILL_WAIT_MS))) {
      // Their refs may still move: judging their journal entries now could drop a landed push.
      logger.error('git: pushes a previous process left running did not end; their runs start at the next start', {
        pids: killed,
      });
      return;
    }
  }
  const busy = workingDirectories();
  for (const repository of deps.repositories.list()) {
    if (deps.stopping()) return;
    await deps.repositories.refreshHooks(repository);
    const inUse =
      busy === undefined ||
      [...busy].some((dir) => dir === repository.gitDir || dir.startsWith(`${repository.gitDir}/`));
    if (!inUse) {
      const removed = await removeAbandonedPushFiles(repository.gitDir);
      if (removed.length > 0)
        logger.warn('git: removed what killed pushes left behind', { repository: repository.fullName, files: removed });
    }
    const { pushes, dropped } = await deps.journal.landed(repository);
    if (dropped.length > 0)
      logger.info('git: dropped journal entries of pushes whose refs never moved', {
        repository: repository.fullName,
        entries: dropped,
      });
    for (const push of pushes) {
      if (deps.stopping()) return;
      for (const event of push.events) {
        try {
          const runs = await deps.startRuns(event);
          logger.warn('git: handed over a push the previous process accepted but never handled', {
            repository: push.repository,
            ref: event.ref,
            sha: event.after,
            runs: runs.map((run) => run.id),
          });
        } catch (error) {
          logger.error('git: the runs of a journaled push could not be started', {
            repository: push.repository,
            ref: event.ref,
            sha: event.after,
            error: errorMessage(error),
          });
        }
      }
      // A stop during startRuns may have cut it short; the next start picks it up again.
      if (deps.stopping()) return;
      await deps.journal.settle(push.repository, push.pushId);
    }
  }
}
