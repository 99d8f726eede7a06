/**
 * What the runner needs of the results service (src/results, wired in by the cloud): a job's
 * registration, whose variables (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, the cache's) go to
 * the job's actions and whose token is revoked when the job ends.
 */
import type { Json } from '../workflow/contract.js';

export interface JobResults {
  registerJob(job: { repository: string; runId: number; ref: string; defaultBranch: string }): {
    variables: Record<string, string>;
    token: string;
    revoke(): void;
  };
}

/** The default branch named by the event's `repository` object (push and dispatch payloads carry it). */
export function defaultBranchOf(event: Json): string {
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
    const repository = event.repository;
    if (typeof repository === 'object' && repository !== null && !Array.isArray(repository)) {
      const branch = repository.default_branch;
      if (typeof branch === 'string' && branch !== '') return branch;
    }
  }
  return 'main';
}
