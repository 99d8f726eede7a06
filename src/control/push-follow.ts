/**
 * What a `git push` shows: the post-receive hook hands the pushed refs here; the runner starts
 * the workflows whose `on:` matches, and their progress streams back as git's `remote: …`
 * lines until every run has ended. `dockyard push` reads the final lines to set its exit code.
 */
import type { PushEvent } from '../git/contract.js';
import type { RunRecord } from '../runner/types.js';
import { followRun } from './api.js';
import { ProgressPrinter } from './progress-printer.js';
import type { RunnerView } from './run-views.js';

/** The final line of a followed push, which `dockyard push` looks for. */
export const PUSH_RESULT_PREFIX = 'dockyard:';

export async function runPushedWorkflows(
  runner: RunnerView & { onPush(event: PushEvent): Promise<RunRecord[]> },
  events: PushEvent[],
  progress: (line: string) => void,
  /** Where the console shows a run, live. */
  consoleUrl?: (runId: number) => string,
): Promise<void> {
  const runs: RunRecord[] = [];
  for (const event of events) runs.push(...(await runner.onPush(event)));
  if (runs.length === 0) {
    progress(`${PUSH_RESULT_PREFIX} no workflow runs for this push (none in .github/workflows matches it)`);
    return;
  }
  for (const run of runs) {
    progress(`${PUSH_RESULT_PREFIX} run #${run.id} ${run.workflowName} started: dockyard runs view ${run.id}`);
    if (consoleUrl) progress(`  live in the console: ${consoleUrl(run.id)}`);
  }
  // Runs proceed in parallel; their lines are printed one run after another so they stay readable.
  const failed = new Set<number>();
  for (const run of runs) {
    const printer = new ProgressPrinter();
    await followRun(runner, run.id, (event) => {
      for (const line of printer.lines(event)) progress(line);
      if (event.type === 'run' && event.run.status === 'completed' && event.run.conclusion !== 'success')
        failed.add(run.id);
    });
  }
  progress(
    failed.size === 0
      ? `${PUSH_RESULT_PREFIX} all ${runs.length} run(s) succeeded`
      : `${PUSH_RESULT_PREFIX} run(s) ${[...failed].map((id) => `#${id}`).join(', ')} did not succeed: dockyard runs view ${[...failed][0]} --log`,
  );
}
